package dev.amishare.errors;

/**
 * Thrown when an AWS API throttled a call even after the SDK's own retries (EC2
 * {@code RequestLimitExceeded}, KMS {@code ThrottlingException} or {@code LimitExceededException},
 * STS and IAM {@code Throttling}). The state machine retries it with backoff.
 */
public final class AwsThrottledException extends AmishareException {

    public AwsThrottledException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
