package dev.amishare.errors;

/**
 * Base of every failure amishare reports. The Lambda Java runtime reports the thrown class's
 * fully-qualified name as the error type, so each subclass is one failure mode the state machine
 * can name in a Retry or Catch.
 */
public abstract class AmishareException extends RuntimeException {

    protected AmishareException(String message) {
        super(message);
    }

    protected AmishareException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether trying the same call again later can succeed without anybody changing anything. */
    public abstract boolean isRetryable();
}
