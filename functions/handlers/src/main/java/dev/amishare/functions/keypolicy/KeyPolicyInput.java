package dev.amishare.functions.keypolicy;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.TargetSet;
import java.util.List;

/**
 * What the key-policy stage (and the key part of revoke) needs: the owner's customer-managed keys and
 * who may use them.
 *
 * @param keyArns customer-managed key ARNs of the AMI's snapshots ({@code PreparedShare.customerManagedKeyArns})
 * @param principals the accounts, organizations and OUs that may use the keys, named inline
 * @param targets the same, with the accounts in S3 (how the workflow passes them); both are used
 * @param dryRun report what would change, change nothing
 * @param executionId the workflow execution this call belongs to, for the logs
 */
public record KeyPolicyInput(List<String> keyArns, Principals principals, TargetSet targets, Boolean dryRun,
        String executionId) {

    public KeyPolicyInput {
        keyArns = keyArns == null ? List.of() : List.copyOf(keyArns);
        principals = principals == null ? Principals.NONE : principals;
        targets = targets == null ? TargetSet.NONE : targets;
        dryRun = Boolean.TRUE.equals(dryRun);
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation().each(keyArns, IdKind.KMS_KEY_ARN, "keyArns");
        targets.checkInto(v, principals, "principals").throwIfInvalid();
    }
}
