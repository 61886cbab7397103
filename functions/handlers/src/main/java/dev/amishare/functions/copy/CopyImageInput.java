package dev.amishare.functions.copy;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.Validation;
import dev.amishare.functions.model.ShareRequest;

/**
 * One copy of the shared AMI into one target account and region, as the workflow's Map over the
 * targets' {@code copy} entries builds it.
 *
 * @param sourceImageId the owner's AMI
 * @param sourceRegion its region
 * @param ownerAccountId the owner account, recorded on the copy as a tag
 * @param imageName name for the copy; the source AMI's name ({@code PreparedShare.imageName}), or the
 *     source id when null
 * @param accountId the target account that will own the copy
 * @param region destination region
 * @param kmsKeyId the target's key in that region
 * @param consumerRoleName role to assume in the target
 * @param externalId external id the role requires, or null
 * @param dryRun report what would be copied, copy nothing
 * @param executionId the workflow execution, for the logs
 */
public record CopyImageInput(
        String sourceImageId,
        String sourceRegion,
        String ownerAccountId,
        String imageName,
        String accountId,
        String region,
        String kmsKeyId,
        String consumerRoleName,
        String externalId,
        Boolean dryRun,
        String executionId) {

    public CopyImageInput {
        consumerRoleName = consumerRoleName == null ? Names.DEFAULT_CONSUMER_ROLE : consumerRoleName;
        dryRun = Boolean.TRUE.equals(dryRun);
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation()
                .matches(sourceImageId, Validation.IMAGE_ID, "sourceImageId", "an AMI id")
                .matches(sourceRegion, Validation.REGION, "sourceRegion", "an AWS region name")
                .matches(ownerAccountId, Validation.ACCOUNT_ID, "ownerAccountId", "a 12-digit AWS account id")
                .matches(accountId, Validation.ACCOUNT_ID, "accountId", "a 12-digit AWS account id")
                .matches(region, Validation.REGION, "region", "an AWS region name")
                .matches(kmsKeyId, Validation.KMS_KEY_ID, "kmsKeyId", "a KMS key id, key ARN, alias/name or alias ARN")
                .matches(consumerRoleName, Validation.ROLE_NAME, "consumerRoleName", "an IAM role name");
        if (externalId != null) {
            v.matches(externalId, Validation.EXTERNAL_ID, "externalId", "an STS external id");
        }
        v.throwIfInvalid();
    }
}
