package dev.amishare.functions.copy;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.model.TargetRole;

/**
 * The copy the workflow's Await copy task waits for, with the task token Step Functions passed.
 *
 * @param taskToken the token to resume when the copy is available or failed
 * @param targetRole the target account that owns the copy, and the role to read its state as
 * @param region its region
 * @param imageId the copy ({@code CopyImageResult.imageId})
 * @param executionId the workflow execution: the token is kept per copy and execution
 */
public record AwaitCopyInput(String taskToken, TargetRole targetRole, String region, String imageId,
        String executionId) {

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        new Validation()
                .require(taskToken != null && !taskToken.isBlank(), "taskToken: required (invoke with waitForTaskToken)")
                .require(executionId != null && !executionId.isBlank(),
                        "executionId: required (the token is kept per copy and execution)")
                .throwIfInvalid();
        status().validate();
    }

    CopyStatusInput status() {
        return new CopyStatusInput(targetRole, region, imageId, executionId);
    }

    public String accountId() {
        return targetRole == null ? null : targetRole.accountId();
    }
}
