package dev.amishare.functions.launch;

import dev.amishare.functions.common.Validation;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the "grant launch permission" stage needs: the owner's AMI and who may launch it.
 *
 * @param imageId the AMI in the account and region the function runs in
 * @param accountIds target accounts, 12 digits each
 * @param organizationArns organizations whose every account may launch the AMI
 * @param organizationalUnitArns OUs whose every account may launch the AMI
 * @param dryRun report what would change, change nothing
 * @param executionId the workflow execution this call belongs to, for the logs
 */
public record GrantLaunchPermissionInput(
        String imageId,
        List<String> accountIds,
        List<String> organizationArns,
        List<String> organizationalUnitArns,
        Boolean dryRun,
        String executionId) {

    public GrantLaunchPermissionInput {
        accountIds = accountIds == null ? List.of() : List.copyOf(accountIds);
        organizationArns = organizationArns == null ? List.of() : List.copyOf(organizationArns);
        organizationalUnitArns = organizationalUnitArns == null ? List.of() : List.copyOf(organizationalUnitArns);
    }

    public boolean isDryRun() {
        return Boolean.TRUE.equals(dryRun);
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation().matches(imageId, Validation.IMAGE_ID, "imageId",
                "an AMI id ('ami-' and 8 or 17 lower-case hex digits)");
        v.require(!accountIds.isEmpty() || !organizationArns.isEmpty() || !organizationalUnitArns.isEmpty(),
                "accountIds, organizationArns, organizationalUnitArns: at least one target is required");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < accountIds.size(); i++) {
            String id = accountIds.get(i);
            v.matches(id, Validation.ACCOUNT_ID, "accountIds[" + i + "]", "a 12-digit AWS account id");
            v.require(id == null || seen.add(id), "accountIds[" + i + "]: duplicate account " + id);
        }
        for (int i = 0; i < organizationArns.size(); i++) {
            v.matches(organizationArns.get(i), Validation.ORGANIZATION_ARN, "organizationArns[" + i + "]",
                    "an organization ARN (arn:aws:organizations::<account>:organization/o-…)");
        }
        for (int i = 0; i < organizationalUnitArns.size(); i++) {
            v.matches(organizationalUnitArns.get(i), Validation.ORGANIZATIONAL_UNIT_ARN,
                    "organizationalUnitArns[" + i + "]", "an OU ARN (arn:aws:organizations::<account>:ou/o-…/ou-…)");
        }
        v.throwIfInvalid();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GrantLaunchPermissionInput other
                && Objects.equals(imageId, other.imageId)
                && accountIds.equals(other.accountIds)
                && organizationArns.equals(other.organizationArns)
                && organizationalUnitArns.equals(other.organizationalUnitArns)
                && isDryRun() == other.isDryRun()
                && Objects.equals(executionId, other.executionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(imageId, accountIds, organizationArns, organizationalUnitArns, isDryRun(), executionId);
    }
}
