package dev.amishare.functions.revoke;

import dev.amishare.functions.launch.LaunchPermissions;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.launch.GrantLaunchPermissionService;
import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.snapshots.SnapshotPermissionChange;
import dev.amishare.functions.snapshots.SnapshotPermissionInput;
import dev.amishare.functions.snapshots.SnapshotPermissionResult;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import java.util.ArrayList;
import java.util.HashSet;
import dev.amishare.functions.model.Principals;
import java.util.List;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/**
 * Takes a share back from the given targets, undoing the grant stages in reverse order: snapshot
 * permissions, then amishare's key-policy statements, then launch permission. Each part reads first and
 * removes only what is there, so revoking twice changes nothing the second time. Access named in the
 * input's {@code keep} (what the targets had before the execution) is left in place, resource by
 * resource. Copies the targets already made are theirs and stay. A principal keeps the key while the share
 * ledger holds another AMI's grant of it (see {@link KeyPolicyService}).
 */
public record RevokeService(Ec2Client ec2, SnapshotPermissionService snapshots, KeyPolicyService keys,
        PerimeterGuard perimeter, ShareStore store) {

    private static final Logger LOG = LogManager.getLogger(RevokeService.class);


    public RevokeResult revoke(RevokeInput input) {
        input.validate();
        Principals principals = input.principals().plus(store.principals(input.targets(), false));
        perimeter.check(principals);
        boolean dryRun = input.dryRun();
        AccessBaseline keep = input.keepAt() == null ? input.keep() : store.get(input.keepAt(), AccessBaseline.class);
        input = new RevokeInput(input.imageId(), principals, null, input.keyArns(), input.snapshotIds(), dryRun, keep,
                null, input.executionId());
        SnapshotPermissionResult snapshotResult = revokeSnapshots(input, keep);
        List<KeyPolicyChange> keyChanges = revokeKeys(input, keep);

        Set<String> present = LaunchPermissions.principals(ec2, input.imageId());
        Set<String> kept = new HashSet<>(keep.launchPermission());
        List<LaunchPermission> toRemove = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        for (String account : without(input.principals().accountIds(), kept)) {
            classify(account, LaunchPermission.builder().userId(account).build(), present, toRemove, removed, absent);
        }
        for (String org : without(input.principals().organizationArns(), kept)) {
            classify(org, LaunchPermission.builder().organizationArn(org).build(), present, toRemove, removed, absent);
        }
        for (String ou : without(input.principals().organizationalUnitArns(), kept)) {
            classify(ou, LaunchPermission.builder().organizationalUnitArn(ou).build(), present, toRemove, removed,
                    absent);
        }
        String imageId = input.imageId();
        if (!dryRun) {
            for (int from = 0; from < toRemove.size(); from += GrantLaunchPermissionService.MAX_PER_CALL) {
                List<LaunchPermission> chunk = toRemove.subList(from,
                        Math.min(from + GrantLaunchPermissionService.MAX_PER_CALL, toRemove.size()));
                try {
                    ec2.modifyImageAttribute(r -> r.imageId(imageId).launchPermission(p -> p.remove(chunk)));
                } catch (AwsServiceException e) {
                    throw LaunchPermissions.translate(ec2, "ec2:ModifyImageAttribute", imageId, e);
                }
            }
        }
        LOG.info("{} launch permission on {} of {} principals; {} had none; {} kept (held before this execution)",
                dryRun ? "would remove" : "removed", imageId, removed.size(), absent.size(),
                keep.launchPermission().size());
        return new RevokeResult(imageId, removed.size(), absent.size(), keyChanges, snapshotResult.snapshots(), dryRun);
    }

    /**
     * Create-volume permissions, snapshot by snapshot when there is something to keep: the accounts to keep
     * differ per snapshot. A snapshot whose every account is kept is not touched.
     */
    private SnapshotPermissionResult revokeSnapshots(RevokeInput input, AccessBaseline keep) {
        boolean dryRun = input.dryRun();
        if (keep.snapshots().isEmpty()) {
            return snapshots.revoke(
                    new SnapshotPermissionInput(input.snapshotIds(), input.principals().accountIds(), dryRun, input.executionId()));
        }
        List<SnapshotPermissionChange> changes = new ArrayList<>();
        for (String snapshotId : input.snapshotIds()) {
            List<String> accounts = without(input.principals().accountIds(), new HashSet<>(keep.snapshot(snapshotId)));
            if (!keep.snapshot(snapshotId).isEmpty()) {
                LOG.info("create-volume permission on {} kept for {} accounts: held before this execution",
                        snapshotId, keep.snapshot(snapshotId).size());
            }
            if (!accounts.isEmpty()) {
                changes.addAll(snapshots.revoke(new SnapshotPermissionInput(List.of(snapshotId), accounts, dryRun,
                        input.executionId())).snapshots());
            }
        }
        return new SnapshotPermissionResult(changes, dryRun);
    }

    /**
     * amishare's key-policy statements, key by key when there is something to keep. A key whose every
     * principal is kept is not read and not listed.
     */
    private List<KeyPolicyChange> revokeKeys(RevokeInput input, AccessBaseline keep) {
        boolean dryRun = input.dryRun();
        if (keep.keys().isEmpty()) {
            return keys.revoke(new KeyPolicyInput(input.keyArns(), input.principals(), null, dryRun,
                    input.executionId(), input.imageId())).keys();
        }
        List<KeyPolicyChange> changes = new ArrayList<>();
        for (String keyArn : input.keyArns()) {
            Set<String> kept = new HashSet<>(keep.key(keyArn));
            if (!kept.isEmpty()) {
                LOG.info("key policy of {} kept for {} principals: held before this execution", keyArn, kept.size());
            }
            Principals remaining = input.principals().without(kept);
            if (!remaining.isEmpty()) {
                changes.addAll(keys.revoke(new KeyPolicyInput(List.of(keyArn), remaining, null, dryRun,
                        input.executionId(), input.imageId())).keys());
            }
        }
        return changes;
    }

    private static List<String> without(List<String> principals, Set<String> kept) {
        return principals.stream().filter(p -> !kept.contains(p)).toList();
    }

    private static void classify(String principal, LaunchPermission permission, Set<String> present,
            List<LaunchPermission> toRemove, List<String> removed, List<String> absent) {
        if (present.contains(principal)) {
            toRemove.add(permission);
            removed.add(principal);
        } else {
            absent.add(principal);
        }
    }

}
