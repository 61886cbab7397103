package dev.amishare.errors;

/**
 * Thrown when AWS refuses a call for lack of permission (EC2 {@code UnauthorizedOperation}, KMS and
 * STS {@code AccessDenied}). The message names the action that was refused.
 */
public final class AwsAccessDeniedException extends TerminalException {

    public AwsAccessDeniedException(String action, Throwable cause) {
        super("Access denied for " + action + ": " + cause.getMessage(), cause);
    }
}
