package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.snapshots.SnapshotPermissionChange;

import dev.amishare.functions.prepare.PreparedShare;
import dev.amishare.functions.revoke.RevokeInput;
import dev.amishare.functions.revoke.RevokeResult;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Handlers;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.Stages;
import dev.amishare.tests.SharedAmi;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;

@ExtendWith(LocalStackExtension.class)
class RevokeHandlerIT {

    private final Aws aws;
    private final Stages stages;

    RevokeHandlerIT(Aws aws) {
        this.aws = aws;
        this.stages = new Stages(aws);
    }

    private RevokeResult revoke(SharedAmi ami) {
        return Handlers.invoke(stages.revoke, new RevokeInput(ami.imageId(), Principals.ofAccounts(List.of(Accounts.CONSUMER)),
                null, ami.ownerKeyArns(), stages.snapshotIds(ami.imageId()), false, null, null, "it"),
                RevokeResult.class);
    }

    @Test
    void revoke_shouldUndoEveryGrant_whenTheShareIsWithdrawn() {
        // GIVEN a full share, and the key policies as they were before it
        SharedAmi ami = SharedAmi.create(aws);
        List<String> before = ami.ownerKeyArns().stream().map(stages::keyPolicy).toList();
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);
        stages.shareSnapshots(ami.imageId(), Accounts.CONSUMER);

        // WHEN
        RevokeResult result = revoke(ami);

        // THEN launch permission, amishare's key statements and snapshot permissions are gone
        assertThat(result.launchPermissionsRemoved()).isEqualTo(1);
        assertThat(result.keys()).extracting(KeyPolicyChange::removed).containsOnly(1);
        assertThat(result.snapshots()).extracting(SnapshotPermissionChange::removed).containsOnly(1);
        assertThat(aws.ec2(Accounts.OWNER).describeImageAttribute(r -> r.imageId(ami.imageId())
                .attribute("launchPermission")).launchPermissions()).isEmpty();
        for (int i = 0; i < before.size(); i++) {
            assertThat(stages.keyPolicy(ami.ownerKeyArns().get(i))).doesNotContain("Amishare")
                    .doesNotContain(Accounts.CONSUMER);
        }
        for (String snapshotId : stages.snapshotIds(ami.imageId())) {
            assertThat(aws.ec2(Accounts.OWNER).describeSnapshotAttribute(r -> r.snapshotId(snapshotId)
                    .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)).createVolumePermissions()).isEmpty();
        }
        // and the consumer no longer sees the AMI
        assertThat(aws.ec2(Accounts.CONSUMER).describeImages(r -> r.executableUsers("self")).images())
                .noneMatch(image -> image.imageId().equals(ami.imageId()));
    }

    @Test
    void revoke_shouldKeepAccessThatExistedBefore_whenGivenTheBaseline() {
        // GIVEN the consumer already had launch permission, a key grant and the snapshots before this share
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);
        stages.shareSnapshots(ami.imageId(), Accounts.CONSUMER);
        // AND a share for consumer and third, whose Prepare recorded that baseline before granting both
        PreparedShare prepared = Handlers.invoke(stages.prepare, """
                {"request":{"imageId":"%s","targets":[
                  {"accountId":"%s","copy":[{"region":"us-east-1","kmsKeyId":"alias/golden"}]},
                  {"accountId":"%s","copy":[{"region":"us-east-1","kmsKeyId":"alias/golden"}]}]},
                 "executionId":"it-baseline"}""".formatted(ami.imageId(), Accounts.CONSUMER, Accounts.THIRD),
                PreparedShare.class);
        AccessBaseline baseline = stages.store.get(prepared.baseline(), AccessBaseline.class);
        assertThat(baseline.launchPermission()).containsExactly(Accounts.CONSUMER);
        for (String keyArn : ami.ownerKeyArns()) {
            assertThat(baseline.key(keyArn)).containsExactly(Accounts.CONSUMER);
        }
        for (String snapshotId : stages.snapshotIds(ami.imageId())) {
            assertThat(baseline.snapshot(snapshotId)).containsExactly(Accounts.CONSUMER);
        }
        stages.grantLaunch(ami.imageId(), Accounts.THIRD);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.THIRD);
        stages.shareSnapshots(ami.imageId(), Accounts.THIRD);

        // WHEN the share is rolled back with the targets and the baseline in S3, as the workflow does
        RevokeResult result = Handlers.invoke(stages.revoke, new RevokeInput(ami.imageId(), null, prepared.targets(),
                prepared.customerManagedKeyArns(), stages.snapshotIds(ami.imageId()), false,
                null, prepared.baseline(), "it"), RevokeResult.class);

        // THEN the consumer keeps its access and third's is gone
        assertThat(result.launchPermissionsRemoved()).isEqualTo(1);
        assertThat(aws.ec2(Accounts.OWNER).describeImageAttribute(r -> r.imageId(ami.imageId())
                .attribute("launchPermission")).launchPermissions()).extracting(LaunchPermission::userId)
                .containsExactly(Accounts.CONSUMER);
        for (String keyArn : ami.ownerKeyArns()) {
            assertThat(stages.keyPolicy(keyArn)).contains("\"kms:CallerAccount\":[\"" + Accounts.CONSUMER + "\"]")
                    .doesNotContain(Accounts.THIRD);
        }
        for (String snapshotId : stages.snapshotIds(ami.imageId())) {
            assertThat(aws.ec2(Accounts.OWNER).describeSnapshotAttribute(r -> r.snapshotId(snapshotId)
                    .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)).createVolumePermissions())
                    .extracting(CreateVolumePermission::userId).containsExactly(Accounts.CONSUMER);
        }
        assertThat(aws.ec2(Accounts.CONSUMER).describeImages(r -> r.executableUsers("self")).images())
                .anyMatch(image -> image.imageId().equals(ami.imageId()));
    }

    @Test
    void revoke_shouldReportAbsent_whenRunTwice() {
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        revoke(ami);

        RevokeResult second = revoke(ami);

        assertThat(second.launchPermissionsRemoved()).isZero();
        assertThat(second.launchPermissionsAbsent()).isEqualTo(1);
    }
}
