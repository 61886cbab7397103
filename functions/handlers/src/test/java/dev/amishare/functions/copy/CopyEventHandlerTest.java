package dev.amishare.functions.copy;

import dev.amishare.contract.Names;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.functions.testing.FakeSfn;
import dev.amishare.functions.testing.FakeSsm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CopyEventHandlerTest {

    private static final String COPY = "ami-00000000000000001";
    private static final String PARAMETER = "/amishare/copy-tokens/222222222222/eu-west-1/" + COPY;

    private final FakeSsm ssm = new FakeSsm();
    private final FakeSfn sfn = new FakeSfn();
    private final CopyEventHandler handler = new CopyEventHandler(new CopyEventService(
            new CopyTokenStore(ssm, Names.COPY_TOKEN_PREFIX), new CopyResumer(sfn)));

    /** An "EC2 AMI State Change" event as EventBridge delivers it, forwarded from the target account. */
    private static String event(String state, String errorMessage) {
        return "{\"version\":\"0\",\"id\":\"7b4e7a0c\",\"detail-type\":\"EC2 AMI State Change\",\"source\":\"aws.ec2\","
                + "\"account\":\"222222222222\",\"time\":\"2026-11-23T02:00:00Z\",\"region\":\"eu-west-1\","
                + "\"resources\":[\"arn:aws:ec2:eu-west-1::image/" + COPY + "\"],"
                + "\"detail\":{\"RequestId\":\"r-1\",\"ImageId\":\"" + COPY + "\",\"State\":\"" + state + "\","
                + "\"ErrorMessage\":\"" + errorMessage + "\"}}";
    }

    private String invoke(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void event_shouldResumeWithTheCopyStatusAndDeleteTheToken_whenTheCopyBecameAvailable() {
        // GIVEN an execution awaiting the copy
        ssm.parameters.put(PARAMETER, "token-1");

        // WHEN
        String out = invoke(event("available", ""));

        // THEN the task gets a CopyStatusResult, and the token is forgotten
        assertThat(sfn.successes).singleElement().satisfies(s -> {
            assertThat(s.taskToken()).isEqualTo("token-1");
            assertThat(s.output()).isEqualTo("{\"accountId\":\"222222222222\",\"region\":\"eu-west-1\","
                    + "\"imageId\":\"" + COPY + "\",\"state\":\"available\"}");
        });
        assertThat(ssm.parameters).isEmpty();
        assertThat(out).isEqualTo("{\"resumed\":true}");
    }

    @Test
    void event_shouldFailTheTaskWithCopyFailed_whenTheCopyFailed() {
        // GIVEN
        ssm.parameters.put(PARAMETER, "token-1");

        // WHEN
        invoke(event("failed", "Copy of snapshot failed"));

        // THEN
        assertThat(sfn.failures).singleElement().satisfies(f -> {
            assertThat(f.taskToken()).isEqualTo("token-1");
            assertThat(f.error()).isEqualTo("dev.amishare.errors.CopyFailedException");
            assertThat(f.cause()).contains(COPY, "Copy of snapshot failed");
        });
        assertThat(ssm.parameters).isEmpty();
    }

    @Test
    void event_shouldIgnoreTheImage_whenNoExecutionAwaitsIt() {
        // GIVEN no stored token (a copy made outside amishare, or already resumed by the re-check)

        // WHEN
        String out = invoke(event("available", ""));

        // THEN
        assertThat(out).isEqualTo("{\"resumed\":false}");
        assertThat(sfn.successes).isEmpty();
        assertThat(ssm.deletes).isZero();
    }

    @Test
    void event_shouldResumeNothing_whenTheStateIsNotFinal() {
        // GIVEN
        ssm.parameters.put(PARAMETER, "token-1");

        // WHEN
        String out = invoke(event("pending", ""));

        // THEN the token keeps waiting
        assertThat(out).isEqualTo("{\"resumed\":false}");
        assertThat(ssm.parameters).containsEntry(PARAMETER, "token-1");
    }

    @Test
    void event_shouldTolerateAClosedToken_whenTheRecheckResumedTheTaskFirst() {
        // GIVEN a token whose task Await copy's own read already resumed
        ssm.parameters.put(PARAMETER, "token-1");
        sfn.closed.add("token-1");

        // WHEN
        String out = invoke(event("available", ""));

        // THEN no error: the task is closed, the token forgotten
        assertThat(out).isEqualTo("{\"resumed\":true}");
        assertThat(ssm.parameters).isEmpty();
    }
}
