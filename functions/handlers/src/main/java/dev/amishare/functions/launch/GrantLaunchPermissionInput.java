package dev.amishare.functions.launch;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.TargetSet;

/**
 * What the "grant launch permission" stage needs: the owner's AMI and who may launch it.
 *
 * @param imageId the AMI in the account and region the function runs in
 * @param principals the accounts, organizations and OUs that may launch it, named inline
 * @param targets the same, with the accounts in S3 (how the workflow passes them); both are used
 * @param dryRun report what would change, change nothing
 * @param executionId the workflow execution this call belongs to, for the logs
 */
public record GrantLaunchPermissionInput(String imageId, Principals principals, TargetSet targets, Boolean dryRun,
        String executionId) {

    public GrantLaunchPermissionInput {
        principals = principals == null ? Principals.NONE : principals;
        targets = targets == null ? TargetSet.NONE : targets;
        dryRun = Boolean.TRUE.equals(dryRun);
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation().matches(imageId, IdKind.IMAGE_ID, "imageId");
        targets.checkInto(v, principals, "principals").throwIfInvalid();
    }
}
