package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.model.TargetRole;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amishare.errors.AmishareException;
import dev.amishare.functions.copy.CopyImageInput;
import dev.amishare.functions.copy.CopyImageResult;
import dev.amishare.functions.copy.CopyStatusInput;
import dev.amishare.functions.copy.CopyStatusResult;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Handlers;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.Stages;
import dev.amishare.tests.SharedAmi;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;

/** Copies run as the consumer role, into the consumer account, re-encrypted under the consumer's key. */
@ExtendWith(LocalStackExtension.class)
class CopyImageHandlerIT {

    private final Aws aws;
    private final Stages stages;

    CopyImageHandlerIT(Aws aws) {
        this.aws = aws;
        this.stages = new Stages(aws);
    }

    private CopyImageResult copy(SharedAmi ami, String region) {
        return Handlers.invoke(stages.copy, new CopyImageInput(ami.imageId(), Accounts.REGION, Accounts.OWNER,
                "golden", new TargetRole(Accounts.CONSUMER, ami.consumerRoleName()), region, ami.consumerKeyArn(), false,
                "it"),
                CopyImageResult.class);
    }

    private CopyStatusResult status(CopyImageResult copy, SharedAmi ami) {
        return Handlers.invoke(stages.copyStatus, new CopyStatusInput(
                new TargetRole(Accounts.CONSUMER, ami.consumerRoleName()), copy.region(), copy.imageId(), "it"), CopyStatusResult.class);
    }

    private SharedAmi sharedForCopy() {
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);
        stages.shareSnapshots(ami.imageId(), Accounts.CONSUMER);
        return ami;
    }

    @Test
    void copy_shouldCreateAnAvailableCopyUnderTheConsumerKey_whenEveryPieceIsShared() {
        // GIVEN an AMI shared with every piece in place
        SharedAmi ami = sharedForCopy();

        // WHEN the consumer copies it
        CopyImageResult copy = copy(ami, Accounts.REGION);

        // THEN the copy becomes available, owned by the consumer, its snapshots under the consumer's key
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> status(copy, ami).state(), "available"::equals);
        Image image = aws.ec2(Accounts.CONSUMER).describeImages(r -> r.imageIds(copy.imageId())).images().get(0);
        assertThat(image.ownerId()).isEqualTo(Accounts.CONSUMER);
        assertThat(image.tags()).extracting(Tag::key).contains("amishare:source-image");
        assertThat(image.blockDeviceMappings()).hasSize(2).allSatisfy((BlockDeviceMapping m) -> {
            assertThat(m.ebs().encrypted()).isTrue();
            assertThat(m.ebs().kmsKeyId()).isEqualTo(ami.consumerKeyArn());
        });
        String snapshotId = image.blockDeviceMappings().get(0).ebs().snapshotId();
        Snapshot snapshot = aws.ec2(Accounts.CONSUMER).describeSnapshots(r -> r.snapshotIds(snapshotId)).snapshots().get(0);
        assertThat(snapshot.ownerId()).isEqualTo(Accounts.CONSUMER);
    }

    @Test
    void copy_shouldReturnTheSameImage_whenRetried() {
        SharedAmi ami = sharedForCopy();
        CopyImageResult first = copy(ami, Accounts.REGION);

        CopyImageResult second = copy(ami, Accounts.REGION);

        assertThat(second.imageId()).isEqualTo(first.imageId());
        assertThat(aws.ec2(Accounts.CONSUMER).describeImages(r -> r.owners("self")
                .filters(f -> f.name("tag:amishare:source-image").values(ami.imageId()))).images()).hasSize(1);
    }

    @Test
    void copy_shouldWorkAcrossRegions_whenTheTargetAsksForAnotherRegion() {
        SharedAmi ami = sharedForCopy();
        String euKey = aws.kms(Accounts.CONSUMER, Accounts.OTHER_REGION).createKey(r -> r.description("eu copies"))
                .keyMetadata().arn();
        CopyImageResult copy = Handlers.invoke(stages.copy, new CopyImageInput(ami.imageId(), Accounts.REGION,
                Accounts.OWNER, "golden", new TargetRole(Accounts.CONSUMER, ami.consumerRoleName()), Accounts.OTHER_REGION,
                euKey, false, "it"), CopyImageResult.class);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> status(copy, ami).state(), "available"::equals);
        Image image = aws.ec2(Accounts.CONSUMER, Accounts.OTHER_REGION).describeImages(r -> r.imageIds(copy.imageId()))
                .images().get(0);
        assertThat(image.blockDeviceMappings()).allSatisfy(m -> assertThat(m.ebs().kmsKeyId()).isEqualTo(euKey));
    }

    @Test
    void copy_shouldBeRefused_whenTheKeyPolicyGrantIsMissing() {
        // GIVEN everything but the key-policy grant
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        stages.shareSnapshots(ami.imageId(), Accounts.CONSUMER);

        // WHEN / THEN the copy is refused with a named error, or fails; either way no usable copy exists
        CopyImageResult copy;
        try {
            copy = copy(ami, Accounts.REGION);
        } catch (AmishareException e) {
            assertThat(e.isRetryable()).isFalse();
            return;
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> status(copy, ami).state(), "failed"::equals);
    }

    @Test
    void copy_shouldBeRefused_whenSnapshotsAreNotShared() {
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);

        assertThatThrownBy(() -> copy(ami, Accounts.REGION)).isInstanceOf(AmishareException.class);
    }
}
