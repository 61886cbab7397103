package dev.amishare.errors;

/** Thrown when an unshare names a share the share ledger does not hold. Nothing is changed. */
public final class ShareNotFoundException extends TerminalException {

    public ShareNotFoundException(String shareId) {
        super("share " + shareId + " is not in the share ledger: nothing to unshare", null);
    }
}
