package dev.amishare.functions.launch;


/**
 * What the stage did to the AMI's launch permissions, as counts: the state stays the same size for any
 * number of targets.
 *
 * @param imageId the AMI
 * @param added principals (account ids, organization or OU ARNs) this call granted, or would grant in a dry run
 * @param alreadyPresent principals that already had launch permission, left as they were
 * @param calls ModifyImageAttribute calls made
 * @param dryRun true when nothing was changed on purpose
 */
public record LaunchPermissionResult(String imageId, int added, int alreadyPresent, int calls, boolean dryRun) {
}
