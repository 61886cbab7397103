package dev.amishare.errors;

/**
 * Thrown when AWS refuses a call because a quota is used up (KMS {@code LimitExceededException}, SSM
 * {@code ParameterLimitExceeded}, EC2 {@code ResourceLimitExceeded} or {@code TagLimitExceeded}, Step
 * Functions {@code ExecutionLimitExceeded}, ...). Unlike throttling, the quota does not refill by itself
 * within a retry's backoff: somebody has to raise it or free what uses it. The message names the quota.
 */
public final class AwsQuotaExceededException extends TerminalException {

    private final String quota;

    public AwsQuotaExceededException(String action, String quota, Throwable cause) {
        super(action + " exceeded a quota (" + quota + "); raise it in Service Quotas or free what uses it: "
                + cause.getMessage(), cause);
        this.quota = quota;
    }

    /** The quota that is used up, in words. */
    public String quota() {
        return quota;
    }
}
