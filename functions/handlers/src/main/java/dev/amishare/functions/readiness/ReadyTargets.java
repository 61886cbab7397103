package dev.amishare.functions.readiness;

import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.TargetSet;

/**
 * The targets that passed their readiness checks, which the grants and the per-target Map take.
 *
 * @param ready the ready accounts (in S3) with the request's organizations and OUs, which have no role to
 *     check and are granted as asked
 * @param readyCount how many accounts are ready
 * @param copyingCount how many of them copy the AMI
 * @param notReadyCount how many accounts are not ready and get nothing
 * @param notReady their {@link Readiness}, every reason each, in S3
 * @param anyToGrant whether there is anybody to grant to: a ready account, an organization or an OU
 */
public record ReadyTargets(TargetSet ready, int readyCount, int copyingCount, int notReadyCount,
        S3Location notReady, boolean anyToGrant) {
}
