package dev.amishare.functions.copy;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import dev.amishare.functions.model.TargetRole;

/**
 * Which copy to look at.
 *
 * @param targetRole the target account that owns the copy, and the role to read it as
 * @param region its region
 * @param imageId the copy's AMI id ({@code CopyImageResult.imageId})
 * @param executionId the workflow execution, for the logs
 */
public record CopyStatusInput(TargetRole targetRole, String region, String imageId, String executionId) {

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation()
                .matches(region, IdKind.REGION, "region")
                .matches(imageId, IdKind.IMAGE_ID, "imageId");
        TargetRole.check(v, targetRole, "targetRole");
        v.throwIfInvalid();
    }

    public String accountId() {
        return targetRole == null ? null : targetRole.accountId();
    }
}
