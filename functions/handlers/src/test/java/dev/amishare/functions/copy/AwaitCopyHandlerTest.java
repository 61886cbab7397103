package dev.amishare.functions.copy;

import dev.amishare.functions.common.ConsumerRoles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.testing.FakeSfn;
import dev.amishare.functions.testing.FakeDynamoDb;
import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.testing.FakeTargetClients;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.StateReason;

class AwaitCopyHandlerTest {

    private static final String COPY = "ami-00000000000000001";
    private static final String PK = "COPY#222222222222#eu-west-1#" + COPY;
    private static final String INPUT = "{\"taskToken\":\"token-1\","
            + "\"targetRole\":{\"accountId\":\"222222222222\",\"roleName\":\"AmiShareConsumer\"},"
            + "\"region\":\"eu-west-1\",\"imageId\":\"" + COPY + "\","
            + "\"executionId\":\"run-1\"}";

    private final FakeTargetClients target = new FakeTargetClients();
    private final FakeDynamoDb ddb = new FakeDynamoDb();
    private final FakeSfn sfn = new FakeSfn();
    private final AwaitCopyHandler handler = new AwaitCopyHandler(new AwaitCopyService(
            new CopyStatusService(new ConsumerRoles(new FakeSts("111111111111"), null), target),
            new CopyTokenStore(ddb, FakeDynamoDb.TABLE, Duration.ofHours(8)), new CopyResumer(sfn)));

    private void copyIs(ImageState state, String reason) {
        target.ec2("eu-west-1").images.put(COPY, Image.builder().imageId(COPY).state(state)
                .stateReason(reason == null ? null : StateReason.builder().message(reason).build()).build());
    }

    private String invoke(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void await_shouldStoreTheTokenAndResumeNothing_whenTheCopyIsPending() {
        // GIVEN a copy still in progress
        copyIs(ImageState.PENDING, null);

        // WHEN
        String out = invoke(INPUT);

        // THEN the token waits for EC2's event, with the execution that stored it and the role to read the copy
        // as, under (account, region, image) and the execution
        assertThat(ddb.sortKeys(PK)).containsExactly("run-1");
        assertThat(ddb.item(PK, "run-1").get("taskToken").s()).isEqualTo("token-1");
        assertThat(ddb.item(PK, "run-1").get("roleName").s()).isEqualTo("AmiShareConsumer");
        assertThat(ddb.item(PK, "run-1").get("expiresAt").n()).isNotNull();
        assertThat(sfn.successes).isEmpty();
        assertThat(sfn.failures).isEmpty();
        assertThat(out).contains("\"state\":\"pending\"");
    }

    @Test
    void await_shouldResumeAtOnceAndForgetTheToken_whenTheCopyFinishedBeforeTheTokenWasStored() {
        // GIVEN a copy that became available before the workflow reached Await copy
        copyIs(ImageState.AVAILABLE, null);

        // WHEN
        invoke(INPUT);

        // THEN
        assertThat(sfn.successes).singleElement().satisfies(s -> {
            assertThat(s.taskToken()).isEqualTo("token-1");
            assertThat(s.output()).isEqualTo("{\"accountId\":\"222222222222\",\"region\":\"eu-west-1\","
                    + "\"imageId\":\"" + COPY + "\",\"state\":\"available\"}");
        });
        assertThat(ddb.sortKeys(PK)).isEmpty();
    }

    @Test
    void await_shouldFailTheTaskWithCopyFailed_whenTheCopyHadFailed() {
        // GIVEN
        copyIs(ImageState.FAILED, "InternalError: snapshot copy failed");

        // WHEN
        invoke(INPUT);

        // THEN the workflow sees the named error and EC2's reason
        assertThat(sfn.failures).singleElement().satisfies(f -> {
            assertThat(f.error()).isEqualTo("dev.amishare.errors.CopyFailedException");
            assertThat(f.cause()).contains(COPY, "222222222222", "eu-west-1", "failed",
                    "InternalError: snapshot copy failed");
        });
        assertThat(sfn.successes).isEmpty();
        assertThat(ddb.sortKeys(PK)).isEmpty();
    }

    @Test
    void await_shouldReplaceTheToken_whenARecheckBringsANewOne() {
        // GIVEN a first wait that went silent
        copyIs(ImageState.PENDING, null);
        invoke(INPUT);

        // WHEN the heartbeat retry runs the task again with a new token
        invoke(INPUT.replace("token-1", "token-2"));

        // THEN the execution's item holds the new token, and no second item was added
        assertThat(ddb.sortKeys(PK)).containsExactly("run-1");
        assertThat(ddb.item(PK, "run-1").get("taskToken").s()).isEqualTo("token-2");
    }

    @Test
    void await_shouldRefuse_whenInvokedWithoutATaskToken() {
        // GIVEN an input without token (the task was not invoked with waitForTaskToken)
        String input = INPUT.replace("\"taskToken\":\"token-1\",", "");

        // WHEN / THEN
        assertThatThrownBy(() -> invoke(input)).isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("taskToken");
        assertThat(ddb.count("PutItem")).isZero();
    }

    @Test
    void await_shouldKeepTheOtherExecutionsToken_whenTwoExecutionsAwaitTheSameCopy() {
        // GIVEN run-1 waits for the copy
        copyIs(ImageState.PENDING, null);
        invoke(INPUT);

        // WHEN run-2 awaits the same copy, which has become available meanwhile
        copyIs(ImageState.AVAILABLE, null);
        invoke(INPUT.replace("token-1", "token-2").replace("run-1", "run-2"));

        // THEN run-2 is resumed and forgotten; run-1's token stays for EC2's event
        assertThat(sfn.successes).singleElement().satisfies(s -> assertThat(s.taskToken()).isEqualTo("token-2"));
        assertThat(ddb.sortKeys(PK)).containsExactly("run-1");
    }

    @Test
    void await_shouldRefuse_whenInvokedWithoutAnExecutionId() {
        // GIVEN an input that does not say which execution waits
        String input = INPUT.replace(",\"executionId\":\"run-1\"", "");

        // WHEN / THEN
        assertThatThrownBy(() -> invoke(input)).isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("executionId");
        assertThat(ddb.count("PutItem")).isZero();
    }
}
