package dev.amishare.functions.copy;

/**
 * The copy this stage started, or found already started by an earlier run.
 *
 * @param accountId the target account that owns the copy
 * @param region its region
 * @param kmsKeyId the key it is encrypted with, as requested
 * @param imageId the copy's AMI id; null in a dry run
 * @param state {@code pending}, {@code available} or {@code failed} as EC2 reports it; {@code dryRun} in a dry run
 */
public record CopyImageResult(String accountId, String region, String kmsKeyId, String imageId, String state) {
}
