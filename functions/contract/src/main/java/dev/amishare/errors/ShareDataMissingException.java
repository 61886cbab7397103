package dev.amishare.errors;

/**
 * Thrown when an object a stage reads from the owner stack's share bucket (a target list, a Distributed
 * Map's results) is not there: the execution's earlier stage did not write it, or it expired.
 */
public final class ShareDataMissingException extends TerminalException {

    public ShareDataMissingException(String uri, Throwable cause) {
        super("share data " + uri + " does not exist", cause);
    }
}
