package dev.amishare.functions.ledger;

/**
 * One grant as the ledger records it: one share gave one principal one kind of access to one resource. Item
 * {@code pk = GRANT#<resource>, sk = <principal>#<shareId>}, written before the access itself, so that a
 * revoke that reads the ledger after the grant's write always finds it.
 *
 * @param kind what access: launch permission on an image, create-volume permission on a snapshot, use of a key
 * @param resource the image id, snapshot id or key ARN
 * @param principal an account id, organization ARN or OU ARN
 * @param imageId the shared AMI (for a key or snapshot, the AMI whose share needed it)
 * @param shareId the share (its execution's name) that granted it
 * @param executionId the execution that wrote the item (a retry or a replay of the share writes it again)
 * @param grantedAt when, ISO-8601
 * @param requestedBy who asked for the share, as its record names them; may be null
 */
public record Grant(Kind kind, String resource, String principal, String imageId, String shareId,
        String executionId, String grantedAt, String requestedBy) {

    /** The three kinds of access a share consists of. */
    public enum Kind {
        LAUNCH, SNAPSHOT, KEY
    }

    /** The item's sort key. */
    String sortKey() {
        return principal + "#" + shareId;
    }
}
