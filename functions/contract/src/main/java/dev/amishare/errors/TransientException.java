package dev.amishare.errors;

/**
 * Base of failures that trying the same call again later can fix without anybody changing anything: the
 * state machine retries each subclass by its fully-qualified name, with bounded backoff and full jitter.
 */
public abstract class TransientException extends AmishareException {

    protected TransientException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final boolean isRetryable() {
        return true;
    }
}
