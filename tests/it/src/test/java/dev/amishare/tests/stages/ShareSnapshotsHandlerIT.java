package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.functions.snapshots.SnapshotPermissionChange;
import dev.amishare.functions.snapshots.SnapshotPermissionResult;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.Stages;
import dev.amishare.tests.SharedAmi;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;

@ExtendWith(LocalStackExtension.class)
class ShareSnapshotsHandlerIT {

    private final Aws aws;
    private final Stages stages;

    ShareSnapshotsHandlerIT(Aws aws) {
        this.aws = aws;
        this.stages = new Stages(aws);
    }

    private List<String> permittedUsers(String snapshotId) {
        return aws.ec2(Accounts.OWNER).describeSnapshotAttribute(r -> r.snapshotId(snapshotId)
                        .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION))
                .createVolumePermissions().stream().map(CreateVolumePermission::userId).toList();
    }

    @Test
    void share_shouldGrantCreateVolumePermissionOnEverySnapshot_whenTheTargetCopies() {
        // GIVEN an AMI with two encrypted snapshots
        SharedAmi ami = SharedAmi.create(aws);
        List<String> snapshotIds = stages.snapshotIds(ami.imageId());

        // WHEN
        SnapshotPermissionResult result = stages.shareSnapshots(ami.imageId(), Accounts.CONSUMER);

        // THEN both snapshots list the consumer, and the consumer can see them
        assertThat(result.snapshots()).extracting(SnapshotPermissionChange::added)
                .containsOnly(1);
        assertThat(snapshotIds).hasSize(2).allSatisfy(id -> assertThat(permittedUsers(id)).containsExactly(Accounts.CONSUMER));
        assertThat(aws.ec2(Accounts.CONSUMER).describeSnapshots(r -> r.snapshotIds(snapshotIds)).snapshots()).hasSize(2);
    }

    @Test
    void share_shouldReportAlreadyPresent_whenRunTwice() {
        SharedAmi ami = SharedAmi.create(aws);
        stages.shareSnapshots(ami.imageId(), Accounts.CONSUMER);

        SnapshotPermissionResult second = stages.shareSnapshots(ami.imageId(), Accounts.CONSUMER);

        assertThat(second.snapshots()).allSatisfy(s -> {
            assertThat(s.added()).isZero();
            assertThat(s.alreadyPresent()).isEqualTo(1);
            assertThat(s.calls()).isZero();
        });
        assertThat(stages.snapshotIds(ami.imageId())).allSatisfy(id ->
                assertThat(permittedUsers(id)).containsExactly(Accounts.CONSUMER));
    }
}
