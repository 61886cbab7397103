package dev.amishare.functions.revoke;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.TargetSet;
import java.util.List;

/**
 * Whom to take the share back from, and what the share consisted of (from {@code PreparedShare}).
 *
 * @param imageId the owner's AMI
 * @param principals the accounts, organizations and OUs to revoke, named inline
 * @param targets the same, with the accounts in S3 (how the workflow's rollback passes them); both are used
 * @param keyArns the AMI's customer-managed keys ({@code customerManagedKeyArns})
 * @param snapshotIds the AMI's snapshots ({@code snapshots[*].snapshotId})
 * @param dryRun report what would change, change nothing
 * @param keep access to leave in place, per resource: what the targets had before the execution
 *     as Prepare read it; an operator revoking by hand usually passes none
 * @param keepAt the same, as the {@code AccessBaseline} Prepare wrote to S3 ({@code PreparedShare.baseline}),
 *     which is how the workflow's rollback passes it
 * @param executionId the workflow execution, for the logs
 * @param shareId the share whose grants these are (rollback passes its own execution's name): only that
 *     share's ledger grants end, and a principal loses access only when no other share's grant remains
 * @param unshare an unshare of a whole share, whose image, principals, keys and snapshots come from the ledger;
 *     then every other field but {@code executionId} and {@code requestedBy} must be left out
 * @param requestedBy who asked for the unshare, for the ledger
 */
public record RevokeInput(
        String imageId,
        Principals principals,
        TargetSet targets,
        List<String> keyArns,
        List<String> snapshotIds,
        Boolean dryRun,
        AccessBaseline keep,
        S3Location keepAt,
        String executionId,
        String shareId,
        UnshareRequest unshare,
        String requestedBy) {

    public RevokeInput {
        principals = principals == null ? Principals.NONE : principals;
        targets = targets == null ? TargetSet.NONE : targets;
        keyArns = keyArns == null ? List.of() : List.copyOf(keyArns);
        snapshotIds = snapshotIds == null ? List.of() : List.copyOf(snapshotIds);
        dryRun = Boolean.TRUE.equals(dryRun);
        keep = keep == null ? AccessBaseline.NONE : keep;
    }

    /**
     * Why {@code deregisterCopies: true} is refused: deregistering the targets' copies is not built, and an
     * unshare that silently left them would say it did what it did not.
     */
    public static final String DEREGISTER_NOT_BUILT = "deregisterCopies: deregistering the copies in the targets "
            + "is not supported; unshare takes back the owner's grants and the copies stay the targets'";

    /** A revoke that names no share: every share's grant of these principals on the image ends. */
    public RevokeInput(String imageId, Principals principals, TargetSet targets, List<String> keyArns,
            List<String> snapshotIds, Boolean dryRun, AccessBaseline keep, S3Location keepAt, String executionId) {
        this(imageId, principals, targets, keyArns, snapshotIds, dryRun, keep, keepAt, executionId, null, null, null);
    }

    /**
     * Checks an unshare: a well-formed share id and no other field that would say what to revoke (the ledger
     * says it); raises one error naming each problem; makes no AWS call.
     */
    public void validateUnshare() {
        Validation v = new Validation()
                .require(unshare.shareId() != null && unshare.shareId().matches("[A-Za-z0-9_-]{1,80}"),
                        "unshare.shareId: expected the id of a share (1 to 80 letters, digits, '-' or '_')")
                .require(imageId == null, "imageId: not allowed with unshare (the share's record names it)")
                .require(principals.isEmpty() && targets.equals(TargetSet.NONE),
                        "principals, targets: not allowed with unshare (the share's grants name them)")
                .require(keyArns.isEmpty() && snapshotIds.isEmpty(),
                        "keyArns, snapshotIds: not allowed with unshare (the share's record names them)")
                .require(shareId == null, "shareId: not allowed with unshare (unshare.shareId names the share)")
                .require(!dryRun, "dryRun: not supported with unshare")
                .require(!unshare.deregisterCopies(), DEREGISTER_NOT_BUILT);
        v.throwIfInvalid();
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation()
                .matches(imageId, IdKind.IMAGE_ID, "imageId")
                .each(keyArns, IdKind.KMS_KEY_ARN, "keyArns")
                .each(snapshotIds, IdKind.SNAPSHOT_ID, "snapshotIds");
        targets.checkInto(v, principals, "principals").throwIfInvalid();
    }
}
