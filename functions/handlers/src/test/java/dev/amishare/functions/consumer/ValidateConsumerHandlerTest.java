package dev.amishare.functions.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.common.ConsumerRoles;

import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.testing.FakeTargetClients;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ValidateConsumerHandlerTest {

    @Test
    void handleRequest_shouldWriteEveryCheck_whenTheTargetIsReady() {
        // GIVEN
        FakeTargetClients target = new FakeTargetClients();
        ConsumerValidationServiceTest.shared(target);
        ValidateConsumerHandler handler =
                new ValidateConsumerHandler(new ConsumerValidationService(new ConsumerRoles(new FakeSts("111111111111"), null), target));
        String in = "{\"imageId\":\"ami-0123456789abcdef0\",\"sourceRegion\":\"us-east-1\","
                + "\"ownerAccountId\":\"111111111111\",\"targetRole\":{\"accountId\":\"222222222222\",\"roleName\":\"AmiShareConsumer\"},\"ownerKeyArns\":[\"" + ConsumerValidationServiceTest.OWNER_KEY
                + "\"],\"ownerKeys\":[{\"keyArn\":\"" + ConsumerValidationServiceTest.OWNER_KEY + "\",\"policyChanged\":true,"
                + "\"added\":1,\"alreadyPresent\":0,\"removed\":0,\"absent\":0,\"policyBytes\":1200,\"verified\":true}],"
                + "\"copy\":[{\"region\":\"eu-west-1\",\"kmsKeyId\":\"alias/golden-ami\"}],\"executionId\":\"e\"}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // WHEN
        handler.handleRequest(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out, null);

        // THEN
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("{\"accountId\":\"222222222222\","
                + "\"roleArn\":\"arn:aws:iam::222222222222:role/AmiShareConsumer\",\"checks\":[{\"name\":\"image visible: "
                + "ami-0123456789abcdef0 in us-east-1\",\"passed\":true,\"reason\":\"listed\"}");
    }
}
