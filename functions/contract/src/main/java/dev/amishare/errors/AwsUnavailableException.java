package dev.amishare.errors;

/**
 * Thrown when an AWS API failed on its own side (HTTP 5xx: {@code InternalError}, {@code InternalFailure},
 * {@code ServiceUnavailable}, {@code Unavailable}, KMS {@code KMSInternalException} or
 * {@code DependencyTimeoutException}, ...) or the call got no answer at all (network error, timeout), even
 * after the SDK's own retry. Nothing was wrong with the request, so the state machine retries it.
 */
public final class AwsUnavailableException extends TransientException {

    public AwsUnavailableException(String action, Throwable cause) {
        super(action + " failed on AWS's side or got no answer: " + cause.getMessage() + rootCause(cause), cause);
    }

    /** A network failure's own words (connection refused, reset, unknown host) are in its innermost cause. */
    private static String rootCause(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String words = root.getMessage();
        boolean said = root == cause || words == null || String.valueOf(cause.getMessage()).contains(words);
        return said ? "" : " (" + words + ")";
    }
}
