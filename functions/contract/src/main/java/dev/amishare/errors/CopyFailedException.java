package dev.amishare.errors;

/**
 * Reported when EC2 ends a copy of the shared AMI in the {@code failed} state (or another state it never
 * leaves). The workflow's Await copy task fails with this class's name, sent by SendTaskFailure; starting
 * the same copy again would fail the same way until someone fixes the cause EC2 names.
 */
public final class CopyFailedException extends TerminalException {

    public CopyFailedException(String imageId, String accountId, String region, String state, String reason) {
        super("copy " + imageId + " in account " + accountId + " in " + region + " ended " + state
                + (reason == null || reason.isBlank() ? "" : ": " + reason));
    }
}
