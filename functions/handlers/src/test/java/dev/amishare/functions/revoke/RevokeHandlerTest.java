package dev.amishare.functions.revoke;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.testing.Perimeters;

import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.RecordingKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RevokeHandlerTest {

    @Test
    void handleRequest_shouldWriteTheResultAsJson_whenNothingWasShared() {
        // GIVEN an unencrypted AMI never shared
        FakeEc2 ec2 = new FakeEc2();
        RevokeHandler handler = new RevokeHandler(
                new RevokeService(ec2, new SnapshotPermissionService(ec2, Perimeters.testGuard()),
                        new KeyPolicyService(new RecordingKms(), Perimeters.testGuard()), Perimeters.testGuard()));
        String in = "{\"imageId\":\"ami-12345678\",\"principals\":{\"accountIds\":[\"222222222222\"]},\"snapshotIds\":[\"snap-11111111\"]}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // WHEN
        handler.handleRequest(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out, null);

        // THEN
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"imageId\":\"ami-12345678\","
                + "\"launchPermissionsRemoved\":[],\"launchPermissionsAbsent\":[\"222222222222\"],\"keys\":[],"
                + "\"snapshots\":[{\"snapshotId\":\"snap-11111111\",\"added\":[],\"alreadyPresent\":[],\"removed\":[],"
                + "\"absent\":[\"222222222222\"]}],\"dryRun\":false}");
        assertThat(ec2.imageModifications).isEmpty();
    }
}
