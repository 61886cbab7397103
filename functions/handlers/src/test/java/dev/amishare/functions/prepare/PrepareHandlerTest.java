package dev.amishare.functions.prepare;

import dev.amishare.functions.testing.FakeDynamoDb;
import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.testing.Perimeters;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.testing.RecordingKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;

class PrepareHandlerTest {

    private final FakeEc2 ec2 = new FakeEc2();
    private final FakeS3 s3 = new FakeS3();
    private final PrepareHandler handler =
            new PrepareHandler(new PrepareService(ec2, new RecordingKms(), new FakeSts("111111111111"),
                    Perimeters.testGuard(), ou -> List.of(), s3.store(), FakeDynamoDb.ledger()));

    private String invoke(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void handleRequest_shouldWriteThePreparedShare_whenTheFixtureRequestIsValid() throws IOException {
        // GIVEN the documented example request and an unencrypted AMI without snapshots
        ec2.images.put("ami-0123456789abcdef0", Image.builder().imageId("ami-0123456789abcdef0").name("golden")
                .ownerId("111111111111").state(ImageState.AVAILABLE).build());
        String request = Files.readString(Path.of("../../events/requests/valid-full.json"));

        // WHEN
        String out = invoke("{\"request\":" + request + ",\"executionId\":\"exec-1\"}");

        // THEN the result names the target list in S3 and counts it; the request goes on without its targets
        assertThat(out).isEqualTo("{\"request\":{\"imageId\":\"ami-0123456789abcdef0\",\"sourceRegion\":\"us-east-1\","
                + "\"targets\":[],\"organizationArns\":[],\"organizationalUnitArns\":[],\"copyToOrganizationalUnits\":[],"
                + "\"consumerRoleName\":\"AmiShareConsumer\",\"dryRun\":false,\"rollbackOnFailure\":false,"
                + "\"toleratedFailurePercentage\":0,\"requestedBy\":null},"
                + "\"ownerAccountId\":\"111111111111\",\"region\":\"us-east-1\",\"imageName\":\"golden\",\"snapshots\":[],"
                + "\"customerManagedKeyArns\":[],\"encrypted\":false,"
                + "\"targets\":{\"accounts\":{\"bucket\":\"amishare-share-data\",\"key\":\"shares/exec-1/targets.json\"},"
                + "\"accountCount\":2,\"organizationArns\":[],\"organizationalUnitArns\":[]},\"copyingAccountCount\":1,"
                + "\"baseline\":{\"bucket\":\"amishare-share-data\",\"key\":\"shares/exec-1/baseline.json\"},"
                + "\"executionId\":\"exec-1\"}");
        // AND the targets, with their copies, and the (empty) baseline are what was written there
        assertThat(s3.text("shares/exec-1/targets.json")).isEqualTo("[{\"accountId\":\"222222222222\",\"copy\":["
                + "{\"region\":\"us-east-1\",\"kmsKeyId\":\"arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab\"},"
                + "{\"region\":\"eu-west-1\",\"kmsKeyId\":\"alias/golden-ami\"}]},"
                + "{\"accountId\":\"333333333333\",\"copy\":[]}]");
        assertThat(s3.text("shares/exec-1/baseline.json"))
                .isEqualTo("{\"launchPermission\":[],\"keys\":{},\"snapshots\":{}}");
    }

    @Test
    void handleRequest_shouldListEveryProblem_whenTheRequestHasSeveral() {
        // WHEN / THEN
        assertThatThrownBy(() -> invoke("{\"request\":{\"imageId\":\"ami-1\",\"targets\":[{\"accountId\":\"1\"}],"
                + "\"dryrun\":true}}"))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems())
                        .hasSize(3)
                        .anySatisfy(p -> assertThat(p).startsWith("dryrun: unknown field")));
        assertThat(ec2.calls).isZero();
    }
}
