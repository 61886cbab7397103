package dev.amishare.errors;

/**
 * Thrown when an event or a resume comes from an account, or names an execution, copy or region,
 * that amishare does not take it from: it is refused and nothing is started, shared or resumed.
 */
public final class UntrustedEventException extends TerminalException {

    public UntrustedEventException(String reason) {
        super("Event refused: " + reason);
    }
}
