package dev.amishare.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/** Builds the AMIs the tests share: plain ones and ones whose volumes are encrypted under customer-managed keys. */
public final class Images {

    private Images() {
    }

    /** An AMI with one unencrypted root volume. */
    public static String plain(Ec2Client ec2) {
        return withVolumes(ec2, java.util.Collections.singletonList(null));
    }

    /** A customer-managed KMS key in the client's account, described. */
    public static KeyMetadata customerManagedKey(KmsClient kms, String description) {
        return kms.createKey(r -> r.description(description)).keyMetadata();
    }

    /**
     * Registers an AMI with one EBS volume per entry of {@code kmsKeyIds}: a key id encrypts that
     * volume's snapshot under the key, {@code null} leaves it unencrypted.
     */
    public static String withVolumes(Ec2Client ec2, List<String> kmsKeyIds) {
        String az = ec2.describeAvailabilityZones().availabilityZones().get(0).zoneName();
        List<BlockDeviceMapping> mappings = new ArrayList<>();
        char device = 'a';
        for (String keyId : kmsKeyIds) {
            String volumeId = ec2.createVolume(r -> {
                r.availabilityZone(az).size(8);
                if (keyId != null) {
                    r.encrypted(true).kmsKeyId(keyId);
                }
            }).volumeId();
            String snapshotId = ec2.createSnapshot(r -> r.volumeId(volumeId).description("amishare test volume"))
                    .snapshotId();
            String deviceName = device == 'a' ? "/dev/xvda" : "/dev/xvd" + device;
            mappings.add(BlockDeviceMapping.builder().deviceName(deviceName)
                    .ebs(e -> e.snapshotId(snapshotId).volumeSize(8).deleteOnTermination(true))
                    .build());
            device++;
        }
        return ec2.registerImage(r -> r.name("amishare-test-" + UUID.randomUUID())
                .architecture("x86_64")
                .rootDeviceName("/dev/xvda")
                .virtualizationType("hvm")
                .blockDeviceMappings(mappings)).imageId();
    }

    /** The EBS snapshots of an AMI, in volume order. */
    public static List<String> snapshotIds(Ec2Client ec2, String imageId) {
        return describe(ec2, imageId).blockDeviceMappings().stream().map(BlockDeviceMapping::ebs)
                .filter(e -> e != null && e.snapshotId() != null).map(e -> e.snapshotId()).toList();
    }

    public static Image describe(Ec2Client ec2, String imageId) {
        return ec2.describeImages(r -> r.imageIds(imageId)).images().get(0);
    }
}
