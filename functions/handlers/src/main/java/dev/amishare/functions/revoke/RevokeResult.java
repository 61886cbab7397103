package dev.amishare.functions.revoke;

import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.snapshots.SnapshotPermissionChange;
import java.util.List;

/**
 * What revoking changed.
 *
 * @param imageId the owner's AMI
 * @param launchPermissionsRemoved principals (account ids, organization or OU ARNs) whose launch permission was removed
 * @param launchPermissionsAbsent principals that had no launch permission
 * @param keys per key, the principals removed from amishare's statements
 * @param snapshots per snapshot, the accounts whose create-volume permission was removed
 * @param dryRun true when nothing was changed on purpose
 */
public record RevokeResult(
        String imageId,
        List<String> launchPermissionsRemoved,
        List<String> launchPermissionsAbsent,
        List<KeyPolicyChange> keys,
        List<SnapshotPermissionChange> snapshots,
        boolean dryRun) {

    public RevokeResult {
        launchPermissionsRemoved = List.copyOf(launchPermissionsRemoved);
        launchPermissionsAbsent = List.copyOf(launchPermissionsAbsent);
        keys = List.copyOf(keys);
        snapshots = List.copyOf(snapshots);
    }
}
