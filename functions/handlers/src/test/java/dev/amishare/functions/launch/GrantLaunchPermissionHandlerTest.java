package dev.amishare.functions.launch;

import dev.amishare.functions.testing.FakeDynamoDb;
import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.Perimeters;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.InvalidShareRequestException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GrantLaunchPermissionHandlerTest {

    private final RecordingEc2 ec2 = new RecordingEc2();
    private final GrantLaunchPermissionHandler handler =
            new GrantLaunchPermissionHandler(new GrantLaunchPermissionService(ec2, Perimeters.testGuard(), new FakeS3().store(),
                    FakeDynamoDb.ledger()));

    private String invoke(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void handleRequest_shouldWriteTheResultAsJson_whenInputIsValid() {
        // WHEN
        String out = invoke("{\"imageId\":\"ami-12345678\",\"principals\":{\"accountIds\":[\"222222222222\"]}}");

        // THEN
        assertThat(out).isEqualTo(
                "{\"imageId\":\"ami-12345678\",\"added\":1,\"alreadyPresent\":0,\"calls\":1,\"dryRun\":false}");
    }

    @Test
    void handleRequest_shouldRejectUnknownFields_whenInputHasATypo() {
        // GIVEN "acountIds" instead of "accountIds"
        assertThatThrownBy(() -> invoke("{\"imageId\":\"ami-12345678\",\"acountIds\":[\"222222222222\"]}"))
                .isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("unknown field 'acountIds'");
        assertThat(ec2.describeCalls).isZero();
    }

    @Test
    void handleRequest_shouldRaiseValidationError_whenInputIsNotJson() {
        assertThatThrownBy(() -> invoke("{not json"))
                .isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("not valid JSON");
    }
}
