package dev.amishare.functions.keypolicy;

import java.util.List;

/**
 * What the stage did to the keys' policies, key by key.
 *
 * @param keys one entry per key, in input order
 * @param dryRun true when nothing was changed on purpose
 */
public record KeyPolicyResult(List<KeyPolicyChange> keys, boolean dryRun) {

    public KeyPolicyResult {
        keys = List.copyOf(keys);
    }
}
