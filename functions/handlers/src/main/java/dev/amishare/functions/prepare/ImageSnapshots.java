package dev.amishare.functions.prepare;

import dev.amishare.functions.common.AwsErrors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyManagerType;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/** Reads an AMI's EBS snapshots and resolves their keys, for Prepare and for the access report alike. */
public final class ImageSnapshots {

    private static final Logger LOG = LogManager.getLogger(ImageSnapshots.class);

    private ImageSnapshots() {
    }

    /**
     * One EBS snapshot of the AMI.
     *
     * @param snapshotId the snapshot
     * @param keyArn ARN of its key, null when not encrypted
     * @param awsManagedKey whether the key is an AWS managed key (aws/ebs), whose policy nobody can edit
     */
    public record Found(String snapshotId, String keyArn, boolean awsManagedKey) {

        public boolean encrypted() {
            return keyArn != null;
        }
    }

    /**
     * The AMI's EBS snapshots with their keys resolved to ARNs; mappings without a snapshot are skipped.
     *
     * @param onAwsManagedKey told of each snapshot under an AWS managed key before any later key is read;
     *     a reader that cannot go on throws from it
     */
    public static List<Found> read(Ec2Client ec2, KmsClient kms, Image image, Consumer<Found> onAwsManagedKey) {
        Set<String> ids = new LinkedHashSet<>();
        for (BlockDeviceMapping m : image.blockDeviceMappings()) {
            if (m.ebs() != null && m.ebs().snapshotId() != null) {
                ids.add(m.ebs().snapshotId());
            }
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Snapshot> described;
        try {
            described = ec2.describeSnapshots(r -> r.snapshotIds(ids)).snapshots();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("ec2:DescribeSnapshots", e);
        }
        // A snapshot names its key as EC2 stored it (id or ARN); one DescribeKey per distinct key resolves it.
        Map<String, KeyMetadata> keysById = new LinkedHashMap<>();
        List<Found> out = new ArrayList<>();
        for (Snapshot s : described) {
            if (!Boolean.TRUE.equals(s.encrypted())) {
                out.add(new Found(s.snapshotId(), null, false));
                continue;
            }
            KeyMetadata key = keysById.get(s.kmsKeyId());
            if (key == null) {
                key = describeKey(kms, s.kmsKeyId());
                keysById.put(s.kmsKeyId(), key);
            }
            Found found = new Found(s.snapshotId(), key.arn(), key.keyManager() == KeyManagerType.AWS);
            if (found.awsManagedKey()) {
                onAwsManagedKey.accept(found);
            } else {
                LOG.info("snapshot {} of {} is encrypted with customer-managed key {}", s.snapshotId(),
                        image.imageId(), key.arn());
            }
            out.add(found);
        }
        return out;
    }

    private static KeyMetadata describeKey(KmsClient kms, String keyId) {
        try {
            return kms.describeKey(r -> r.keyId(keyId)).keyMetadata();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("kms:DescribeKey", e);
        }
    }
}
