package dev.amishare.functions.consumer;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetRole;
import java.util.List;

/**
 * One target account to check after the grants, as the workflow's target Map builds it from the target,
 * the {@code PreparedShare} and the key-policy stage's result.
 *
 * @param imageId the shared AMI
 * @param sourceRegion the AMI's region ({@code request.sourceRegion})
 * @param ownerAccountId the account that owns the AMI, as the copy's source
 * @param targetRole the target account and the role to assume there
 * @param ownerKeyArns the AMI's keys ({@code customerManagedKeyArns})
 * @param ownerKeys what the key-policy stage did to each of them, read back after its write
 * @param copy the target's copies (region and destination key); empty when it only launches
 * @param executionId the workflow execution, for the logs
 */
public record ConsumerValidationInput(
        String imageId,
        String sourceRegion,
        String ownerAccountId,
        TargetRole targetRole,
        List<String> ownerKeyArns,
        List<KeyPolicyChange> ownerKeys,
        List<ShareRequest.Copy> copy,
        String executionId) {

    public ConsumerValidationInput {
        ownerKeyArns = ownerKeyArns == null ? List.of() : List.copyOf(ownerKeyArns);
        ownerKeys = ownerKeys == null ? List.of() : List.copyOf(ownerKeys);
        copy = copy == null ? List.of() : List.copyOf(copy);
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation()
                .matches(imageId, IdKind.IMAGE_ID, "imageId")
                .matches(sourceRegion, IdKind.REGION, "sourceRegion")
                .matches(ownerAccountId, IdKind.ACCOUNT_ID, "ownerAccountId")
                .each(ownerKeyArns, IdKind.KMS_KEY_ARN, "ownerKeyArns");
        TargetRole.check(v, targetRole, "targetRole");
        for (int i = 0; i < copy.size(); i++) {
            v.matches(copy.get(i).region(), IdKind.REGION, "copy[" + i + "].region");
            v.matches(copy.get(i).kmsKeyId(), IdKind.KMS_KEY_ID, "copy[" + i + "].kmsKeyId");
        }
        v.throwIfInvalid();
    }

    public String accountId() {
        return targetRole == null ? null : targetRole.accountId();
    }
}
