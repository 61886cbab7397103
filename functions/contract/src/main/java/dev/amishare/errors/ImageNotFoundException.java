package dev.amishare.errors;

/**
 * Thrown when the AMI to share does not exist in the owner account and region (EC2
 * {@code InvalidAMIID.NotFound} or {@code InvalidAMIID.Unavailable}).
 */
public final class ImageNotFoundException extends TerminalException {

    public ImageNotFoundException(String imageId, String region, Throwable cause) {
        super("AMI " + imageId + " was not found in " + region + " of the calling account", cause);
    }
}
