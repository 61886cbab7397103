package dev.amishare.functions.snapshots;

import java.util.List;

/**
 * What the stage did to one snapshot's create-volume permissions.
 *
 * @param snapshotId the snapshot
 * @param added accounts granted by this call (grant only)
 * @param alreadyPresent accounts that already had permission (grant only)
 * @param removed accounts whose permission this call removed (revoke only)
 * @param absent accounts that had no permission to remove (revoke only)
 */
public record SnapshotPermissionChange(String snapshotId, List<String> added, List<String> alreadyPresent,
        List<String> removed, List<String> absent) {

    public SnapshotPermissionChange {
        added = List.copyOf(added);
        alreadyPresent = List.copyOf(alreadyPresent);
        removed = List.copyOf(removed);
        absent = List.copyOf(absent);
    }
}
