package dev.amishare.functions.access;

/**
 * One grant item of the ledger: a share gave a principal access to a resource.
 *
 * @param kind LAUNCH, SNAPSHOT or KEY ({@link ResourceAccess})
 * @param resource the image id, snapshot id or key ARN
 * @param principal an account id, organization ARN or OU ARN
 * @param imageId the image the share was for
 * @param shareId the share (the execution's name)
 * @param executionId the execution that granted it
 * @param grantedAt when, ISO-8601
 * @param requestedBy who asked for the share, an IAM ARN, or null
 */
public record RecordedGrant(String kind, String resource, String principal, String imageId, String shareId,
        String executionId, String grantedAt, String requestedBy) {
}
