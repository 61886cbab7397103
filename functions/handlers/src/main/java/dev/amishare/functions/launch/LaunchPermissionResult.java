package dev.amishare.functions.launch;

import java.util.List;

/**
 * What the stage did to the AMI's launch permissions.
 *
 * @param imageId the AMI
 * @param added principals (account ids, organization or OU ARNs) this call granted, or would grant in a dry run
 * @param alreadyPresent principals that already had launch permission, left as they were
 * @param dryRun true when nothing was changed on purpose
 */
public record LaunchPermissionResult(String imageId, List<String> added, List<String> alreadyPresent, boolean dryRun) {

    public LaunchPermissionResult {
        added = List.copyOf(added);
        alreadyPresent = List.copyOf(alreadyPresent);
    }
}
