package dev.amishare.errors;

/**
 * Thrown when the AMI is not in state {@code available} (still {@code pending}, {@code failed},
 * {@code deregistered}, …): AWS does not let targets copy or launch it in that state.
 */
public final class ImageNotAvailableException extends TerminalException {

    public ImageNotAvailableException(String imageId, String state) {
        super("AMI " + imageId + " is in state '" + state + "', not 'available'; share it once it is available");
    }
}
