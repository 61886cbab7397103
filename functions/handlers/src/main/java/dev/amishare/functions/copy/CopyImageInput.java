package dev.amishare.functions.copy;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import dev.amishare.functions.model.TargetRole;

/**
 * One copy of the shared AMI into one target account and region, as the workflow's Map over the
 * targets' {@code copy} entries builds it.
 *
 * @param sourceImageId the owner's AMI
 * @param sourceRegion its region
 * @param ownerAccountId the owner account, recorded on the copy as a tag
 * @param imageName name for the copy; the source AMI's name ({@code PreparedShare.imageName}), or the
 *     source id when null
 * @param targetRole the target account that will own the copy, and the role to act as there
 * @param region destination region
 * @param kmsKeyId the target's key in that region
 * @param dryRun report what would be copied, copy nothing
 * @param executionId the workflow execution, for the logs
 */
public record CopyImageInput(
        String sourceImageId,
        String sourceRegion,
        String ownerAccountId,
        String imageName,
        TargetRole targetRole,
        String region,
        String kmsKeyId,
        Boolean dryRun,
        String executionId) {

    public CopyImageInput {
        dryRun = Boolean.TRUE.equals(dryRun);
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation()
                .matches(sourceImageId, IdKind.IMAGE_ID, "sourceImageId")
                .matches(sourceRegion, IdKind.REGION, "sourceRegion")
                .matches(ownerAccountId, IdKind.ACCOUNT_ID, "ownerAccountId")
                .matches(region, IdKind.REGION, "region")
                .matches(kmsKeyId, IdKind.KMS_KEY_ID, "kmsKeyId");
        TargetRole.check(v, targetRole, "targetRole");
        v.throwIfInvalid();
    }

    public String accountId() {
        return targetRole == null ? null : targetRole.accountId();
    }
}
