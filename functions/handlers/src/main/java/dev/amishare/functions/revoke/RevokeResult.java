package dev.amishare.functions.revoke;

import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.snapshots.SnapshotPermissionChange;
import java.util.List;

/**
 * What revoking changed, as counts per resource.
 *
 * @param imageId the owner's AMI
 * @param launchPermissionsRemoved principals (account ids, organization or OU ARNs) whose launch permission was removed
 * @param launchPermissionsAbsent principals that had no launch permission
 * @param keys per key, how many principals were removed from amishare's statements
 * @param snapshots per snapshot, how many accounts lost create-volume permission
 * @param dryRun true when nothing was changed on purpose
 */
public record RevokeResult(
        String imageId,
        int launchPermissionsRemoved,
        int launchPermissionsAbsent,
        List<KeyPolicyChange> keys,
        List<SnapshotPermissionChange> snapshots,
        boolean dryRun) {

    public RevokeResult {
        keys = List.copyOf(keys);
        snapshots = List.copyOf(snapshots);
    }
}
