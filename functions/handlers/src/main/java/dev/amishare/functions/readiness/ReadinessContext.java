package dev.amishare.functions.readiness;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import java.util.List;

/**
 * What every target's readiness check needs besides the target itself: the Distributed Map's
 * {@code BatchInput}, the same for each batch.
 *
 * @param imageId the AMI to share
 * @param imageName its name, for the Allowed AMIs criteria that match names
 * @param sourceRegion the AMI's region
 * @param ownerAccountId the account that owns it
 * @param ownerKeyArns the AMI's customer-managed keys
 * @param consumerRoleName the role to assume in each target
 * @param executionId the workflow execution, for the logs
 */
public record ReadinessContext(
        String imageId,
        String imageName,
        String sourceRegion,
        String ownerAccountId,
        List<String> ownerKeyArns,
        String consumerRoleName,
        String executionId) {

    public ReadinessContext {
        ownerKeyArns = ownerKeyArns == null ? List.of() : List.copyOf(ownerKeyArns);
    }

    void checkInto(Validation v) {
        v.matches(imageId, IdKind.IMAGE_ID, "BatchInput.imageId")
                .matches(sourceRegion, IdKind.REGION, "BatchInput.sourceRegion")
                .matches(ownerAccountId, IdKind.ACCOUNT_ID, "BatchInput.ownerAccountId")
                .matches(consumerRoleName, IdKind.ROLE_NAME, "BatchInput.consumerRoleName")
                .each(ownerKeyArns, IdKind.KMS_KEY_ARN, "BatchInput.ownerKeyArns");
    }
}
