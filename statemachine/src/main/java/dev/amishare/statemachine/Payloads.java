package dev.amishare.statemachine;

import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awscdk.services.stepfunctions.JsonPath;

/**
 * Where every task's payload comes from, in one place. Two scopes: the execution's state after Prepare
 * ({@code $.prepared}, the owner-side stages and the rollback), and one iteration of a Map (the fields
 * its item selector copied in: {@code $.imageId}, {@code $.dryRun}, {@code $.executionId}, …).
 */
final class Payloads {

    private Payloads() {
    }

    /** An ordered payload from key/value pairs; keys ending in {@code .$} are added by JsonPath helpers. */
    static Map<String, Object> of(Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key/value pairs expected");
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            payload.put((String) keyValues[i], keyValues[i + 1]);
        }
        return payload;
    }

    /**
     * The execution's state: {@code $.prepared} (Prepare), {@code $.checks} (the readiness Map's results),
     * {@code $.ready} (the ready targets), the grant stages' results, {@code $.results} (the per-target Map's
     * results) and {@code $.summary} (the report). None of them grows with the number of targets.
     */
    static final class Prepared {
        private Prepared() {
        }

        static String imageId() {
            return JsonPath.stringAt("$.prepared.request.imageId");
        }

        static String sourceRegion() {
            return JsonPath.stringAt("$.prepared.request.sourceRegion");
        }

        static String ownerAccountId() {
            return JsonPath.stringAt("$.prepared.ownerAccountId");
        }

        static String imageName() {
            return JsonPath.stringAt("$.prepared.imageName");
        }

        static String consumerRoleName() {
            return JsonPath.stringAt("$.prepared.request.consumerRoleName");
        }

        /** Every target: accounts in S3, organizations and OUs inline. */
        static Object targets() {
            return JsonPath.objectAt("$.prepared.targets");
        }

        /** The targets that passed their readiness checks, as "Select ready targets" wrote them. */
        static Object readyTargets() {
            return JsonPath.objectAt("$.ready.ready");
        }

        static Object keyArns() {
            return JsonPath.listAt("$.prepared.customerManagedKeyArns");
        }

        static Object snapshotIds() {
            return JsonPath.listAt("$.prepared.snapshots[*].snapshotId");
        }

        static Object baseline() {
            return JsonPath.objectAt("$.prepared.baseline");
        }

        static String dryRun() {
            return JsonPath.stringAt("$.prepared.request.dryRun");
        }

        static String executionId() {
            return JsonPath.stringAt("$.prepared.executionId");
        }

        /** {@code payload} plus the fields every owner-side stage takes: dryRun and executionId. */
        static Map<String, Object> stage(Object... keyValues) {
            Map<String, Object> payload = of(keyValues);
            payload.put("dryRun", dryRun());
            payload.put("executionId", executionId());
            return payload;
        }
    }

    /** Inside a Map iteration: the fields its item selector copied in. */
    static final class Iteration {
        private Iteration() {
        }

        /** The target's account, consumer role and external id, as the target Map built them. */
        static Object targetRole() {
            return JsonPath.objectAt("$.targetRole");
        }

        static String field(String name) {
            return JsonPath.stringAt("$." + name);
        }

        static Object list(String name) {
            return JsonPath.listAt("$." + name);
        }

        static String dryRun() {
            return field("dryRun");
        }

        static String executionId() {
            return field("executionId");
        }

        /** {@code payload} plus the iteration's execution id. */
        static Map<String, Object> withExecutionId(Object... keyValues) {
            Map<String, Object> payload = of(keyValues);
            payload.put("executionId", executionId());
            return payload;
        }
    }
}
