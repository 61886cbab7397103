package dev.amishare.functions.snapshots;

import java.util.List;

/**
 * What the stage did, snapshot by snapshot.
 *
 * @param snapshots one entry per snapshot, in input order
 * @param dryRun true when nothing was changed on purpose
 */
public record SnapshotPermissionResult(List<SnapshotPermissionChange> snapshots, boolean dryRun) {

    public SnapshotPermissionResult {
        snapshots = List.copyOf(snapshots);
    }
}
