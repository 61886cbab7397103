package dev.amishare.functions.common;

import dev.amishare.errors.AwsAccessDeniedException;
import dev.amishare.errors.AwsThrottledException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Turns the SDK's service errors that every stage shares into amishare's named failures. */
public final class AwsErrors {

    // EC2 RequestLimitExceeded; KMS ThrottlingException/LimitExceededException; STS and IAM Throttling.
    private static final Set<String> THROTTLING = Set.of(
            "RequestLimitExceeded", "ThrottlingException", "LimitExceededException", "Throttling",
            "TooManyRequestsException");
    private static final Set<String> ACCESS_DENIED = Set.of(
            "UnauthorizedOperation", "AccessDenied", "AccessDeniedException");

    private AwsErrors() {
    }

    public static String code(AwsServiceException e) {
        return e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
    }

    /**
     * Maps throttling and access errors of {@code action}; returns {@code e} itself when it is neither,
     * so the caller can check its own error codes and rethrow.
     */
    public static RuntimeException common(String action, AwsServiceException e) {
        String code = code(e);
        if (THROTTLING.contains(code) || e.isThrottlingException()) {
            return new AwsThrottledException(action + " was throttled: " + e.getMessage(), e);
        }
        if (ACCESS_DENIED.contains(code)) {
            return new AwsAccessDeniedException(action, e);
        }
        return e;
    }
}
