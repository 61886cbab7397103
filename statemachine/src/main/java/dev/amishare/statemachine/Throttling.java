package dev.amishare.statemachine;

import dev.amishare.errors.AwsNotYetVisibleException;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.AwsUnavailableException;
import dev.amishare.errors.KeyPolicyLeaseHeldException;
import dev.amishare.errors.KeyPolicyOverwrittenException;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.RetryProps;

/**
 * The retries of a task that invokes a stage function, with the throttling backoff tuned per API to the
 * token buckets (burst / refill per second) AWS documents. Only what is transient is retried, always with
 * exponential backoff capped by {@code MaxDelaySeconds} and full jitter, so that concurrent executions and
 * Map iterations do not retry in lockstep:
 *
 * <ul>
 *   <li>Lambda's own service errors and throttling, as Step Functions reports them for {@code lambda:invoke}
 *       ({@link #LAMBDA_SERVICE_ERRORS}; Step Functions DeveloperGuide "bp-lambda-serviceexception"). CDK's
 *       LambdaInvoke would add the first four itself ({@code retryOnServiceExceptions}), without jitter and
 *       without {@code Lambda.TooManyRequestsException}; the tasks turn that off so the errors are not
 *       retried twice.</li>
 *   <li>{@code Lambda.Unknown} (function timeout, out of memory): once only, as the same input may well
 *       exhaust the same limit again.</li>
 *   <li>amishare's {@code TransientException}s by fully-qualified class name (the error type the Lambda Java
 *       runtime reports): {@link AwsThrottledException} with this constant's backoff,
 *       {@link AwsUnavailableException} (AWS 5xx, no answer), {@link AwsNotYetVisibleException} (a just
 *       created resource not listed yet) and {@link KeyPolicyOverwrittenException} (a key policy read back
 *       without amishare's change: eventual consistency or a writer outside amishare).</li>
 *   <li>{@link KeyPolicyLeaseHeldException}: another execution is editing the same key policy. Its own retrier
 *       ({@link #LEASE_HELD}): an edit holds the lease for about a second, so the first retries come soon, and
 *       the delays add up past the lease's expiry ({@code Names.LEDGER_LEASE_SECONDS}) in case the holder
 *       stopped without releasing it.</li>
 * </ul>
 * Quota, validation, permission and every other {@code TerminalException} are never retried: the same input
 * would fail the same way.
 *
 * <h2>Bound</h2>
 * {@code MaxAttempts} counts retries, so a task runs at most 1 + MaxAttempts times per retrier, and inside
 * each run the SDK makes at most 2 attempts per AWS call (standard retry strategy, max attempts 2). One AWS
 * call that keeps failing the same way is thus attempted at most 2 × (1 + 6) = 14 times, and waits at most
 * the sum of the capped delays (full jitter draws each between zero and its cap): 195 s for
 * {@link #COPY_IMAGE}'s throttling, 122 s for Lambda's service errors, 90 s or less for the rest. A call
 * failing alternately in several ways is bounded by the sum over the retriers (each counts its own).
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

    /** AWS-side failures and reads of a resource not visible yet: they clear by themselves within seconds. */
    static final List<String> TRANSIENT = List.of(
            AwsUnavailableException.class.getName(), AwsNotYetVisibleException.class.getName(),
            KeyPolicyOverwrittenException.class.getName());

    /**
     * Another execution holds the key policy's lease. Delays capped at 2, 4, 8, 16, 32 and 60 s: eight
     * executions contending for one key each get a turn within the first few, and the caps add up to 122 s,
     * past the 75 s after which a lease whose holder never released it lapses.
     */
    static final String LEASE_HELD = KeyPolicyLeaseHeldException.class.getName();

    /**
     * Lambda's transient failures to run the function: its service errors (HTTP 5xx, "bp-lambda-serviceexception")
     * and {@code TooManyRequestsException}, its concurrency limit reached, which clears as invocations finish.
     */
    static final List<String> LAMBDA_SERVICE_ERRORS = List.of(
            "Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException", "Lambda.AWSLambdaException",
            "Lambda.SdkClientException", "Lambda.TooManyRequestsException");

    /** A function that timed out or ran out of memory, as Step Functions reports it. */
    static final String LAMBDA_UNKNOWN = "Lambda.Unknown";

    final int intervalSeconds;
    final int maxAttempts;
    final int maxDelaySeconds;

    Throttling(int intervalSeconds, int maxAttempts, int maxDelaySeconds) {
        this.intervalSeconds = intervalSeconds;
        this.maxAttempts = maxAttempts;
        this.maxDelaySeconds = maxDelaySeconds;
    }

    /** Every retry of a task calling APIs of this kind, in the order Step Functions should match them. */
    List<RetryProps> retries() {
        return List.of(
                retry(List.of(THROTTLED), intervalSeconds, maxAttempts, maxDelaySeconds),
                retry(TRANSIENT, 2, 5, 30),
                retry(List.of(LEASE_HELD), 2, 6, 60),
                retry(LAMBDA_SERVICE_ERRORS, 2, 6, 60),
                retry(List.of(LAMBDA_UNKNOWN), 2, 1, 2));
    }

    private static RetryProps retry(List<String> errors, int intervalSeconds, int maxAttempts, int maxDelaySeconds) {
        return RetryProps.builder()
                .errors(errors)
                .interval(Duration.seconds(intervalSeconds))
                .backoffRate(2)
                .maxAttempts(maxAttempts)
                .maxDelay(Duration.seconds(maxDelaySeconds))
                .jitterStrategy(JitterType.FULL)
                .build();
    }
}
