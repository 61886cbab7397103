package dev.amishare.functions.revoke;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.model.Principals;
import java.util.List;

/**
 * Whom to take the share back from, and what the share consisted of (from {@code PreparedShare}).
 *
 * @param imageId the owner's AMI
 * @param principals the accounts, organizations and OUs to revoke
 * @param keyArns the AMI's customer-managed keys ({@code customerManagedKeyArns})
 * @param snapshotIds the AMI's snapshots ({@code snapshots[*].snapshotId})
 * @param dryRun report what would change, change nothing
 * @param keep access to leave in place, per resource: what the targets had before the execution
 *     ({@code PreparedShare.baseline}); rollback passes it, an operator revoking by hand usually does not
 * @param executionId the workflow execution, for the logs
 */
public record RevokeInput(
        String imageId,
        Principals principals,
        List<String> keyArns,
        List<String> snapshotIds,
        Boolean dryRun,
        AccessBaseline keep,
        String executionId) {

    public RevokeInput {
        principals = principals == null ? Principals.NONE : principals;
        keyArns = keyArns == null ? List.of() : List.copyOf(keyArns);
        snapshotIds = snapshotIds == null ? List.of() : List.copyOf(snapshotIds);
        dryRun = Boolean.TRUE.equals(dryRun);
        keep = keep == null ? AccessBaseline.NONE : keep;
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation()
                .matches(imageId, IdKind.IMAGE_ID, "imageId")
                .each(keyArns, IdKind.KMS_KEY_ARN, "keyArns")
                .each(snapshotIds, IdKind.SNAPSHOT_ID, "snapshotIds");
        principals.checkInto(v, "principals").throwIfInvalid();
    }
}
