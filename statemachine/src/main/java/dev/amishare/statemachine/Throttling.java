package dev.amishare.statemachine;

import dev.amishare.errors.AwsThrottledException;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.RetryProps;

/**
 * Backoff per API, from the token buckets (burst / refill per second) AWS documents. A throttled stage
 * has emptied its bucket; waiting about as long as the bucket needs to refill for the next calls, and
 * jittering fully so that concurrent executions and Map iterations do not retry in lockstep.
 */
enum Throttling {
    /** DescribeImages 20/s, DescribeSnapshots, KMS DescribeKey 100/s: reads refill fast. */
    READS(1, 5, 20),
    /** ModifyImageAttribute and ModifySnapshotAttribute refill at 5/s after a 100-call burst. */
    EC2_MODIFY(2, 5, 30),
    /**
     * KMS PutKeyPolicy 5/s (and GetKeyPolicy with it); a key can be edited by several executions, so
     * one more attempt than EC2's.
     */
    KMS_POLICY(2, 6, 30),
    /** CopyImage refills at 1/s only: start at 5 s, cap at a minute. */
    COPY_IMAGE(5, 6, 60);

    /** The error type the Lambda Java runtime reports for a throttled AWS call: the class's full name. */
    static final String THROTTLED = AwsThrottledException.class.getName();

    final int intervalSeconds;
    final int maxAttempts;
    final int maxDelaySeconds;

    Throttling(int intervalSeconds, int maxAttempts, int maxDelaySeconds) {
        this.intervalSeconds = intervalSeconds;
        this.maxAttempts = maxAttempts;
        this.maxDelaySeconds = maxDelaySeconds;
    }

    RetryProps retry() {
        return RetryProps.builder()
                .errors(List.of(THROTTLED))
                .interval(Duration.seconds(intervalSeconds))
                .backoffRate(2)
                .maxAttempts(maxAttempts)
                .maxDelay(Duration.seconds(maxDelaySeconds))
                .jitterStrategy(JitterType.FULL)
                .build();
    }
}
