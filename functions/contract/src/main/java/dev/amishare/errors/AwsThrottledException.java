package dev.amishare.errors;

/**
 * Thrown when an AWS API throttled a call even after the SDK's own retry (EC2 {@code RequestLimitExceeded},
 * KMS and SSM {@code ThrottlingException}, SSM {@code TooManyUpdates}, STS and IAM {@code Throttling},
 * Organizations {@code TooManyRequestsException}, S3 {@code SlowDown}). The state machine retries it with a
 * backoff tuned to the API's token bucket. A used-up quota (KMS {@code LimitExceededException}) is
 * {@link AwsQuotaExceededException}, not this.
 */
public final class AwsThrottledException extends TransientException {

    public AwsThrottledException(String message, Throwable cause) {
        super(message, cause);
    }
}
