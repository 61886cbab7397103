package dev.amishare.functions.revoke;

import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyResult;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.snapshots.SnapshotPermissionInput;
import dev.amishare.functions.snapshots.SnapshotPermissionResult;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/**
 * Takes a share back from the given targets, undoing the grant stages in reverse order: snapshot
 * permissions, then amishare's key-policy statements, then launch permission. Each part reads first and
 * removes only what is there, so revoking twice changes nothing the second time. Copies the targets
 * already made are theirs and stay.
 */
public final class RevokeService {

    private static final Logger LOG = LogManager.getLogger(RevokeService.class);

    private final Ec2Client ec2;
    private final SnapshotPermissionService snapshots;
    private final KeyPolicyService keys;

    public RevokeService(Ec2Client ec2, SnapshotPermissionService snapshots, KeyPolicyService keys) {
        this.ec2 = ec2;
        this.snapshots = snapshots;
        this.keys = keys;
    }

    public RevokeResult revoke(RevokeInput input) {
        input.validate();
        boolean dryRun = input.dryRun();
        SnapshotPermissionResult snapshotResult = snapshots.revoke(
                new SnapshotPermissionInput(input.snapshotIds(), input.accountIds(), dryRun, input.executionId()));
        KeyPolicyResult keyResult = keys.revoke(new KeyPolicyInput(input.keyArns(), input.accountIds(),
                input.organizationArns(), input.organizationalUnitArns(), dryRun, input.executionId()));

        Set<String> present = launchPrincipals(input.imageId());
        List<LaunchPermission> toRemove = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        for (String account : input.accountIds()) {
            classify(account, LaunchPermission.builder().userId(account).build(), present, toRemove, removed, absent);
        }
        for (String org : input.organizationArns()) {
            classify(org, LaunchPermission.builder().organizationArn(org).build(), present, toRemove, removed, absent);
        }
        for (String ou : input.organizationalUnitArns()) {
            classify(ou, LaunchPermission.builder().organizationalUnitArn(ou).build(), present, toRemove, removed,
                    absent);
        }
        if (!toRemove.isEmpty() && !dryRun) {
            try {
                ec2.modifyImageAttribute(r -> r.imageId(input.imageId()).launchPermission(p -> p.remove(toRemove)));
            } catch (AwsServiceException e) {
                throw translate("ec2:ModifyImageAttribute", input.imageId(), e);
            }
        }
        if (!removed.isEmpty()) {
            LOG.info("{} launch permission of {}", dryRun ? "would remove" : "removed", removed);
        }
        if (!absent.isEmpty()) {
            LOG.info("no launch permission to remove for {}", absent);
        }
        return new RevokeResult(input.imageId(), removed, absent, keyResult.keys(), snapshotResult.snapshots(),
                dryRun);
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

    private Set<String> launchPrincipals(String imageId) {
        List<LaunchPermission> permissions;
        try {
            permissions = ec2.describeImageAttribute(r -> r.imageId(imageId)
                    .attribute(ImageAttributeName.LAUNCH_PERMISSION)).launchPermissions();
        } catch (AwsServiceException e) {
            throw translate("ec2:DescribeImageAttribute", imageId, e);
        }
        Set<String> principals = new HashSet<>();
        for (LaunchPermission p : permissions) {
            for (String id : new String[] {p.userId(), p.organizationArn(), p.organizationalUnitArn()}) {
                if (id != null) {
                    principals.add(id);
                }
            }
        }
        return principals;
    }

    private RuntimeException translate(String action, String imageId, AwsServiceException e) {
        if (AwsErrors.code(e).startsWith("InvalidAMIID.")) {
            return new ImageNotFoundException(imageId, ec2.serviceClientConfiguration().region().id(), e);
        }
        return AwsErrors.common(action, e);
    }
}
