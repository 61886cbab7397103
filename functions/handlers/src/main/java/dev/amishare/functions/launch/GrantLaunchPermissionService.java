package dev.amishare.functions.launch;

import java.util.ArrayList;
import dev.amishare.functions.common.PerimeterGuard;
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
 */
public record GrantLaunchPermissionService(Ec2Client ec2, PerimeterGuard perimeter) {

    private static final Logger LOG = LogManager.getLogger(GrantLaunchPermissionService.class);


    public LaunchPermissionResult grant(GrantLaunchPermissionInput input) {
        input.validate();
        perimeter.check(input.principals());
        String imageId = input.imageId();
        Set<String> present = LaunchPermissions.principals(ec2, imageId);

        List<LaunchPermission> toAdd = new ArrayList<>();
        List<String> added = new ArrayList<>();
        List<String> alreadyPresent = new ArrayList<>();
        for (String account : input.principals().accountIds()) {
            classify(account, LaunchPermission.builder().userId(account).build(), present, toAdd, added, alreadyPresent);
        }
        for (String org : input.principals().organizationArns()) {
            classify(org, LaunchPermission.builder().organizationArn(org).build(), present, toAdd, added, alreadyPresent);
        }
        for (String ou : input.principals().organizationalUnitArns()) {
            classify(ou, LaunchPermission.builder().organizationalUnitArn(ou).build(), present, toAdd, added,
                    alreadyPresent);
        }

        if (!toAdd.isEmpty() && !input.dryRun()) {
            try {
                ec2.modifyImageAttribute(r -> r.imageId(imageId).launchPermission(p -> p.add(toAdd)));
            } catch (AwsServiceException e) {
                throw LaunchPermissions.translate(ec2, "ec2:ModifyImageAttribute", imageId, e);
            }
        }
        for (String principal : added) {
            LOG.info("{} launch permission for {}", input.dryRun() ? "would grant" : "granted", principal);
        }
        for (String principal : alreadyPresent) {
            LOG.info("launch permission already present for {}", principal);
        }
        return new LaunchPermissionResult(imageId, added, alreadyPresent, input.dryRun());
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
