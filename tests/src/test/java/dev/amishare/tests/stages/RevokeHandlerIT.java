package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;

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
        return Handlers.invoke(stages.revoke, new RevokeInput(ami.imageId(), List.of(Accounts.CONSUMER), null, null,
                ami.ownerKeyArns(), stages.snapshotIds(ami.imageId()), false, "it"), RevokeResult.class);
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
        assertThat(result.launchPermissionsRemoved()).containsExactly(Accounts.CONSUMER);
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
    void revoke_shouldReportAbsent_whenRunTwice() {
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        revoke(ami);

        RevokeResult second = revoke(ami);

        assertThat(second.launchPermissionsRemoved()).isEmpty();
        assertThat(second.launchPermissionsAbsent()).containsExactly(Accounts.CONSUMER);
    }
}
