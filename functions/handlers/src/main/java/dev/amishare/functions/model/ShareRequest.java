package dev.amishare.functions.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.amishare.contract.Names;
import java.util.ArrayList;
import java.util.List;

/**
 * The one request contract of every entry point (API, events, manual runs); its JSON Schema is
 * {@code share-request.schema.json}. Read it with {@link ShareRequestValidator#read}, which reports
 * every problem at once. The constructor fills the defaults, so a read request is normalised.
 *
 * @param imageId the AMI to share, owned by the account the workflow runs in
 * @param sourceRegion the AMI's region; defaults to the region the workflow runs in
 * @param targets accounts to share with; a target without {@code copy} only gets launch access
 * @param organizationArns organizations whose every account may launch the AMI
 * @param organizationalUnitArns OUs whose every account may launch the AMI
 * @param copyToOrganizationalUnits OUs whose every account (also in the OUs below) gets launch access and
 *     copies, listed through Organizations when the share runs
 * @param consumerRoleName role amishare assumes in each target, default {@value dev.amishare.contract.Names#DEFAULT_CONSUMER_ROLE}
 * @param dryRun report what would change, change nothing (default false)
 * @param rollbackOnFailure revoke what was granted to a target when a later stage fails for it (default false)
 * @param toleratedFailurePercentage the share of targets (percent, 0–100) that may fail while the share still
 *     succeeds; default {@value #DEFAULT_TOLERATED_FAILURE_PERCENTAGE}: see {@code TargetFanOut} for why
 * @param requestedBy who asked, as the entry point knows it: the API caller's IAM ARN, the tag-change or
 *     account-vending event; null when started directly
 */
public record ShareRequest(
        String imageId,
        String sourceRegion,
        List<Target> targets,
        List<String> organizationArns,
        List<String> organizationalUnitArns,
        List<OrganizationalUnitCopy> copyToOrganizationalUnits,
        String consumerRoleName,
        Boolean dryRun,
        Boolean rollbackOnFailure,
        Integer toleratedFailurePercentage,
        // Written even when null: the share report reads it by JSONPath, which fails on a missing field.
        @JsonInclude(JsonInclude.Include.ALWAYS) String requestedBy) {

    /** Any failed target fails the share (each target is still processed). */
    public static final int DEFAULT_TOLERATED_FAILURE_PERCENTAGE = 0;

    public ShareRequest {
        targets = targets == null ? List.of() : List.copyOf(targets);
        organizationArns = organizationArns == null ? List.of() : List.copyOf(organizationArns);
        organizationalUnitArns = organizationalUnitArns == null ? List.of() : List.copyOf(organizationalUnitArns);
        copyToOrganizationalUnits = copyToOrganizationalUnits == null ? List.of()
                : List.copyOf(copyToOrganizationalUnits);
        consumerRoleName = consumerRoleName == null ? Names.DEFAULT_CONSUMER_ROLE : consumerRoleName;
        dryRun = Boolean.TRUE.equals(dryRun);
        rollbackOnFailure = Boolean.TRUE.equals(rollbackOnFailure);
        toleratedFailurePercentage = toleratedFailurePercentage == null ? DEFAULT_TOLERATED_FAILURE_PERCENTAGE
                : toleratedFailurePercentage;
    }

    /** The same request with {@code sourceRegion} set, for when it was left to default. */
    public ShareRequest withSourceRegion(String region) {
        return new ShareRequest(imageId, region, targets, organizationArns, organizationalUnitArns,
                copyToOrganizationalUnits, consumerRoleName, dryRun, rollbackOnFailure, toleratedFailurePercentage,
                requestedBy);
    }

    /** The same request with {@code targets} instead of its own (the OUs' accounts added, for example). */
    public ShareRequest withTargets(List<Target> newTargets) {
        return new ShareRequest(imageId, sourceRegion, newTargets, organizationArns, organizationalUnitArns,
                copyToOrganizationalUnits, consumerRoleName, dryRun, rollbackOnFailure, toleratedFailurePercentage,
                requestedBy);
    }

    public List<String> accountIds() {
        List<String> ids = new ArrayList<>();
        targets.forEach(t -> ids.add(t.accountId()));
        return ids;
    }

    /** Whom the request shares with: its target accounts, organizations and OUs. */
    public Principals principals() {
        return new Principals(accountIds(), organizationArns, organizationalUnitArns);
    }

    /** Targets that copy the AMI into their account, in request order. */
    public List<String> copyingAccountIds() {
        List<String> ids = new ArrayList<>();
        targets.stream().filter(t -> !t.copy().isEmpty()).forEach(t -> ids.add(t.accountId()));
        return ids;
    }

    /**
     * One target account.
     *
     * @param accountId 12-digit account id
     * @param copy regions (and the target's keys there) to copy the AMI to; empty for launch access only
     */
    public record Target(String accountId, List<Copy> copy) {

        public Target {
            copy = copy == null ? List.of() : List.copyOf(copy);
        }
    }

    /**
     * Copies into every account of an OU.
     *
     * @param organizationalUnitArn the OU; its accounts and those of the OUs below it copy
     * @param copy regions (and each account's key there, by alias: the same alias in every account)
     */
    public record OrganizationalUnitCopy(String organizationalUnitArn, List<Copy> copy) {

        public OrganizationalUnitCopy {
            copy = copy == null ? List.of() : List.copyOf(copy);
        }
    }

    /**
     * One copy of the AMI in a target account.
     *
     * @param region destination region
     * @param kmsKeyId the target's key in that region: key id, key ARN, alias/name or alias ARN
     */
    public record Copy(String region, String kmsKeyId) {
    }
}
