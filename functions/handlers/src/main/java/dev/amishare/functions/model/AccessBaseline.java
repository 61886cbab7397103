package dev.amishare.functions.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which of a request's principals already had access before the execution changed anything, as Prepare
 * read it. Rollback passes it to Revoke as {@code keep}, so that undoing a failed share removes only what
 * this execution granted; the grant stages' results cannot tell, because a stage may fail part-way.
 * Principals are written as the request names them: account ids, organization ARNs, OU ARNs.
 *
 * @param launchPermission principals that already had launch permission on the AMI
 * @param keys per customer-managed key ARN, principals amishare's key-policy statements already held
 * @param snapshots per snapshot id, target accounts that already had create-volume permission
 */
public record AccessBaseline(
        List<String> launchPermission,
        Map<String, List<String>> keys,
        Map<String, List<String>> snapshots) {

    public static final AccessBaseline NONE = new AccessBaseline(List.of(), Map.of(), Map.of());

    public AccessBaseline {
        launchPermission = launchPermission == null ? List.of() : List.copyOf(launchPermission);
        keys = copy(keys);
        snapshots = copy(snapshots);
    }

    /** The principals already on key {@code keyArn}; none for a key the baseline does not name. */
    public List<String> key(String keyArn) {
        return keys.getOrDefault(keyArn, List.of());
    }

    /** The accounts already allowed on snapshot {@code snapshotId}; none for one the baseline does not name. */
    public List<String> snapshot(String snapshotId) {
        return snapshots.getOrDefault(snapshotId, List.of());
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> in) {
        // Insertion order is kept so that the JSON follows the AMI's key and snapshot order.
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (in != null) {
            in.forEach((k, v) -> out.put(k, v == null ? List.of() : List.copyOf(v)));
        }
        return Collections.unmodifiableMap(out);
    }
}
