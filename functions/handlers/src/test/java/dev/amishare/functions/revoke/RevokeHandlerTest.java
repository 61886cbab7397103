package dev.amishare.functions.revoke;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.testing.Perimeters;

import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.FakeDynamoDb;
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
        FakeS3 s3 = new FakeS3();
        dev.amishare.functions.ledger.ShareLedger ledger = FakeDynamoDb.ledger();
        RevokeHandler handler = new RevokeHandler(
                new RevokeService(ec2, new SnapshotPermissionService(ec2, Perimeters.testGuard(), s3.store(), ledger),
                        new KeyPolicyService(new RecordingKms(), Perimeters.testGuard(), s3.store(), ledger),
                        Perimeters.testGuard(), s3.store(), ledger));
        String in = "{\"imageId\":\"ami-12345678\",\"principals\":{\"accountIds\":[\"222222222222\"]},\"snapshotIds\":[\"snap-11111111\"]}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // WHEN
        handler.handleRequest(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out, null);

        // THEN
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"imageId\":\"ami-12345678\","
                + "\"launchPermissionsRemoved\":0,\"launchPermissionsAbsent\":1,\"keys\":[],"
                + "\"snapshots\":[{\"snapshotId\":\"snap-11111111\",\"added\":0,\"alreadyPresent\":0,\"removed\":0,"
                + "\"absent\":1,\"calls\":0}],\"dryRun\":false}");
        assertThat(ec2.imageModifications).isEmpty();
    }
}
