package dev.amishare.functions.revoke;

/**
 * An unshare: take back everything one share granted, by reference (a principal keeps what another share
 * still grants it). The API's {@code DELETE /shares/{id}} starts the workflow with
 * {@code {"unshare": {"shareId": …, "deregisterCopies": …}, "requestedBy": …}}.
 *
 * @param shareId the share to take back (its execution's name, the id the API returned)
 * @param deregisterCopies whether to deregister the copies this share made in the targets; only {@code false}
 *     is accepted ({@link RevokeInput#DEREGISTER_NOT_BUILT})
 */
public record UnshareRequest(String shareId, Boolean deregisterCopies) {

    public UnshareRequest {
        deregisterCopies = Boolean.TRUE.equals(deregisterCopies);
    }
}
