package dev.amishare.functions.keypolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.common.Json;
import org.junit.jupiter.api.Test;

class KeyPolicyInputJsonTest {

    private static final String KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    @Test
    void read_shouldTakeTheImage_whenTheWorkflowPassesIt() {
        // GIVEN the payload the workflow's "Patch key policies" task sends
        String json = "{\"imageId\":\"ami-0123456789abcdef0\",\"keyArns\":[\"" + KEY + "\"],"
                + "\"principals\":{\"accountIds\":[\"222222222222\"]},\"dryRun\":false,\"executionId\":\"exec-1\"}";

        // WHEN
        KeyPolicyInput input = Json.read(json, KeyPolicyInput.class);

        // THEN
        assertThat(input.imageId()).isEqualTo("ami-0123456789abcdef0");
        assertThat(input.keyArns()).containsExactly(KEY);
        assertThat(input.principals().accountIds()).containsExactly("222222222222");
    }

    @Test
    void validate_shouldNameTheImage_whenItIsMalformed() {
        // GIVEN
        KeyPolicyInput input = Json.read("{\"imageId\":\"img-1\",\"keyArns\":[\"" + KEY + "\"],"
                + "\"principals\":{\"accountIds\":[\"222222222222\"]}}", KeyPolicyInput.class);

        // WHEN / THEN
        assertThatThrownBy(input::validate).isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("imageId");
    }
}
