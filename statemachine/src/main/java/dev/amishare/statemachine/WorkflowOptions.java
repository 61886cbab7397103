package dev.amishare.statemachine;

import software.amazon.awscdk.Duration;

/**
 * The workflow's tunables; null takes the default. The defaults live here and nowhere else.
 *
 * @param maxConcurrentTargets child executions of each Distributed Map at once: batches checked, targets validated
 *     and copied (default {@value #DEFAULT_MAX_CONCURRENT_TARGETS}, at most {@value #DISTRIBUTED_MAP_LIMIT})
 * @param copyRecheckInterval how long a copy may be silent before its state is read again (default 15 min)
 * @param copyTimeout how long a copy may take in all (default 8 h)
 */
public record WorkflowOptions(Integer maxConcurrentTargets, Duration copyRecheckInterval, Duration copyTimeout) {

    public static final int DEFAULT_MAX_CONCURRENT_TARGETS = 10;
    /** A Distributed Map runs at most 10,000 child executions at once (Step Functions DeveloperGuide "limits"). */
    public static final int DISTRIBUTED_MAP_LIMIT = 10_000;
    /**
     * Targets per readiness-check batch: each costs about ten calls as the target's role (AssumeRole, IAM
     * simulations, DescribeKey, GetAllowedImagesSettings), so a batch of 20 finishes in seconds and a
     * thousand targets take 50 child executions instead of 1,000.
     */
    public static final int CHECK_BATCH_SIZE = 20;

    public WorkflowOptions {
        maxConcurrentTargets = maxConcurrentTargets == null ? DEFAULT_MAX_CONCURRENT_TARGETS : maxConcurrentTargets;
        if (maxConcurrentTargets < 1 || maxConcurrentTargets > DISTRIBUTED_MAP_LIMIT) {
            throw new IllegalArgumentException("maxConcurrentTargets must be 1..10000 (Distributed Map limit)");
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
