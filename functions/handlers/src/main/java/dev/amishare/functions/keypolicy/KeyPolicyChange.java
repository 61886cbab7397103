package dev.amishare.functions.keypolicy;


/**
 * What the stage did to one key's policy, as counts: the state stays the same size for any number of
 * targets. Principals are account ids, organization ids ({@code o-…}) and OU paths.
 *
 * @param keyArn the key
 * @param policyChanged whether the policy was written (or would be, in a dry run)
 * @param added principals granted by this call (grant only)
 * @param alreadyPresent principals amishare's statements already held (grant only)
 * @param removed principals revoked by this call (revoke only)
 * @param absent principals amishare's statements did not hold (revoke only)
 * @param policyBytes size of the resulting policy, against the 32768-byte limit
 * @param verified whether the policy read back after the write holds every principal granted (grant), or
 *     none of those revoked (revoke); true without a write when nothing had to change
 */
public record KeyPolicyChange(
        String keyArn,
        boolean policyChanged,
        int added,
        int alreadyPresent,
        int removed,
        int absent,
        int policyBytes,
        boolean verified) {
}
