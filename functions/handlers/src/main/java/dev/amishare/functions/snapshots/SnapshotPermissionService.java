package dev.amishare.functions.snapshots;

import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.ledger.Grant;
import dev.amishare.functions.ledger.ShareLedger;
import dev.amishare.functions.ledger.ShareRecord;
import java.util.Optional;
import dev.amishare.functions.model.Principals;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermissionModifications;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;

/**
 * Shares the AMI's snapshots with the targets that copy it (createVolumePermission), or takes the
 * permission back. Reads the current permissions first, so a re-run reports "already present" and
 * writes nothing. A grant records each account's permission per snapshot in the share ledger before it
 * changes anything ({@link Grant}); a revoke here removes exactly the accounts it is given: what the ledger
 * still needs is decided by its caller ({@code RevokeService}).
 */
public record SnapshotPermissionService(Ec2Client ec2, PerimeterGuard perimeter, ShareStore store,
        ShareLedger ledger) {

    private static final Logger LOG = LogManager.getLogger(SnapshotPermissionService.class);
    // ModifySnapshotAttribute takes at most 500 permission changes per call.
    static final int MAX_CHANGES_PER_CALL = 500;


    public SnapshotPermissionResult grant(SnapshotPermissionInput input) {
        return run(input, true);
    }

    public SnapshotPermissionResult revoke(SnapshotPermissionInput input) {
        return run(input, false);
    }

    private SnapshotPermissionResult run(SnapshotPermissionInput input, boolean grant) {
        input.validate();
        // Launching needs no snapshot permission: of the targets in S3 only those that copy get it.
        List<String> accountIds = Principals.ofAccounts(input.accountIds())
                .plus(store.principals(input.targets(), true)).accountIds();
        perimeter.checkAccounts(accountIds);
        List<SnapshotPermissionChange> changes = new ArrayList<>();
        if (accountIds.isEmpty()) {
            LOG.info("no target copies the AMI: snapshots stay private");
            return new SnapshotPermissionResult(changes, input.dryRun());
        }
        if (grant && !input.dryRun() && input.executionId() != null) {
            // The share's record names its image and who asked, for the grant items.
            Optional<ShareRecord> share = ledger.share(input.executionId());
            List<Grant> grants = new ArrayList<>();
            for (String snapshotId : input.snapshotIds()) {
                grants.addAll(ledger.grantsOf(Grant.Kind.SNAPSHOT, snapshotId, accountIds,
                        share.map(ShareRecord::imageId).orElse(null), input.executionId(), input.executionId(),
                        share.map(ShareRecord::requestedBy).orElse(null)));
            }
            ledger.record(grants);
        }
        for (String snapshotId : input.snapshotIds()) {
            changes.add(edit(snapshotId, accountIds, grant, input.dryRun()));
        }
        return new SnapshotPermissionResult(changes, input.dryRun());
    }

    private SnapshotPermissionChange edit(String snapshotId, List<String> accounts, boolean grant, boolean dryRun) {
        Set<String> present = accounts(ec2, snapshotId);
        List<String> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (String account : accounts) {
            (present.contains(account) == grant ? unchanged : changed).add(account);
        }
        int calls = 0;
        if (!dryRun) {
            for (int from = 0; from < changed.size(); from += MAX_CHANGES_PER_CALL) {
                List<CreateVolumePermission> chunk = changed.subList(from, Math.min(from + MAX_CHANGES_PER_CALL,
                        changed.size())).stream().map(a -> CreateVolumePermission.builder().userId(a).build()).toList();
                CreateVolumePermissionModifications.Builder mods = CreateVolumePermissionModifications.builder();
                if (grant) {
                    mods.add(chunk);
                } else {
                    mods.remove(chunk);
                }
                try {
                    ec2.modifySnapshotAttribute(r -> r.snapshotId(snapshotId).createVolumePermission(mods.build()));
                    calls++;
                } catch (AwsServiceException e) {
                    throw AwsErrors.common("ec2:ModifySnapshotAttribute", e);
                }
            }
        }
        String verb = grant ? "create-volume permission granted" : "create-volume permission removed";
        LOG.info("{}{} on {} for {} accounts in {} calls; already {} for {}", dryRun ? "(dry run) would have " : "",
                verb, snapshotId, changed.size(), calls, grant ? "present" : "absent", unchanged.size());
        return grant
                ? new SnapshotPermissionChange(snapshotId, changed.size(), unchanged.size(), 0, 0, calls)
                : new SnapshotPermissionChange(snapshotId, 0, 0, changed.size(), unchanged.size(), calls);
    }

    /** The accounts a snapshot's createVolumePermission names. */
    public static Set<String> accounts(Ec2Client ec2, String snapshotId) {
        try {
            Set<String> accounts = new HashSet<>();
            ec2.describeSnapshotAttribute(r -> r.snapshotId(snapshotId)
                            .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION))
                    .createVolumePermissions().forEach(p -> {
                        if (p.userId() != null) {
                            accounts.add(p.userId());
                        }
                    });
            return accounts;
        } catch (AwsServiceException e) {
            throw AwsErrors.common("ec2:DescribeSnapshotAttribute", e);
        }
    }
}
