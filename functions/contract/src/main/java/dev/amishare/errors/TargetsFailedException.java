package dev.amishare.errors;

/**
 * Names the error a share ends with when more of its targets failed (were not ready, or failed
 * validation or a copy) than the request tolerates. The workflow's Fail state raises it by this class's
 * name with the failed targets as the cause; every target was processed before.
 */
public final class TargetsFailedException extends TerminalException {

    public TargetsFailedException(String message) {
        super(message);
    }
}
