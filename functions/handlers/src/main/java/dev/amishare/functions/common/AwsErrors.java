package dev.amishare.functions.common;

import dev.amishare.errors.AwsAccessDeniedException;
import dev.amishare.errors.AwsNotYetVisibleException;
import dev.amishare.errors.AwsQuotaExceededException;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.AwsUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.RetryableException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Turns the SDK's errors that every stage shares into amishare's named failures, so that the state machine
 * retries exactly what is transient (throttling, AWS's own 5xx, no answer) and nothing else. The SDK has
 * already made its own quick second attempt (see {@link AwsClients}); the backoff is the state machine's.
 *
 * <p>A used-up quota is not throttling: KMS {@code LimitExceededException} ("a length constraint or quota
 * was exceeded", KMS API reference) stays exceeded until somebody raises the quota, so it is terminal.
 */
public final class AwsErrors {

    /** Each quota error code with the quota it means, as {@link AwsQuotaExceededException} names it. */
    private static final Map<String, String> QUOTAS = Map.ofEntries(
            Map.entry("LimitExceededException", "KMS resource or length quota, e.g. key policy size 32 KB"),
            Map.entry("ResourceLimitExceeded", "EC2 resource quota, e.g. concurrent snapshot copies per region"),
            Map.entry("TagLimitExceeded", "EC2 tags per resource (50)"),
            Map.entry("ParameterLimitExceeded", "SSM parameters per account and region"),
            Map.entry("ParameterMaxVersionLimitExceeded", "SSM versions per parameter (100)"),
            Map.entry("PoliciesLimitExceededException", "SSM policies per parameter"),
            Map.entry("HierarchyLevelLimitExceededException", "SSM parameter hierarchy levels (15)"),
            Map.entry("ExecutionLimitExceeded", "Step Functions open executions per account and region"));

    /** Beside these, whatever the SDK itself recognises as throttling (HTTP 429 and its list of codes). */
    private static final Set<String> THROTTLING = Set.of(
            "RequestLimitExceeded", "Client.RequestLimitExceeded", "ThrottlingException", "Throttling",
            "TooManyRequestsException", "TooManyUpdates", "SlowDown", "KmsThrottlingException");

    /** AWS's own failures (5xx) and requests it timed out on; the same request can succeed later. */
    private static final Set<String> UNAVAILABLE = Set.of(
            "InternalError", "InternalFailure", "InternalServerError", "ServiceUnavailable", "Unavailable",
            "ServiceFailure", "ServiceException", "KMSInternalException", "DependencyTimeoutException",
            "PolicyEvaluation", "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete");

    private static final Set<String> ACCESS_DENIED = Set.of(
            "UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "KmsAccessDeniedException");

    /** How EC2 says that a resource is not there, which right after its creation means "not yet". */
    private static final Set<String> NOT_FOUND = Set.of("InvalidAMIID.NotFound", "InvalidSnapshot.NotFound");

    private AwsErrors() {
    }

    public static String code(AwsServiceException e) {
        return e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
    }

    /**
     * Maps quota, throttling, access and AWS-side errors of {@code action}; returns {@code e} itself when it is
     * none of them (a validation error or a not-found), so the caller can check its own error codes and
     * rethrow: the state machine never retries the SDK's own exception types.
     */
    public static RuntimeException common(String action, AwsServiceException e) {
        String code = code(e);
        // Quota first: the SDK counts some quota codes as throttling, and retrying cannot free a quota.
        String quota = QUOTAS.get(code);
        if (quota != null) {
            return new AwsQuotaExceededException(action, quota, e);
        }
        if (THROTTLING.contains(code) || e.isThrottlingException()) {
            return new AwsThrottledException(action + " was throttled: " + e.getMessage(), e);
        }
        if (ACCESS_DENIED.contains(code)) {
            return new AwsAccessDeniedException(action, e);
        }
        // A 5xx with a code not listed is AWS's failure all the same.
        if (UNAVAILABLE.contains(code) || e.statusCode() >= 500) {
            return new AwsUnavailableException(action, e);
        }
        return e;
    }

    /**
     * A call that got no service response at all (connection refused or reset, DNS, a timeout) even after the
     * SDK's retry: the request itself was never judged, so it is worth trying again. Returns {@code e} itself
     * for the SDK's other client-side failures (no credentials, no region, a request it cannot build), which
     * recur on every attempt.
     */
    public static RuntimeException noAnswer(String action, SdkClientException e) {
        return isNetwork(e) ? new AwsUnavailableException(action, e) : e;
    }

    private static boolean isNetwork(SdkClientException e) {
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException
                || e instanceof RetryableException) {
            return true;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * For a read of {@code resource} that amishare itself has just created: a not-found means not visible
     * yet (EC2 is eventually consistent), which is transient here though terminal for anything else. Every
     * other error is mapped as {@link #common} maps it.
     */
    public static RuntimeException notYetVisible(String action, String resource, AwsServiceException e) {
        if (NOT_FOUND.contains(code(e))) {
            return new AwsNotYetVisibleException(action, resource, e);
        }
        return common(action, e);
    }
}
