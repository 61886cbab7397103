package dev.amishare.tests;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * A golden AMI in the owner account as a platform team keeps it for the deployed system: volumes
 * encrypted under customer-managed keys, and the {@code amishare:managed=true} opt-in tag on the keys,
 * the AMI and its snapshots (the owner stack's roles may change nothing else).
 *
 * @param imageId the AMI
 * @param keyArns the keys of its volumes, in volume order
 * @param snapshotIds its snapshots, in volume order
 */
public record GoldenAmi(String imageId, List<String> keyArns, List<String> snapshotIds) {

    public static final Tag MANAGED = Tag.builder().key("amishare:managed").value("true").build();

    /** What to build, and which opt-in tags to leave off (to reproduce the failure table). */
    public record Spec(int volumes, boolean awsManagedKey, boolean tagImage, boolean tagKeys, List<Tag> imageTags) {

        public static Spec standard() {
            return new Spec(2, false, true, true, List.of());
        }

        public Spec volumes(int count) {
            return new Spec(count, awsManagedKey, tagImage, tagKeys, imageTags);
        }

        /** Volumes encrypted under the account's AWS-managed key aws/ebs. */
        public Spec underAwsManagedKey() {
            return new Spec(volumes, true, tagImage, tagKeys, imageTags);
        }

        public Spec withoutImageTag() {
            return new Spec(volumes, awsManagedKey, false, tagKeys, imageTags);
        }

        public Spec withoutKeyTags() {
            return new Spec(volumes, awsManagedKey, tagImage, false, imageTags);
        }

        public Spec withImageTags(Tag... tags) {
            List<Tag> all = new ArrayList<>(imageTags);
            all.addAll(List.of(tags));
            return new Spec(volumes, awsManagedKey, tagImage, tagKeys, all);
        }
    }

    /** A customer-managed key in the owner account with the amishare:managed opt-in, for several AMIs to share. */
    public static String managedKey(Aws aws, String description) {
        return aws.kms(Accounts.OWNER).createKey(r -> r.description(description)
                .tags(t -> t.tagKey(MANAGED.key()).tagValue(MANAGED.value()))).keyMetadata().arn();
    }

    /**
     * An opted-in golden AMI with one volume per key of {@code keyArns} (in order), so several AMIs can use
     * the same keys and their shares meet on the same key policies.
     */
    public static GoldenAmi underKeys(Aws aws, List<String> keyArns) {
        Ec2Client ec2 = aws.ec2(Accounts.OWNER);
        String imageId = Images.withVolumes(ec2, keyArns);
        List<String> snapshots = Images.snapshotIds(ec2, imageId);
        ec2.createTags(r -> r.resources(snapshots).tags(MANAGED));
        ec2.createTags(r -> r.resources(imageId).tags(MANAGED));
        return new GoldenAmi(imageId, List.copyOf(keyArns), snapshots);
    }

    public static GoldenAmi create(Aws aws, Spec spec) {
        List<String> keys = new ArrayList<>();
        for (int i = 1; i <= spec.volumes(); i++) {
            int volume = i;
            keys.add(spec.awsManagedKey() ? "alias/aws/ebs" : aws.kms(Accounts.OWNER).createKey(r -> {
                r.description("amishare golden AMI volume " + volume);
                if (spec.tagKeys()) {
                    r.tags(t -> t.tagKey(MANAGED.key()).tagValue(MANAGED.value()));
                }
            }).keyMetadata().arn());
        }
        Ec2Client ec2 = aws.ec2(Accounts.OWNER);
        String imageId = Images.withVolumes(ec2, keys);
        List<String> snapshots = Images.snapshotIds(ec2, imageId);
        List<Tag> imageTags = new ArrayList<>(spec.imageTags());
        if (spec.tagImage()) {
            imageTags.add(MANAGED);
            ec2.createTags(r -> r.resources(snapshots).tags(MANAGED));
        }
        if (!imageTags.isEmpty()) {
            ec2.createTags(r -> r.resources(imageId).tags(imageTags));
        }
        List<String> keyArns = spec.awsManagedKey() ? List.of() : keys;
        return new GoldenAmi(imageId, keyArns, snapshots);
    }
}
