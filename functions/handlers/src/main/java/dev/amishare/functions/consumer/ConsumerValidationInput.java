package dev.amishare.functions.consumer;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.Validation;
import dev.amishare.functions.model.ShareRequest;
import java.util.List;

/**
 * One target account to check, as the workflow's Map over {@code request.targets} builds it from the
 * target and the {@code PreparedShare}.
 *
 * @param imageId the shared AMI
 * @param sourceRegion the AMI's region ({@code request.sourceRegion})
 * @param accountId the target account
 * @param consumerRoleName role to assume in the target ({@code request.consumerRoleName})
 * @param externalId external id the role requires, or null
 * @param ownerKeyArns the AMI's keys ({@code customerManagedKeyArns})
 * @param copy the target's copies (region and destination key); empty when it only launches
 * @param executionId the workflow execution, for the logs
 */
public record ConsumerValidationInput(
        String imageId,
        String sourceRegion,
        String accountId,
        String consumerRoleName,
        String externalId,
        List<String> ownerKeyArns,
        List<ShareRequest.Copy> copy,
        String executionId) {

    public ConsumerValidationInput {
        ownerKeyArns = ownerKeyArns == null ? List.of() : List.copyOf(ownerKeyArns);
        copy = copy == null ? List.of() : List.copyOf(copy);
        consumerRoleName = consumerRoleName == null ? Names.DEFAULT_CONSUMER_ROLE : consumerRoleName;
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation()
                .matches(imageId, Validation.IMAGE_ID, "imageId", "an AMI id")
                .matches(sourceRegion, Validation.REGION, "sourceRegion", "an AWS region name")
                .matches(accountId, Validation.ACCOUNT_ID, "accountId", "a 12-digit AWS account id")
                .matches(consumerRoleName, Validation.ROLE_NAME, "consumerRoleName", "an IAM role name")
                .each(ownerKeyArns, Validation.KMS_KEY_ARN, "ownerKeyArns", "a KMS key ARN");
        if (externalId != null) {
            v.matches(externalId, Validation.EXTERNAL_ID, "externalId", "an STS external id");
        }
        for (int i = 0; i < copy.size(); i++) {
            v.matches(copy.get(i).region(), Validation.REGION, "copy[" + i + "].region", "an AWS region name");
            v.matches(copy.get(i).kmsKeyId(), Validation.KMS_KEY_ID, "copy[" + i + "].kmsKeyId", "a KMS key id");
        }
        v.throwIfInvalid();
    }
}
