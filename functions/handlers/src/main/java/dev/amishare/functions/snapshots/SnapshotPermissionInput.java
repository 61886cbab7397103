package dev.amishare.functions.snapshots;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.model.TargetSet;
import java.util.List;

/**
 * What the snapshot stage (and the snapshot part of revoke) needs.
 *
 * @param snapshotIds the AMI's snapshots ({@code PreparedShare.snapshots[*].snapshotId})
 * @param accountIds the targets that copy the AMI ({@code PreparedShare.copyingAccountIds}); launching
 *     alone does not need the snapshots shared, so an empty list is a valid no-op
 * @param targets the same, as the workflow passes them: the ready targets in S3, of which those that copy
 * @param dryRun report what would change, change nothing
 * @param executionId the workflow execution this call belongs to, for the logs
 */
public record SnapshotPermissionInput(List<String> snapshotIds, List<String> accountIds, TargetSet targets,
        Boolean dryRun, String executionId) {

    /** Accounts named inline, as revoke and operators pass them. */
    public SnapshotPermissionInput(List<String> snapshotIds, List<String> accountIds, Boolean dryRun,
            String executionId) {
        this(snapshotIds, accountIds, null, dryRun, executionId);
    }

    public SnapshotPermissionInput {
        snapshotIds = snapshotIds == null ? List.of() : List.copyOf(snapshotIds);
        accountIds = accountIds == null ? List.of() : List.copyOf(accountIds);
        targets = targets == null ? TargetSet.NONE : targets;
        dryRun = Boolean.TRUE.equals(dryRun);
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        new Validation()
                .each(snapshotIds, Validation.IdKind.SNAPSHOT_ID, "snapshotIds")
                .each(accountIds, Validation.IdKind.ACCOUNT_ID, "accountIds")
                .throwIfInvalid();
    }
}
