package dev.amishare.functions.snapshots;


/**
 * What the stage did to one snapshot's create-volume permissions, as counts.
 *
 * @param snapshotId the snapshot
 * @param added accounts granted by this call (grant only)
 * @param alreadyPresent accounts that already had permission (grant only)
 * @param removed accounts whose permission this call removed (revoke only)
 * @param absent accounts that had no permission to remove (revoke only)
 * @param calls ModifySnapshotAttribute calls made (at most 500 changes each)
 */
public record SnapshotPermissionChange(String snapshotId, int added, int alreadyPresent, int removed, int absent,
        int calls) {
}
