package dev.amishare.errors;

import java.util.List;

/**
 * Thrown when a target account could not use the share: a check made with the consumer role failed
 * (AMI not visible, key not usable, IAM policy missing an action). The message lists every failed
 * check, so the state machine's error cause carries them.
 */
public final class ConsumerValidationFailedException extends TerminalException {

    private final List<String> failedChecks;

    public ConsumerValidationFailedException(String accountId, List<String> failedChecks) {
        super(describe(accountId, failedChecks));
        this.failedChecks = List.copyOf(failedChecks);
    }

    public List<String> failedChecks() {
        return failedChecks;
    }

    private static String describe(String accountId, List<String> failedChecks) {
        if (failedChecks.isEmpty()) {
            throw new IllegalArgumentException("a failed validation has at least one failed check");
        }
        return "Target account " + accountId + " failed " + failedChecks.size() + " consumer check"
                + (failedChecks.size() == 1 ? "" : "s") + ": " + String.join("; ", failedChecks);
    }
}
