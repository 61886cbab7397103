package dev.amishare.functions.copy;

import software.amazon.awssdk.services.ec2.model.StateReason;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.Image;
import dev.amishare.functions.testing.FakeTargetClients;
import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.errors.ConsumerRoleNotAssumableException;
import dev.amishare.errors.UntrustedEventException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.functions.testing.FakeSfn;
import dev.amishare.functions.testing.FakeDynamoDb;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CopyEventHandlerTest {

    private static final String COPY = "ami-00000000000000001";
    private static final String PK = "COPY#222222222222#eu-west-1#" + COPY;

    private final FakeDynamoDb ddb = new FakeDynamoDb();
    /** As AwaitCopy stores tokens: the same table, the workflow's wait. */
    private final CopyTokenStore tokens = new CopyTokenStore(ddb, FakeDynamoDb.TABLE, Duration.ofHours(8));
    private final FakeSfn sfn = new FakeSfn();
    private final FakeTargetClients target = new FakeTargetClients();
    private final FakeSts sts = new FakeSts("111111111111");
    private final CopyEventHandler handler = new CopyEventHandler(new CopyEventService(
            new CopyTokenStore(ddb, FakeDynamoDb.TABLE, null), new CopyResumer(sfn),
            new CopyStatusService(new ConsumerRoles(sts, null), target)));

    /** What Await copy stores for the waiting execution. */
    private static final CopyTokenStore.Waiter WAITER = new CopyTokenStore.Waiter("token-1", "run-1", "AmiShareConsumer");

    private void waiting(CopyTokenStore.Waiter waiter) {
        tokens.put("222222222222", "eu-west-1", COPY, waiter);
    }

    /** The copy as EC2 reports it to the target's consumer role. */
    private void copyIs(ImageState state, String reason) {
        target.ec2("eu-west-1").images.put(COPY, Image.builder().imageId(COPY).state(state)
                .stateReason(reason == null ? null : StateReason.builder().message(reason).build()).build());
    }

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
        // GIVEN an execution awaiting the copy, which EC2 reports available
        waiting(WAITER);
        copyIs(ImageState.AVAILABLE, null);

        // WHEN
        String out = invoke(event("available", ""));

        // THEN the task gets a CopyStatusResult, and the token is forgotten
        assertThat(sfn.successes).singleElement().satisfies(s -> {
            assertThat(s.taskToken()).isEqualTo("token-1");
            assertThat(s.output()).isEqualTo("{\"accountId\":\"222222222222\",\"region\":\"eu-west-1\","
                    + "\"imageId\":\"" + COPY + "\",\"state\":\"available\"}");
        });
        assertThat(ddb.sortKeys(PK)).isEmpty();
        assertThat(out).isEqualTo("{\"resumed\":true}");
    }

    @Test
    void event_shouldFailTheTaskWithCopyFailed_whenTheCopyFailed() {
        // GIVEN
        waiting(WAITER);
        copyIs(ImageState.FAILED, "Copy of snapshot failed");

        // WHEN
        invoke(event("failed", "Copy of snapshot failed"));

        // THEN
        assertThat(sfn.failures).singleElement().satisfies(f -> {
            assertThat(f.taskToken()).isEqualTo("token-1");
            assertThat(f.error()).isEqualTo("dev.amishare.errors.CopyFailedException");
            assertThat(f.cause()).contains(COPY, "Copy of snapshot failed");
        });
        assertThat(ddb.sortKeys(PK)).isEmpty();
    }

    @Test
    void event_shouldIgnoreTheImage_whenNoExecutionAwaitsIt() {
        // GIVEN no stored token (a copy made outside amishare, or already resumed by the re-check)

        // WHEN
        String out = invoke(event("available", ""));

        // THEN
        assertThat(out).isEqualTo("{\"resumed\":false}");
        assertThat(sfn.successes).isEmpty();
        assertThat(ddb.count("DeleteItem")).isZero();
    }

    @Test
    void event_shouldResumeNothing_whenTheStateIsNotFinal() {
        // GIVEN
        waiting(WAITER);

        // WHEN
        String out = invoke(event("pending", ""));

        // THEN the token keeps waiting
        assertThat(out).isEqualTo("{\"resumed\":false}");
        assertThat(tokens.get("222222222222", "eu-west-1", COPY)).containsExactly(WAITER);
    }

    @Test
    void event_shouldTolerateAClosedToken_whenTheRecheckResumedTheTaskFirst() {
        // GIVEN a token whose task Await copy's own read already resumed
        waiting(WAITER);
        copyIs(ImageState.AVAILABLE, null);
        sfn.closed.add("token-1");

        // WHEN
        String out = invoke(event("available", ""));

        // THEN no error: the task is closed, the token forgotten
        assertThat(out).isEqualTo("{\"resumed\":true}");
        assertThat(ddb.sortKeys(PK)).isEmpty();
    }

    @Test
    void event_shouldRefuseAndResumeNothing_whenEc2ContradictsTheEvent() {
        // GIVEN an execution awaiting a copy that EC2 still reports pending, and a made-up "available" event
        // (a direct invocation of the function, or an event not sent by EC2)
        waiting(WAITER);
        copyIs(ImageState.PENDING, null);

        // WHEN / THEN the named error, read as the waiting execution's consumer role; nothing resumed or forgotten
        assertThatThrownBy(() -> invoke(event("available", ""))).isInstanceOf(UntrustedEventException.class)
                .hasMessageContaining("EC2 says pending").hasMessageContaining("run-1 keeps waiting");
        assertThat(sts.assumed).singleElement().satisfies(
                a -> assertThat(a.roleArn()).isEqualTo("arn:aws:iam::222222222222:role/AmiShareConsumer"));
        assertThat(sfn.successes).isEmpty();
        assertThat(sfn.failures).isEmpty();
        assertThat(tokens.get("222222222222", "eu-west-1", COPY)).containsExactly(WAITER);
    }

    @Test
    void event_shouldResumeEveryWaiterAndForgetEach_whenTwoExecutionsAwaitTheCopy() {
        // GIVEN two executions awaiting the same copy, with different consumer roles, which EC2 reports available
        waiting(WAITER);
        waiting(new CopyTokenStore.Waiter("token-2", "run-2", "OtherConsumer"));
        copyIs(ImageState.AVAILABLE, null);

        // WHEN
        String out = invoke(event("available", ""));

        // THEN both tasks get the status, each verified as its own role, and both tokens are forgotten
        assertThat(out).isEqualTo("{\"resumed\":true}");
        assertThat(sfn.successes).extracting(s -> s.taskToken()).containsExactlyInAnyOrder("token-1", "token-2");
        assertThat(sts.assumed).extracting(a -> a.roleArn()).containsExactlyInAnyOrder(
                "arn:aws:iam::222222222222:role/AmiShareConsumer", "arn:aws:iam::222222222222:role/OtherConsumer");
        assertThat(ddb.sortKeys(PK)).isEmpty();
    }

    @Test
    void event_shouldSkipTheWaiter_whenItsTokenHasExpired() {
        // GIVEN a token stored more than the wait (plus margin) ago by an execution that was stopped, and a live one
        new CopyTokenStore(ddb, FakeDynamoDb.TABLE, Duration.ofHours(8),
                Clock.fixed(Instant.now().minus(Duration.ofHours(9)), ZoneOffset.UTC))
                .put("222222222222", "eu-west-1", COPY, new CopyTokenStore.Waiter("token-old", "run-old", "AmiShareConsumer"));
        waiting(WAITER);
        copyIs(ImageState.AVAILABLE, null);

        // WHEN
        invoke(event("available", ""));

        // THEN only the live one is resumed; the expired item is left to time to live
        assertThat(sfn.successes).singleElement().satisfies(s -> assertThat(s.taskToken()).isEqualTo("token-1"));
        assertThat(ddb.sortKeys(PK)).containsExactly("run-old");
    }

    @Test
    void event_shouldResumeTheOtherWaiterAndRaiseAfter_whenOneWaitersRoleCannotBeAssumed() {
        // GIVEN two waiters of an available copy; run-2's consumer role cannot be assumed
        waiting(WAITER);
        waiting(new CopyTokenStore.Waiter("token-2", "run-2", "OtherConsumer"));
        copyIs(ImageState.AVAILABLE, null);
        sts.deniedRoles.add("arn:aws:iam::222222222222:role/OtherConsumer");

        // WHEN / THEN run-1 is resumed and forgotten; run-2's failure is raised after, and its token stays
        assertThatThrownBy(() -> invoke(event("available", ""))).isInstanceOf(ConsumerRoleNotAssumableException.class)
                .hasMessageContaining("OtherConsumer");
        assertThat(sfn.successes).singleElement().satisfies(s -> assertThat(s.taskToken()).isEqualTo("token-1"));
        assertThat(ddb.sortKeys(PK)).containsExactly("run-2");
    }
}
