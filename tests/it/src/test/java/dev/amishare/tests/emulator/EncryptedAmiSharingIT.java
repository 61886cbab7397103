package dev.amishare.tests.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Images;
import dev.amishare.tests.LocalStackExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CopyImageRequest;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/**
 * The emulator (LocalStack with amishare's extension, tests/localstack-ext) behaves as AWS documents
 * for sharing an AMI whose volumes are encrypted under customer-managed keys: AWSEC2 UserGuide
 * "sharingamis-explicit" and "CopyingAMIs", EBS UserGuide "share-kms-key". The owner shares step by
 * step and the consumer observes, at each step, what AWS would show it.
 */
@ExtendWith(LocalStackExtension.class)
class EncryptedAmiSharingIT {

    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(60);

    private final Ec2Client ownerEc2;
    private final KmsClient ownerKms;
    private final Ec2Client consumerEc2;
    private final KmsClient consumerKms;

    private KeyMetadata rootKey;
    private KeyMetadata dataKey;
    private String imageId;

    EncryptedAmiSharingIT(Aws aws) {
        ownerEc2 = aws.ec2(Accounts.OWNER);
        ownerKms = aws.kms(Accounts.OWNER);
        consumerEc2 = aws.ec2(Accounts.CONSUMER);
        consumerKms = aws.kms(Accounts.CONSUMER);
    }

    @BeforeEach
    void createEncryptedImage() {
        rootKey = Images.customerManagedKey(ownerKms, "amishare IT root volume");
        dataKey = Images.customerManagedKey(ownerKms, "amishare IT data volume");
        imageId = Images.withVolumes(ownerEc2, List.of(rootKey.keyId(), dataKey.keyId()));
    }

    @Test
    void copyImage_shouldSucceedUnderConsumerKey_whenEveryPieceIsShared() {
        // GIVEN an AMI of the owner with two volumes under two customer-managed keys, not shared yet
        KeyMetadata consumerKey = Images.customerManagedKey(consumerKms, "amishare IT consumer copy key");
        assertThat(Images.describe(ownerEc2, imageId).blockDeviceMappings())
                .extracting(m -> m.ebs().kmsKeyId())
                .containsExactly(rootKey.arn(), dataKey.arn());

        // THEN the consumer does not see it at all
        assertThat(errorCode(() -> consumerEc2.describeImages(r -> r.imageIds(imageId)))).isEqualTo("InvalidAMIID.NotFound");
        assertThat(executableByConsumer()).doesNotContain(imageId);

        // WHEN the owner grants the consumer launch permission
        ownerEc2.modifyImageAttribute(r -> r.imageId(imageId)
                .launchPermission(p -> p.add(l -> l.userId(Accounts.CONSUMER))));

        // THEN the consumer sees the AMI, with its owner and its encrypted volumes
        Image shared = Images.describe(consumerEc2, imageId);
        assertThat(shared.ownerId()).isEqualTo(Accounts.OWNER);
        assertThat(shared.blockDeviceMappings()).extracting(m -> m.ebs().encrypted()).containsOnly(true);
        assertThat(executableByConsumer()).contains(imageId);

        // AND copying is refused: the snapshots are not shared
        Ec2Exception noStorage = copyRefused(consumerKey);
        assertThat(noStorage.awsErrorDetails().errorCode()).isEqualTo("InvalidRequest");
        assertThat(noStorage.awsErrorDetails().errorMessage()).contains("permission to access the storage of this ami");

        // WHEN the owner grants createVolumePermission on every snapshot
        shareSnapshots();

        // THEN copying is still refused: the key policies do not let the consumer use the keys
        Ec2Exception noKey = copyRefused(consumerKey);
        assertThat(noKey.awsErrorDetails().errorCode()).isEqualTo("UnauthorizedOperation");
        assertThat(noKey.awsErrorDetails().errorMessage()).contains(rootKey.arn());

        // WHEN the owner's key policies let the consumer's account use both keys
        allowConsumerToUse(rootKey);
        allowConsumerToUse(dataKey);

        // AND the consumer copies the AMI under its own key
        String copyId = consumerEc2.copyImage(copyRequest(consumerKey)).imageId();

        // THEN the copy is the consumer's, pending at first and then available
        assertThat(Images.describe(consumerEc2, copyId).state()).isEqualTo(ImageState.PENDING);
        await().atMost(COPY_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> Images.describe(consumerEc2, copyId).state(), ImageState.AVAILABLE::equals);
        Image copy = Images.describe(consumerEc2, copyId);
        assertThat(copy.ownerId()).isEqualTo(Accounts.CONSUMER);

        // AND both of its snapshots are the consumer's, encrypted under the consumer's key
        List<String> snapshotIds = copy.blockDeviceMappings().stream().map(m -> m.ebs().snapshotId()).toList();
        assertThat(copy.blockDeviceMappings()).hasSize(2)
                .extracting(m -> m.ebs().kmsKeyId()).containsOnly(consumerKey.arn());
        List<Snapshot> snapshots = consumerEc2.describeSnapshots(r -> r.snapshotIds(snapshotIds)).snapshots();
        assertThat(snapshots).hasSize(2).allSatisfy(s -> {
            assertThat(s.ownerId()).isEqualTo(Accounts.CONSUMER);
            assertThat(s.encrypted()).isTrue();
            assertThat(s.kmsKeyId()).isEqualTo(consumerKey.arn());
        });
    }

    @Test
    void copyImage_shouldFail_whenTheKeyPolicyDoesNotShareTheKeys() {
        // GIVEN launch permission and createVolumePermission, but the owner's key policies unchanged
        KeyMetadata consumerKey = Images.customerManagedKey(consumerKms, "amishare IT consumer copy key");
        ownerEc2.modifyImageAttribute(r -> r.imageId(imageId)
                .launchPermission(p -> p.add(l -> l.userId(Accounts.CONSUMER))));
        shareSnapshots();

        // WHEN the consumer copies the AMI under its own key
        Ec2Exception refused = copyRefused(consumerKey);

        // THEN EC2 refuses: the consumer may not use the owner's keys
        assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("UnauthorizedOperation");
        assertThat(refused.awsErrorDetails().errorMessage()).contains(rootKey.arn());
        assertThat(consumerEc2.describeImages(r -> r.owners("self")).images())
                .noneMatch(i -> imageId.equals(i.sourceImageId()));
    }

    private List<String> executableByConsumer() {
        return consumerEc2.describeImages(r -> r.executableUsers("self")).images().stream().map(Image::imageId).toList();
    }

    private void shareSnapshots() {
        for (String snapshotId : Images.describe(ownerEc2, imageId).blockDeviceMappings().stream()
                .map(m -> m.ebs()).map(EbsBlockDevice::snapshotId).toList()) {
            ownerEc2.modifySnapshotAttribute(r -> r.snapshotId(snapshotId).attribute("createVolumePermission")
                    .operationType("add").userIds(Accounts.CONSUMER));
        }
    }

    /** The key-policy statements EBS UserGuide "share-kms-key" documents for a target account. */
    private void allowConsumerToUse(KeyMetadata key) {
        String policy = """
                {"Version":"2012-10-17","Statement":[
                 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%1$s:root"},
                  "Action":"kms:*","Resource":"*"},
                 {"Sid":"AllowUseOfTheKey","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%2$s:root"},
                  "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],
                  "Resource":"*"},
                 {"Sid":"AllowAttachmentOfPersistentResources","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%2$s:root"},
                  "Action":["kms:CreateGrant","kms:ListGrants","kms:RevokeGrant"],"Resource":"*",
                  "Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}]}
                """.formatted(Accounts.OWNER, Accounts.CONSUMER);
        ownerKms.putKeyPolicy(r -> r.keyId(key.keyId()).policyName("default").policy(policy));
    }

    private CopyImageRequest copyRequest(KeyMetadata consumerKey) {
        return CopyImageRequest.builder().sourceImageId(imageId).sourceRegion(Accounts.REGION)
                .name("amishare-it-copy").encrypted(true).kmsKeyId(consumerKey.keyId()).build();
    }

    private Ec2Exception copyRefused(KeyMetadata consumerKey) {
        Ec2Exception e = catchThrowableOfType(Ec2Exception.class, () -> consumerEc2.copyImage(copyRequest(consumerKey)));
        assertThat(e).as("CopyImage should be refused").isNotNull();
        return e;
    }

    private static String errorCode(Runnable call) {
        Ec2Exception e = catchThrowableOfType(Ec2Exception.class, call::run);
        assertThat(e).as("the call should fail").isNotNull();
        return e.awsErrorDetails().errorCode();
    }
}
