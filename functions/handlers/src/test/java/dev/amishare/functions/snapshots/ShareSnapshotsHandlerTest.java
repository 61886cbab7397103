package dev.amishare.functions.snapshots;

import dev.amishare.functions.testing.FakeDynamoDb;
import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.testing.Perimeters;

import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.FakeS3;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ShareSnapshotsHandlerTest {

    @Test
    void handleRequest_shouldWriteTheResultAsJson_whenInputIsValid() {
        // GIVEN
        ShareSnapshotsHandler handler = new ShareSnapshotsHandler(new SnapshotPermissionService(new FakeEc2(), Perimeters.testGuard(),
                new FakeS3().store(), FakeDynamoDb.ledger()));
        String in = "{\"snapshotIds\":[\"snap-11111111\"],\"accountIds\":[\"222222222222\"],\"executionId\":\"e\"}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // WHEN
        handler.handleRequest(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out, null);

        // THEN
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"snapshots\":[{\"snapshotId\":\"snap-11111111\","
                + "\"added\":1,\"alreadyPresent\":0,\"removed\":0,\"absent\":0,\"calls\":1}],\"dryRun\":false}");
    }
}
