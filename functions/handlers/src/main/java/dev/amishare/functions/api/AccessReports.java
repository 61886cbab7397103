package dev.amishare.functions.api;

/**
 * What GET /images/{imageId}/access answers: who can reach an image, its snapshots and its keys, as the
 * ledger's grants and as EC2 and KMS see them. The API serializes whatever the report returns as JSON.
 */
public interface AccessReports {

    /** The access report of the owner's image {@code imageId} (a well-formed AMI id). */
    Object report(String imageId);
}
