package dev.amishare.errors;

/**
 * Thrown when an unshare names a share whose execution has not finished: it may still be granting, and would
 * grant again after the unshare took its grants back. Nothing is changed; unshare once the share has ended.
 */
public final class ShareStillRunningException extends TerminalException {

    public ShareStillRunningException(String shareId, String executionArn) {
        super("share " + shareId + " is still running" + (executionArn == null ? "" : " (" + executionArn + ")")
                + ": unshare it once its execution has ended", null);
    }
}
