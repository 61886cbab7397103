package dev.amishare.errors;

/**
 * Thrown when EC2 in the target account refuses CopyImage for a reason a retry cannot fix (the
 * destination key is unusable, the AMI name is taken, a quota is reached); the message carries EC2's
 * error code and text.
 */
public final class CopyImageRejectedException extends TerminalException {

    public CopyImageRejectedException(String imageId, String accountId, String region, Throwable cause) {
        super("EC2 refused to copy " + imageId + " into account " + accountId + " in " + region + ": "
                + cause.getMessage(), cause);
    }
}
