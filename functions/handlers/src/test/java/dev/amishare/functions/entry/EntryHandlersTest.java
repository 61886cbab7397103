package dev.amishare.functions.entry;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.testing.Perimeters;
import dev.amishare.errors.UntrustedEventException;
import dev.amishare.errors.TargetGroupNotFoundException;
import dev.amishare.contract.Names;
import dev.amishare.functions.testing.FakeSsm;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.functions.common.Json;
import dev.amishare.functions.model.ShareRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/** The entry handlers: sample event in, StartExecution calls out. */
class EntryHandlersTest {

    /** The owner account, where the sample tag-change event happens, and the management account, where the
     *  sample account-vending events happen (111111111111 is both in the samples). */
    private static final String OWNER = "111111111111";
    private static final String MANAGEMENT = "111111111111";

    private static final String ARN = "arn:aws:states:us-east-1:111111111111:stateMachine:share";

    /**
     * Records StartExecution calls; names in {@code existing} answer ExecutionAlreadyExists, and
     * DescribeExecution answers their status in {@code ended} (SUCCEEDED when not there).
     */
    private static final class RecordingSfn implements SfnClient {
        final List<StartExecutionRequest> calls = new ArrayList<>();
        final List<String> existing = new ArrayList<>();
        final java.util.Map<String, ExecutionStatus> ended = new java.util.HashMap<>();

        @Override
        public DescribeExecutionResponse describeExecution(DescribeExecutionRequest request) {
            String name = request.executionArn().substring(request.executionArn().lastIndexOf(':') + 1);
            assertThat(request.executionArn()).isEqualTo(ARN.replace("stateMachine", "execution") + ":" + name);
            return DescribeExecutionResponse.builder().executionArn(request.executionArn())
                    .status(ended.getOrDefault(name, ExecutionStatus.SUCCEEDED)).build();
        }

        @Override
        public DescribeExecutionResponse describeExecution(Consumer<DescribeExecutionRequest.Builder> request) {
            DescribeExecutionRequest.Builder b = DescribeExecutionRequest.builder();
            request.accept(b);
            return describeExecution(b.build());
        }

        @Override
        public StartExecutionResponse startExecution(StartExecutionRequest request) {
            calls.add(request);
            if (existing.contains(request.name())) {
                throw ExecutionAlreadyExistsException.builder().message("exists").build();
            }
            return StartExecutionResponse.builder().executionArn(ARN.replace("stateMachine", "execution") + ":"
                    + request.name()).build();
        }

        @Override
        public StartExecutionResponse startExecution(Consumer<StartExecutionRequest.Builder> request) {
            StartExecutionRequest.Builder b = StartExecutionRequest.builder();
            request.accept(b);
            return startExecution(b.build());
        }

        @Override
        public String serviceName() {
            return "sfn";
        }

        @Override
        public void close() {
        }
    }

    private static String run(com.amazonaws.services.lambda.runtime.RequestStreamHandler handler, String file)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(Files.newInputStream(EntryNormalizerTest.ENTRY.resolve(file)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void handleRequest_shouldStartOneExecutionWithTheShareRequest_whenTheTargetsTagChanged() throws IOException {
        // GIVEN
        RecordingSfn sfn = new RecordingSfn();
        ShareTagChangedHandler handler = new ShareTagChangedHandler(new ShareTagChangedService(new ExecutionStarter(sfn, ARN), OWNER));

        // WHEN
        EntryResult result = Json.read(run(handler, "tag-change-image-targets.json"), EntryResult.class);

        // THEN the StartExecution input is the share request
        assertThat(sfn.calls).hasSize(1);
        StartExecutionRequest call = sfn.calls.get(0);
        assertThat(call.stateMachineArn()).isEqualTo(ARN);
        assertThat(call.name()).isEqualTo("tag-ami-0abcdef1234567890-bddcf1d6-0251-35a1-aab0-adc1fb47c11c");
        assertThat(Json.read(call.input(), ShareRequest.class).accountIds())
                .containsExactly("222222222222", "333333333333");
        assertThat(result.executions()).singleElement().satisfies(e -> assertThat(e.alreadyStarted()).isFalse());
    }

    @Test
    void handleRequest_shouldReportAlreadyStarted_whenTheEventIsRedelivered() throws IOException {
        // GIVEN the execution of this event exists
        RecordingSfn sfn = new RecordingSfn();
        sfn.existing.add("tag-ami-0abcdef1234567890-bddcf1d6-0251-35a1-aab0-adc1fb47c11c");

        // WHEN
        EntryResult result = Json.read(run(new ShareTagChangedHandler(new ShareTagChangedService(new ExecutionStarter(sfn, ARN), OWNER)),
                "tag-change-image-targets.json"), EntryResult.class);

        // THEN no failure: the share was already started, and the result names its execution
        assertThat(result.executions()).singleElement().satisfies(e -> {
            assertThat(e.alreadyStarted()).isTrue();
            assertThat(e.executionArn()).isEqualTo(ARN.replace("stateMachine", "execution")
                    + ":tag-ami-0abcdef1234567890-bddcf1d6-0251-35a1-aab0-adc1fb47c11c");
        });
        assertThat(sfn.calls).hasSize(1);
    }

    private static final ShareRequest REQUEST = Json.read(
            "{\"imageId\":\"ami-0abcdef1234567890\",\"targets\":[{\"accountId\":\"444444444444\"}]}",
            ShareRequest.class);

    /** Step Functions where {@code name}'s attempts 1, 2, … already ran and ended as {@code statuses}. */
    private static RecordingSfn ranBefore(String name, ExecutionStatus... statuses) {
        RecordingSfn sfn = new RecordingSfn();
        for (int i = 0; i < statuses.length; i++) {
            String attempt = ExecutionStarter.attemptName(name, i + 1);
            sfn.existing.add(attempt);
            sfn.ended.put(attempt, statuses[i]);
        }
        return sfn;
    }

    @Test
    void start_shouldStartTheShareAgainUnderTheNextName_whenTheEarlierExecutionFailed() {
        // GIVEN the event's execution ran and failed, and so did its second attempt
        String name = "new-account-444444444444-ami-0abcdef1234567890";
        RecordingSfn sfn = ranBefore(name, ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT);

        // WHEN the event comes again
        StartedExecution started = new ExecutionStarter(sfn, ARN).start(name, REQUEST);

        // THEN the third attempt starts, with the same request
        assertThat(started.alreadyStarted()).isFalse();
        assertThat(started.name()).isEqualTo(name + "-3");
        assertThat(sfn.calls).extracting(StartExecutionRequest::name).containsExactly(name, name + "-2", name + "-3");
        assertThat(sfn.calls.get(2).input()).isEqualTo(sfn.calls.get(0).input());
    }

    @Test
    void start_shouldNotStartAgain_whenTheEarlierExecutionIsStillRunning() {
        // GIVEN the first attempt failed and the second is running
        String name = "tag-ami-0abcdef1234567890-event-1";
        RecordingSfn sfn = ranBefore(name, ExecutionStatus.FAILED, ExecutionStatus.RUNNING);

        // WHEN
        StartedExecution started = new ExecutionStarter(sfn, ARN).start(name, REQUEST);

        // THEN the running share is the answer; nothing new starts
        assertThat(started.alreadyStarted()).isTrue();
        assertThat(started.name()).isEqualTo(name + "-2");
        assertThat(sfn.calls).hasSize(2);
    }

    @Test
    void attemptName_shouldStayWithinEightyCharacters_whenTheNameIsAtTheLimit() {
        // GIVEN / WHEN
        String longest = "x".repeat(80);

        // THEN
        assertThat(ExecutionStarter.attemptName(longest, 1)).isEqualTo(longest);
        assertThat(ExecutionStarter.attemptName(longest, 3)).hasSize(80).endsWith("-3");
    }

    @Test
    void handleRequest_shouldStartOneExecutionPerTaggedImage_whenControlTowerCreatedAnAccount() throws IOException {
        // GIVEN two AMIs carry the opt-in tag
        List<DescribeImagesRequest> describes = new ArrayList<>();
        Ec2Client ec2 = new Ec2Client() {
            @Override
            public DescribeImagesResponse describeImages(DescribeImagesRequest r) {
                describes.add(r);
                return DescribeImagesResponse.builder().images(
                        Image.builder().imageId("ami-0bbbbbbbbbbbbbbbb").build(),
                        Image.builder().imageId("ami-0aaaaaaaaaaaaaaaa").build()).build();
            }

            @Override
            public String serviceName() {
                return "ec2";
            }

            @Override
            public void close() {
            }
        };
        RecordingSfn sfn = new RecordingSfn();
        NewAccountHandler handler = new NewAccountHandler(new NewAccountService(ec2, new ExecutionStarter(sfn, ARN), MANAGEMENT,
                Perimeters.testGuard()));

        // WHEN
        EntryResult result = Json.read(run(handler, "controltower-create-managed-account.json"), EntryResult.class);

        // THEN images owned by self with the tag filter, then one execution per AMI in a stable order
        assertThat(describes).singleElement().satisfies(r -> {
            assertThat(r.owners()).containsExactly("self");
            assertThat(r.filters()).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("tag:amishare:share-with-new-accounts");
                assertThat(f.values()).containsExactly("true");
            });
        });
        assertThat(sfn.calls).extracting(StartExecutionRequest::name).containsExactly(
                "new-account-444444444444-ami-0aaaaaaaaaaaaaaaa", "new-account-444444444444-ami-0bbbbbbbbbbbbbbbb");
        assertThat(Json.read(sfn.calls.get(0).input(), ShareRequest.class))
                .isEqualTo(EntryNormalizer.newAccountRequest("ami-0aaaaaaaaaaaaaaaa", "444444444444"));
        assertThat(result.executions()).hasSize(2);
    }

    @Test
    void handleRequest_shouldFollowNextToken_whenTheTaggedImagesSpanSeveralPages() throws IOException {
        // GIVEN DescribeImages answers in two pages
        List<DescribeImagesRequest> describes = new ArrayList<>();
        Ec2Client ec2 = new Ec2Client() {
            @Override
            public DescribeImagesResponse describeImages(DescribeImagesRequest r) {
                describes.add(r);
                return r.nextToken() == null
                        ? DescribeImagesResponse.builder().images(Image.builder().imageId("ami-0cccccccccccccccc")
                                .build()).nextToken("page-2").build()
                        : DescribeImagesResponse.builder().images(Image.builder().imageId("ami-0aaaaaaaaaaaaaaaa")
                                .build()).build();
            }

            @Override
            public String serviceName() {
                return "ec2";
            }

            @Override
            public void close() {
            }
        };
        RecordingSfn sfn = new RecordingSfn();
        NewAccountHandler handler = new NewAccountHandler(new NewAccountService(ec2, new ExecutionStarter(sfn, ARN), MANAGEMENT,
                Perimeters.testGuard()));

        // WHEN
        run(handler, "controltower-create-managed-account.json");

        // THEN the second page is asked for with the same filter, and the AMIs of both pages are shared in order
        assertThat(describes).extracting(DescribeImagesRequest::nextToken).containsExactly(null, "page-2");
        assertThat(describes.get(1).owners()).containsExactly("self");
        assertThat(describes.get(1).filters()).isEqualTo(describes.get(0).filters());
        assertThat(sfn.calls).extracting(StartExecutionRequest::name).containsExactly(
                "new-account-444444444444-ami-0aaaaaaaaaaaaaaaa", "new-account-444444444444-ami-0cccccccccccccccc");
    }

    @Test
    void handleRequest_shouldStartNothing_whenTheAccountCreationFailed() throws IOException {
        // GIVEN
        RecordingSfn sfn = new RecordingSfn();
        NewAccountHandler handler = new NewAccountHandler(new NewAccountService(null, new ExecutionStarter(sfn, ARN), MANAGEMENT,
                Perimeters.testGuard()));

        // WHEN
        EntryResult result = Json.read(run(handler, "organizations-create-account-result-failed-near-miss.json"),
                EntryResult.class);

        // THEN
        assertThat(sfn.calls).isEmpty();
        assertThat(result.skipped()).isEqualTo("account creation did not succeed");
    }

    @Test
    void handleRequest_shouldRefuseAndStartNothing_whenTheTagChangeComesFromAnotherAccount() {
        // GIVEN a tag-change event of account 222222222222 (forwarded to, or put on, the owner's bus)
        RecordingSfn sfn = new RecordingSfn();
        ShareTagChangedHandler handler = new ShareTagChangedHandler(
                new ShareTagChangedService(new ExecutionStarter(sfn, ARN), "222222222223"));

        // WHEN / THEN
        assertThatThrownBy(() -> run(handler, "tag-change-image-targets.json"))
                .isInstanceOf(UntrustedEventException.class).hasMessageContaining("111111111111");
        assertThat(sfn.calls).isEmpty();
    }

    @Test
    void handleRequest_shouldStartTheShareWithTheGroupsAccounts_whenTheTagNamesATargetGroup() throws IOException {
        // GIVEN the group the sample names
        RecordingSfn sfn = new RecordingSfn();
        FakeSsm ssm = new FakeSsm();
        ssm.parameters.put(Names.TARGET_GROUP_PREFIX + "/partners", "333333333333,444444444444");
        ShareTagChangedHandler handler = new ShareTagChangedHandler(new ShareTagChangedService(
                new ExecutionStarter(sfn, ARN), OWNER, new TagTargets(() -> ssm, "o-amishare01", MANAGEMENT)));

        // WHEN
        run(handler, "tag-change-image-group.json");

        // THEN
        assertThat(sfn.calls).singleElement().satisfies(call -> assertThat(
                Json.read(call.input(), ShareRequest.class).accountIds())
                .containsExactly("333333333333", "444444444444", "222222222222"));
    }

    @Test
    void handleRequest_shouldStartNothing_whenTheTagNamesAnUndefinedTargetGroup() {
        // GIVEN no group "partners" in Parameter Store
        RecordingSfn sfn = new RecordingSfn();
        ShareTagChangedHandler handler = new ShareTagChangedHandler(new ShareTagChangedService(
                new ExecutionStarter(sfn, ARN), OWNER, new TagTargets(FakeSsm::new, "o-amishare01", MANAGEMENT)));

        // WHEN / THEN not even the tag's other account is shared with
        assertThatThrownBy(() -> run(handler, "tag-change-image-group.json"))
                .isInstanceOf(TargetGroupNotFoundException.class).hasMessageContaining("partners");
        assertThat(sfn.calls).isEmpty();
    }

    @Test
    void handleRequest_shouldRefuseAndStartNothing_whenTheAccountVendingEventIsNotFromTheManagementAccount() {
        // GIVEN a management account other than the one the event comes from
        RecordingSfn sfn = new RecordingSfn();
        NewAccountHandler handler = new NewAccountHandler(new NewAccountService(null, new ExecutionStarter(sfn, ARN),
                "999999999999", Perimeters.testGuard()));

        // WHEN / THEN
        assertThatThrownBy(() -> run(handler, "controltower-create-managed-account.json"))
                .isInstanceOf(UntrustedEventException.class).hasMessageContaining("999999999999");
        assertThat(sfn.calls).isEmpty();
    }
}
