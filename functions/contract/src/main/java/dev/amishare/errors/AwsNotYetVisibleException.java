package dev.amishare.errors;

/**
 * Thrown when a resource amishare itself has just created is not visible yet to a read (EC2
 * {@code InvalidAMIID.NotFound} for the image CopyImage just returned): EC2 is eventually consistent and
 * lists a new resource a short while after creating it (EC2 Developer Guide "eventual-consistency").
 * The state machine retries it; should it persist beyond the retries, the resource was deleted meanwhile.
 */
public final class AwsNotYetVisibleException extends TransientException {

    public AwsNotYetVisibleException(String action, String resource, Throwable cause) {
        super(resource + " is not visible to " + action + " yet (EC2 lists a new resource a while after"
                + " creating it); if this persists, it was deleted" + (cause == null ? "" : ": " + cause.getMessage()),
                cause);
    }
}
