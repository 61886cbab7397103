package dev.amishare.functions.keypolicy;

import java.util.List;

/**
 * What the stage did to one key's policy. Principals are account ids, organization ids ({@code o-…})
 * and OU paths ({@code o-…/*}{@code /ou-…/*}).
 *
 * @param keyArn the key
 * @param policyChanged whether the policy was written (or would be, in a dry run)
 * @param added principals granted by this call (grant only)
 * @param alreadyPresent principals amishare's statements already held (grant only)
 * @param removed principals revoked by this call (revoke only)
 * @param absent principals amishare's statements did not hold (revoke only)
 * @param policyBytes size of the resulting policy, against the 32768-byte limit
 */
public record KeyPolicyChange(
        String keyArn,
        boolean policyChanged,
        List<String> added,
        List<String> alreadyPresent,
        List<String> removed,
        List<String> absent,
        int policyBytes) {

    public KeyPolicyChange {
        added = List.copyOf(added);
        alreadyPresent = List.copyOf(alreadyPresent);
        removed = List.copyOf(removed);
        absent = List.copyOf(absent);
    }
}
