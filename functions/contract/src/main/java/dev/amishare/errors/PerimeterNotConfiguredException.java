package dev.amishare.errors;

/**
 * Thrown when a function that changes access runs without a sharing perimeter in its environment: it
 * fails closed instead of sharing with whoever its input names.
 */
public final class PerimeterNotConfiguredException extends TerminalException {

    public PerimeterNotConfiguredException(String detail) {
        super("No sharing perimeter configured (" + detail + "): amishare shares with nobody until the owner "
                + "stack is deployed with one");
    }
}
