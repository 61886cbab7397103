package dev.amishare.errors;

/** Base of failures that a retry cannot fix: somebody has to change the input or the accounts. */
public abstract class TerminalException extends AmishareException {

    protected TerminalException(String message) {
        super(message);
    }

    protected TerminalException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final boolean isRetryable() {
        return false;
    }
}
