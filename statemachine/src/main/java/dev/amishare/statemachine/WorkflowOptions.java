package dev.amishare.statemachine;

import software.amazon.awscdk.Duration;

/**
 * The workflow's tunables; null takes the default. The defaults live here and nowhere else.
 *
 * @param maxConcurrentTargets targets validated and copied at once (default {@value #DEFAULT_MAX_CONCURRENT_TARGETS};
 *     an inline Map runs at most 40 iterations at once anyway)
 * @param copyRecheckInterval how long a copy may be silent before its state is read again (default 15 min)
 * @param copyTimeout how long a copy may take in all (default 8 h)
 */
public record WorkflowOptions(Integer maxConcurrentTargets, Duration copyRecheckInterval, Duration copyTimeout) {

    public static final int DEFAULT_MAX_CONCURRENT_TARGETS = 10;
    /** Step Functions runs at most 40 iterations of an inline Map at once. */
    public static final int INLINE_MAP_LIMIT = 40;

    public WorkflowOptions {
        maxConcurrentTargets = maxConcurrentTargets == null ? DEFAULT_MAX_CONCURRENT_TARGETS : maxConcurrentTargets;
        if (maxConcurrentTargets < 1 || maxConcurrentTargets > INLINE_MAP_LIMIT) {
            throw new IllegalArgumentException("maxConcurrentTargets must be 1..40 (inline Map limit)");
        }
        copyRecheckInterval = copyRecheckInterval == null ? Duration.minutes(15) : copyRecheckInterval;
        copyTimeout = copyTimeout == null ? Duration.hours(8) : copyTimeout;
        if (copyRecheckInterval.toSeconds().longValue() >= copyTimeout.toSeconds().longValue()) {
            throw new IllegalArgumentException("copyRecheckInterval must be shorter than copyTimeout");
        }
    }

    public static WorkflowOptions defaults() {
        return new WorkflowOptions(null, null, null);
    }

    public WorkflowOptions withMaxConcurrentTargets(int value) {
        return new WorkflowOptions(value, copyRecheckInterval, copyTimeout);
    }

    public WorkflowOptions withCopyWait(Duration recheckInterval, Duration timeout) {
        return new WorkflowOptions(maxConcurrentTargets, recheckInterval, timeout);
    }

    long recheckSeconds() {
        return copyRecheckInterval.toSeconds().longValue();
    }

    long timeoutSeconds() {
        return copyTimeout.toSeconds().longValue();
    }
}
