package dev.amishare.functions.keypolicy;

import dev.amishare.functions.common.Validation;
import java.util.List;

/**
 * What the key-policy stage (and the key part of revoke) needs: the owner's customer-managed keys and
 * who may use them.
 *
 * @param keyArns customer-managed key ARNs of the AMI's snapshots ({@code PreparedShare.customerManagedKeyArns})
 * @param accountIds target accounts, 12 digits each
 * @param organizationArns organizations whose accounts may use the keys
 * @param organizationalUnitArns OUs whose accounts may use the keys
 * @param dryRun report what would change, change nothing
 * @param executionId the workflow execution this call belongs to, for the logs
 */
public record KeyPolicyInput(
        List<String> keyArns,
        List<String> accountIds,
        List<String> organizationArns,
        List<String> organizationalUnitArns,
        Boolean dryRun,
        String executionId) {

    public KeyPolicyInput {
        keyArns = keyArns == null ? List.of() : List.copyOf(keyArns);
        accountIds = accountIds == null ? List.of() : List.copyOf(accountIds);
        organizationArns = organizationArns == null ? List.of() : List.copyOf(organizationArns);
        organizationalUnitArns = organizationalUnitArns == null ? List.of() : List.copyOf(organizationalUnitArns);
        dryRun = Boolean.TRUE.equals(dryRun);
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation()
                .each(keyArns, Validation.KMS_KEY_ARN, "keyArns", "a KMS key ARN")
                .each(accountIds, Validation.ACCOUNT_ID, "accountIds", "a 12-digit AWS account id")
                .each(organizationArns, Validation.ORGANIZATION_ARN, "organizationArns", "an organization ARN")
                .each(organizationalUnitArns, Validation.ORGANIZATIONAL_UNIT_ARN, "organizationalUnitArns",
                        "an OU ARN");
        v.require(!accountIds.isEmpty() || !organizationArns.isEmpty() || !organizationalUnitArns.isEmpty(),
                "accountIds, organizationArns, organizationalUnitArns: at least one target is required");
        v.throwIfInvalid();
    }
}
