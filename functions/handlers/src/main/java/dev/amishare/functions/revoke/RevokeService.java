package dev.amishare.functions.revoke;

import dev.amishare.errors.ShareNotFoundException;
import dev.amishare.errors.ShareStillRunningException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.launch.GrantLaunchPermissionService;
import dev.amishare.functions.launch.LaunchPermissions;
import dev.amishare.functions.ledger.GrantScope;
import dev.amishare.functions.ledger.ShareLedger;
import dev.amishare.functions.ledger.ShareRecord;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.snapshots.SnapshotPermissionChange;
import dev.amishare.functions.snapshots.SnapshotPermissionInput;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/**
 * Takes a share back, by reference: snapshot permissions, then amishare's key-policy statements, then launch
 * permission. On each resource a principal loses access only when the share ledger holds no grant of it
 * outside the revoke's scope ({@link GrantScope}: the share named, as rollback and unshare name theirs; else
 * the image), and not when the input's {@code keep} says it held the access before the execution (rollback's
 * baseline, for access nobody recorded). The access is removed first and the scope's grant items deleted
 * after, so a revoke that fails part-way finds them again on its retry; reading twice changes nothing the
 * second time.
 *
 * <h2>Without a lock on launch and snapshot permissions</h2>
 * Those are add/remove deltas, so a grant and a revoke never overwrite each other's other principals; the one
 * race is a grant of the same principal by another share between this revoke's read of the ledger and its
 * removal. Grants write their ledger item before they add, so after removing, the revoke reads the ledger
 * again and adds back every principal that gained a grant in the meantime: either the grant's add comes after
 * the removal, or its item is seen by the second read. Key policies are edited under the key's lease instead
 * ({@link KeyPolicyService}).
 *
 * <h2>Unshare</h2>
 * An {@link UnshareRequest} names only the share: its image, keys and snapshots come from its record in the
 * ledger and its principals from its grant items, so it takes back exactly what that share granted, and no
 * principal another share still holds. The perimeter is not asked about those principals: taking access away
 * from an account that has left the perimeter must stay possible, and nothing is granted.
 */
public record RevokeService(Ec2Client ec2, SnapshotPermissionService snapshots, KeyPolicyService keys,
        PerimeterGuard perimeter, ShareStore store, ShareLedger ledger) {

    private static final Logger LOG = LogManager.getLogger(RevokeService.class);

    public RevokeResult revoke(RevokeInput input) {
        if (input.unshare() != null) {
            return unshare(input);
        }
        input.validate();
        Principals principals = input.principals().plus(store.principals(input.targets(), false));
        perimeter.check(principals);
        RevokeResult result = takeBack(input, principals);
        if (input.shareId() != null && !input.dryRun()) {
            // Only a share that never reached its report is rolled back whole; after the report, a revoke of
            // the failed targets leaves the share as the report recorded it.
            ledger.moveShare(input.shareId(), EnumSet.of(ShareRecord.State.RUNNING), ShareRecord.State.ROLLED_BACK,
                    null);
        }
        return result;
    }

    private RevokeResult unshare(RevokeInput input) {
        UnshareRequest request = input.unshare();
        input.validateUnshare();
        ShareRecord share = ledger.share(request.shareId())
                .orElseThrow(() -> new ShareNotFoundException(request.shareId()));
        if (share.state() == ShareRecord.State.RUNNING) {
            throw new ShareStillRunningException(share.shareId(), share.executionArn());
        }
        if (share.state() == ShareRecord.State.UNSHARED || share.state() == ShareRecord.State.ROLLED_BACK) {
            LOG.info("share {} of {} is {}: nothing to take back", share.shareId(), share.imageId(), share.state());
            return new RevokeResult(share.imageId(), 0, 0, List.of(), List.of(), false);
        }
        ledger.moveShare(share.shareId(), EnumSet.of(ShareRecord.State.SHARED, ShareRecord.State.FAILED),
                ShareRecord.State.UNSHARING, null);
        Set<String> granted = new TreeSet<>();
        for (String resource : resources(share)) {
            ledger.grants(resource).stream().filter(g -> g.shareId().equals(share.shareId()))
                    .forEach(g -> granted.add(g.principal()));
        }
        LOG.info("unsharing {} of {}: {} principals hold its grants", share.shareId(), share.imageId(),
                granted.size());
        RevokeResult result = takeBack(new RevokeInput(share.imageId(), null, null, share.keyArns(),
                share.snapshotIds(), false, AccessBaseline.NONE, null, input.executionId(), share.shareId(), null,
                input.requestedBy()), Principals.of(granted));
        ledger.moveShare(share.shareId(), EnumSet.of(ShareRecord.State.UNSHARING), ShareRecord.State.UNSHARED, null);
        return result;
    }

    private static List<String> resources(ShareRecord share) {
        List<String> resources = new ArrayList<>();
        resources.add(share.imageId());
        resources.addAll(share.snapshotIds());
        resources.addAll(share.keyArns());
        return resources;
    }

    private RevokeResult takeBack(RevokeInput input, Principals principals) {
        boolean dryRun = input.dryRun();
        AccessBaseline keep = input.keepAt() == null ? input.keep() : store.get(input.keepAt(), AccessBaseline.class);
        GrantScope scope = new GrantScope(input.shareId(), input.imageId());

        List<SnapshotPermissionChange> snapshotChanges = new ArrayList<>();
        for (String snapshotId : input.snapshotIds()) {
            snapshotChanges.addAll(byReference(snapshotId, principals.accountIds(), keep.snapshot(snapshotId), scope,
                    dryRun,
                    remove -> snapshots.revoke(new SnapshotPermissionInput(List.of(snapshotId), List.copyOf(remove),
                            dryRun, input.executionId())).snapshots(),
                    restore -> addSnapshot(snapshotId, restore)));
        }

        List<KeyPolicyChange> keyChanges = new ArrayList<>();
        for (String keyArn : input.keyArns()) {
            Set<String> held = new HashSet<>(keep.key(keyArn));
            Principals remaining = principals.without(held);
            if (!remaining.isEmpty()) {
                KeyPolicyInput keyInput = new KeyPolicyInput(List.of(keyArn), remaining, null, dryRun,
                        input.executionId(), input.imageId(), input.shareId());
                keyChanges.addAll(keys.revoke(keyInput).keys());
            }
            List<String> heldAsked = principals.all().stream().filter(held::contains).toList();
            if (!dryRun && !heldAsked.isEmpty()) {
                // Access held before this execution stays in the policy, but this share's grants of it end.
                // Deleting only this share's items needs no lease: at worst a concurrent revoke still sees
                // one and keeps a principal in the policy, never the other way round.
                ledger.forget(ShareLedger.removal(ledger.grants(keyArn), heldAsked, scope).ending());
            }
        }

        String imageId = input.imageId();
        Set<String> present = LaunchPermissions.principals(ec2, imageId);
        List<String> asked = principals.all();
        int[] removed = {0};
        byReference(imageId, asked, keep.launchPermission(), scope, dryRun, remove -> {
            List<String> there = remove.stream().filter(present::contains).toList();
            if (!dryRun) {
                removeLaunch(imageId, there);
            }
            removed[0] = there.size();
            return List.<SnapshotPermissionChange>of();
        }, restore -> addLaunch(imageId, restore));
        int removedCount = removed[0];
        LOG.info("{} launch permission on {} of {} principals; {} kept (held before this execution)",
                dryRun ? "would remove" : "removed", imageId, removedCount, keep.launchPermission().size());
        return new RevokeResult(imageId, removedCount,
                without(asked, keep.launchPermission()).size() - removedCount, keyChanges, snapshotChanges, dryRun);
    }

    /** What removes a set of principals' access to one resource, and what adds some of it back. */
    private interface Change<T> {
        T apply(Set<String> principals);
    }

    /**
     * Removes {@code asked}'s access to {@code resource} except where another share's grant keeps it, deletes
     * the scope's grant items, then gives back the access of any principal the ledger shows granted again in
     * the meantime.
     */
    private <T> List<T> byReference(String resource, List<String> asked, List<String> heldBefore, GrantScope scope,
            boolean dryRun, Change<List<T>> remove, Change<Void> restore) {
        ShareLedger.Removal removal = ShareLedger.removal(ledger.grants(resource), asked, scope);
        if (!removal.kept().isEmpty()) {
            LOG.info("{} keeps {} principals: the ledger holds another share's grant to them", resource,
                    removal.kept().size());
        }
        // Access held before the execution stays, but the scope's grant items of it end all the same.
        Set<String> toRemove = new TreeSet<>(removal.remove());
        toRemove.removeAll(heldBefore);
        // The remover itself changes nothing on a dry run; neither does the ledger then.
        List<T> changes = toRemove.isEmpty() ? List.of() : remove.apply(toRemove);
        if (dryRun) {
            return changes;
        }
        ledger.forget(removal.ending());
        Set<String> regranted = ledger.granted(resource, toRemove);
        if (!regranted.isEmpty()) {
            LOG.info("{} gave back to {} principals: another share granted them while they were removed",
                    resource, regranted.size());
            restore.apply(regranted);
        }
        return changes;
    }

    private void removeLaunch(String imageId, List<String> principals) {
        modifyLaunch(imageId, principals, false);
    }

    private Void addLaunch(String imageId, Set<String> principals) {
        modifyLaunch(imageId, List.copyOf(principals), true);
        return null;
    }

    private void modifyLaunch(String imageId, List<String> principals, boolean add) {
        List<LaunchPermission> permissions = principals.stream().map(RevokeService::launchPermission).toList();
        for (int from = 0; from < permissions.size(); from += GrantLaunchPermissionService.MAX_PER_CALL) {
            List<LaunchPermission> chunk = permissions.subList(from,
                    Math.min(from + GrantLaunchPermissionService.MAX_PER_CALL, permissions.size()));
            try {
                ec2.modifyImageAttribute(r -> r.imageId(imageId).launchPermission(p -> {
                    if (add) {
                        p.add(chunk);
                    } else {
                        p.remove(chunk);
                    }
                }));
            } catch (AwsServiceException e) {
                throw LaunchPermissions.translate(ec2, "ec2:ModifyImageAttribute", imageId, e);
            }
        }
    }

    private static LaunchPermission launchPermission(String principal) {
        Principals p = Principals.of(List.of(principal));
        LaunchPermission.Builder b = LaunchPermission.builder();
        if (!p.organizationalUnitArns().isEmpty()) {
            return b.organizationalUnitArn(principal).build();
        }
        if (!p.organizationArns().isEmpty()) {
            return b.organizationArn(principal).build();
        }
        return b.userId(principal).build();
    }

    private Void addSnapshot(String snapshotId, Set<String> accounts) {
        List<CreateVolumePermission> add = accounts.stream()
                .map(a -> CreateVolumePermission.builder().userId(a).build()).toList();
        try {
            ec2.modifySnapshotAttribute(r -> r.snapshotId(snapshotId).createVolumePermission(m -> m.add(add)));
        } catch (AwsServiceException e) {
            throw AwsErrors.common("ec2:ModifySnapshotAttribute", e);
        }
        return null;
    }

    private static List<String> without(List<String> principals, List<String> kept) {
        Set<String> k = new HashSet<>(kept);
        return principals.stream().filter(p -> !k.contains(p)).toList();
    }
}
