package dev.amishare.errors;

/**
 * Thrown when the consumer role in a target account cannot be assumed: it does not exist, its trust
 * policy does not name the owner account, or the external id differs.
 */
public final class ConsumerRoleNotAssumableException extends TerminalException {

    public ConsumerRoleNotAssumableException(String roleArn, Throwable cause) {
        super("Cannot assume consumer role " + roleArn + ": " + cause.getMessage()
                + "; create the role in the target account, trust the owner account and use the same external id",
                cause);
    }
}
