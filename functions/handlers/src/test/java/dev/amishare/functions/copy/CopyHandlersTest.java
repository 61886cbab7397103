package dev.amishare.functions.copy;

import dev.amishare.functions.testing.Perimeters;
import dev.amishare.functions.common.ConsumerRoles;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.testing.FakeTargetClients;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;

class CopyHandlersTest {

    private final FakeTargetClients target = new FakeTargetClients();
    private final FakeSts sts = new FakeSts("111111111111");

    private static String invoke(RequestStreamHandler handler, String json) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void copyHandler_shouldWriteTheCopyAsJson_whenInputIsValid() throws IOException {
        // GIVEN
        CopyImageHandler handler = new CopyImageHandler(new CopyImageService(new ConsumerRoles(sts, null), target, Perimeters.testGuard()));

        // WHEN
        String out = invoke(handler, "{\"sourceImageId\":\"ami-0123456789abcdef0\",\"sourceRegion\":\"us-east-1\","
                + "\"ownerAccountId\":\"111111111111\",\"imageName\":\"golden\","
                + "\"targetRole\":{\"accountId\":\"222222222222\",\"roleName\":\"AmiShareConsumer\"},"
                + "\"region\":\"eu-west-1\",\"kmsKeyId\":\"alias/golden-ami\"}");

        // THEN
        assertThat(out).isEqualTo("{\"accountId\":\"222222222222\",\"region\":\"eu-west-1\","
                + "\"kmsKeyId\":\"alias/golden-ami\",\"imageId\":\"ami-00000000000000001\",\"state\":\"pending\"}");
    }

    @Test
    void statusHandler_shouldWriteTheStateAsJson_whenTheCopyIsAvailable() throws IOException {
        // GIVEN
        target.ec2("eu-west-1").images.put("ami-00000000000000001",
                Image.builder().imageId("ami-00000000000000001").state(ImageState.AVAILABLE).build());
        CopyStatusHandler handler = new CopyStatusHandler(new CopyStatusService(new ConsumerRoles(sts, null), target));

        // WHEN
        String out = invoke(handler, "{\"targetRole\":{\"accountId\":\"222222222222\"},"
                + "\"region\":\"eu-west-1\",\"imageId\":\"ami-00000000000000001\"}");

        // THEN
        assertThat(out).isEqualTo("{\"accountId\":\"222222222222\",\"region\":\"eu-west-1\","
                + "\"imageId\":\"ami-00000000000000001\",\"state\":\"available\"}");
    }
}
