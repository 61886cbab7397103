package dev.amishare.errors;

/**
 * Thrown when an entry-point event matched its rule but lacks what amishare needs to build a share
 * request (no image ARN, no new account id). Retrying the same event cannot help.
 */
public final class UnsupportedEntryEventException extends TerminalException {

    public UnsupportedEntryEventException(String eventId, String problem) {
        super("Event " + eventId + " cannot start a share: " + problem);
    }
}
