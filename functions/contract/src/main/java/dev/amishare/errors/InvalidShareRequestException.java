package dev.amishare.errors;

import java.util.List;

/**
 * Thrown when the input of a share is malformed. It lists every problem found, not only the
 * first, and is raised before any AWS call so that nothing changes in any account.
 */
public final class InvalidShareRequestException extends TerminalException {

    private final List<String> problems;

    public InvalidShareRequestException(List<String> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String describe(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid request has at least one problem");
        }
        return "Invalid share request (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + "): " + String.join("; ", problems);
    }
}
