package dev.amishare.functions.revoke;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.model.AccessBaseline;
import java.util.List;

/**
 * Whom to take the share back from, and what the share consisted of (from {@code PreparedShare}).
 *
 * @param imageId the owner's AMI
 * @param accountIds target accounts to revoke
 * @param organizationArns organizations to revoke
 * @param organizationalUnitArns OUs to revoke
 * @param keyArns the AMI's customer-managed keys ({@code customerManagedKeyArns})
 * @param snapshotIds the AMI's snapshots ({@code snapshots[*].snapshotId})
 * @param dryRun report what would change, change nothing
 * @param keep access to leave in place, per resource: what the targets had before the execution
 *     ({@code PreparedShare.baseline}); rollback passes it, an operator revoking by hand usually does not
 * @param executionId the workflow execution, for the logs
 */
public record RevokeInput(
        String imageId,
        List<String> accountIds,
        List<String> organizationArns,
        List<String> organizationalUnitArns,
        List<String> keyArns,
        List<String> snapshotIds,
        Boolean dryRun,
        AccessBaseline keep,
        String executionId) {

    public RevokeInput {
        accountIds = accountIds == null ? List.of() : List.copyOf(accountIds);
        organizationArns = organizationArns == null ? List.of() : List.copyOf(organizationArns);
        organizationalUnitArns = organizationalUnitArns == null ? List.of() : List.copyOf(organizationalUnitArns);
        keyArns = keyArns == null ? List.of() : List.copyOf(keyArns);
        snapshotIds = snapshotIds == null ? List.of() : List.copyOf(snapshotIds);
        dryRun = Boolean.TRUE.equals(dryRun);
        keep = keep == null ? AccessBaseline.NONE : keep;
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation()
                .matches(imageId, Validation.IMAGE_ID, "imageId", "an AMI id ('ami-' and 8 or 17 lower-case hex digits)")
                .each(accountIds, Validation.ACCOUNT_ID, "accountIds", "a 12-digit AWS account id")
                .each(organizationArns, Validation.ORGANIZATION_ARN, "organizationArns", "an organization ARN")
                .each(organizationalUnitArns, Validation.ORGANIZATIONAL_UNIT_ARN, "organizationalUnitArns", "an OU ARN")
                .each(keyArns, Validation.KMS_KEY_ARN, "keyArns", "a KMS key ARN")
                .each(snapshotIds, Validation.SNAPSHOT_ID, "snapshotIds", "a snapshot id");
        v.require(!accountIds.isEmpty() || !organizationArns.isEmpty() || !organizationalUnitArns.isEmpty(),
                "accountIds, organizationArns, organizationalUnitArns: at least one target is required");
        v.throwIfInvalid();
    }
}
