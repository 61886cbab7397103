package dev.amishare.functions.keypolicy;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.FakeDynamoDb;
import dev.amishare.functions.testing.Perimeters;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.testing.RecordingKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyPolicyHandlerTest {

    private static final String KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private final RecordingKms kms = new RecordingKms();
    private final KeyPolicyHandler handler = new KeyPolicyHandler(new KeyPolicyService(kms, Perimeters.testGuard(), new FakeS3().store(), FakeDynamoDb.ledger()));

    private String invoke(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void handleRequest_shouldWriteTheResultAsJson_whenInputIsValid() {
        // GIVEN
        kms.policies.put(KEY, KeyPolicyDocumentTest.DEFAULT_POLICY);

        // WHEN
        String out = invoke("{\"keyArns\":[\"" + KEY + "\"],\"principals\":{\"accountIds\":[\"222222222222\"]},\"executionId\":\"e\"}");

        // THEN
        assertThat(out).startsWith("{\"keys\":[{\"keyArn\":\"" + KEY + "\",\"policyChanged\":true,"
                + "\"added\":1,\"alreadyPresent\":0,\"removed\":0,\"absent\":0,\"policyBytes\":")
                .endsWith(",\"verified\":true}],\"dryRun\":false}");
    }

    @Test
    void handleRequest_shouldRejectUnknownFields_whenInputHasATypo() {
        assertThatThrownBy(() -> invoke("{\"keyArn\":[\"" + KEY + "\"],\"accountIds\":[\"222222222222\"]}"))
                .isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("unknown field 'keyArn'");
        assertThat(kms.reads).isZero();
    }
}
