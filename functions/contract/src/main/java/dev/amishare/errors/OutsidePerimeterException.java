package dev.amishare.errors;

import java.util.List;

/**
 * Thrown when a request, an event or a stage input names a target account, organization or OU outside the
 * sharing perimeter fixed at deploy time. Lists every refused principal with the reason, so one fix-up
 * round suffices; nothing was changed in any account.
 */
public final class OutsidePerimeterException extends TerminalException {

    private final List<String> refused;

    public OutsidePerimeterException(List<String> refused) {
        super(message(refused));
        this.refused = List.copyOf(refused);
    }

    private static String message(List<String> refused) {
        if (refused.isEmpty()) {
            throw new IllegalArgumentException("at least one refused principal");
        }
        return refused.size() + (refused.size() == 1 ? " principal is" : " principals are")
                + " outside the sharing perimeter, nothing was shared: " + String.join("; ", refused);
    }

    public List<String> refused() {
        return refused;
    }
}
