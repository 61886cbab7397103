package dev.amishare.functions.copy;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.Validation;
import dev.amishare.functions.model.ShareRequest;

/**
 * Which copy to look at.
 *
 * @param accountId the target account that owns the copy
 * @param region its region
 * @param imageId the copy's AMI id ({@code CopyImageResult.imageId})
 * @param consumerRoleName role to assume in the target
 * @param externalId external id the role requires, or null
 * @param executionId the workflow execution, for the logs
 */
public record CopyStatusInput(String accountId, String region, String imageId, String consumerRoleName,
        String externalId, String executionId) {

    public CopyStatusInput {
        consumerRoleName = consumerRoleName == null ? Names.DEFAULT_CONSUMER_ROLE : consumerRoleName;
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation()
                .matches(accountId, Validation.ACCOUNT_ID, "accountId", "a 12-digit AWS account id")
                .matches(region, Validation.REGION, "region", "an AWS region name")
                .matches(imageId, Validation.IMAGE_ID, "imageId", "an AMI id")
                .matches(consumerRoleName, Validation.ROLE_NAME, "consumerRoleName", "an IAM role name");
        if (externalId != null) {
            v.matches(externalId, Validation.EXTERNAL_ID, "externalId", "an STS external id");
        }
        v.throwIfInvalid();
    }
}
