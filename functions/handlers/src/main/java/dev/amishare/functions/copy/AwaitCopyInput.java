package dev.amishare.functions.copy;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.Validation;
import dev.amishare.functions.model.ShareRequest;

/**
 * The copy the workflow's Await copy task waits for, with the task token Step Functions passed.
 *
 * @param taskToken the token to resume when the copy is available or failed
 * @param accountId the target account that owns the copy
 * @param region its region
 * @param imageId the copy ({@code CopyImageResult.imageId})
 * @param consumerRoleName role to assume in the target, to read the copy's state
 * @param externalId external id the role requires, or null
 * @param executionId the workflow execution, for the logs
 */
public record AwaitCopyInput(String taskToken, String accountId, String region, String imageId,
        String consumerRoleName, String externalId, String executionId) {

    public AwaitCopyInput {
        consumerRoleName = consumerRoleName == null ? Names.DEFAULT_CONSUMER_ROLE : consumerRoleName;
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        new Validation()
                .require(taskToken != null && !taskToken.isBlank(), "taskToken: required (invoke with waitForTaskToken)")
                .throwIfInvalid();
        status().validate();
    }

    CopyStatusInput status() {
        return new CopyStatusInput(accountId, region, imageId, consumerRoleName, externalId, executionId);
    }
}
