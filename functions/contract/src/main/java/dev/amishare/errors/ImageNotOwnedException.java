package dev.amishare.errors;

/**
 * Thrown when the AMI exists but belongs to another account: only its owner can share it, so the
 * workflow must run in the account that owns the AMI.
 */
public final class ImageNotOwnedException extends TerminalException {

    public ImageNotOwnedException(String imageId, String imageOwnerId, String callerAccountId) {
        super("AMI " + imageId + " is owned by account " + imageOwnerId + ", not by the calling account "
                + callerAccountId + "; run the share in the owner account");
    }
}
