package dev.amishare.functions.prepare;

/**
 * One EBS snapshot of the AMI.
 *
 * @param snapshotId the snapshot
 * @param encrypted whether it is encrypted
 * @param kmsKeyArn ARN of its key, null when not encrypted
 */
public record SnapshotInfo(String snapshotId, boolean encrypted, String kmsKeyArn) {
}
