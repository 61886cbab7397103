package dev.amishare.errors;

/**
 * Thrown when a snapshot of the AMI is encrypted under the AWS-managed key ({@code aws/ebs},
 * KeyManager AWS). AWS refuses to share such snapshots, and their key policy cannot be changed.
 */
public final class AwsManagedKeyException extends TerminalException {

    public AwsManagedKeyException(String imageId, String snapshotId, String keyArn) {
        super("Snapshot " + snapshotId + " of AMI " + imageId + " is encrypted with the AWS-managed key " + keyArn
                + " (aws/ebs); AWS refuses to share AMIs encrypted with AWS-managed keys. Re-create the AMI under a"
                + " customer-managed key first (for example CopyImage with Encrypted=true and a customer-managed"
                + " KmsKeyId) and share the copy.");
    }
}
