package dev.amishare.functions.launch;

import java.util.ArrayList;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.ledger.Grant;
import dev.amishare.functions.ledger.ShareLedger;
import dev.amishare.functions.model.Principals;
import java.util.List;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/**
 * Grants launch permission on the owner's AMI. Reads the current permissions first, so a principal
 * that already has access is reported as such and a second run makes no change and no write call.
 * The missing ones are added in as few ModifyImageAttribute calls as {@link #MAX_PER_CALL} allows.
 * Every principal's grant, present before or not, is recorded in the share ledger first (one item per
 * principal and share, {@link Grant}): while this share holds it, a revoke of another share leaves the
 * principal its launch permission.
 */
public record GrantLaunchPermissionService(Ec2Client ec2, PerimeterGuard perimeter, ShareStore store,
        ShareLedger ledger) {

    /**
     * Principals per ModifyImageAttribute call. The API reference states no limit per call; an AMI can be
     * shared with 1,000 entities per region by default (AWSEC2 UserGuide "ami-quotas"). amishare adds at
     * most 500 per call, the limit ModifySnapshotAttribute documents for the same kind of list, so that
     * 1,000 targets take two calls and no request comes near EC2's request size limit.
     */
    public static final int MAX_PER_CALL = 500;

    private static final Logger LOG = LogManager.getLogger(GrantLaunchPermissionService.class);


    public LaunchPermissionResult grant(GrantLaunchPermissionInput input) {
        input.validate();
        Principals principals = input.principals().plus(store.principals(input.targets(), false));
        // Checked again here: this function changes launch permissions, whoever invokes it.
        perimeter.check(principals);
        String imageId = input.imageId();
        Set<String> present = LaunchPermissions.principals(ec2, imageId);

        List<LaunchPermission> toAdd = new ArrayList<>();
        List<String> added = new ArrayList<>();
        List<String> alreadyPresent = new ArrayList<>();
        for (String account : principals.accountIds()) {
            classify(account, LaunchPermission.builder().userId(account).build(), present, toAdd, added, alreadyPresent);
        }
        for (String org : principals.organizationArns()) {
            classify(org, LaunchPermission.builder().organizationArn(org).build(), present, toAdd, added, alreadyPresent);
        }
        for (String ou : principals.organizationalUnitArns()) {
            classify(ou, LaunchPermission.builder().organizationalUnitArn(ou).build(), present, toAdd, added,
                    alreadyPresent);
        }

        int calls = 0;
        if (!input.dryRun() && input.executionId() != null) {
            // Before the change: a revoke that reads the ledger after this write must find the grant.
            ledger.record(ledger.grantsOf(Grant.Kind.LAUNCH, imageId, principals.all(), imageId,
                    input.executionId(), input.executionId(), ledger.requester(input.executionId())));
        }
        if (!input.dryRun()) {
            for (int from = 0; from < toAdd.size(); from += MAX_PER_CALL) {
                List<LaunchPermission> chunk = toAdd.subList(from, Math.min(from + MAX_PER_CALL, toAdd.size()));
                try {
                    ec2.modifyImageAttribute(r -> r.imageId(imageId).launchPermission(p -> p.add(chunk)));
                } catch (AwsServiceException e) {
                    throw LaunchPermissions.translate(ec2, "ec2:ModifyImageAttribute", imageId, e);
                }
                calls++;
            }
        }
        LOG.info("{} launch permission on {} for {} principals in {} calls; already present for {}",
                input.dryRun() ? "would grant" : "granted", imageId, added.size(), calls, alreadyPresent.size());
        return new LaunchPermissionResult(imageId, added.size(), alreadyPresent.size(), calls, input.dryRun());
    }

    private static void classify(String principal, LaunchPermission permission, Set<String> present,
            List<LaunchPermission> toAdd, List<String> added, List<String> alreadyPresent) {
        if (present.contains(principal)) {
            alreadyPresent.add(principal);
        } else {
            toAdd.add(permission);
            added.add(principal);
        }
    }

}
