package dev.amishare.tests.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.DeployedSystem;
import dev.amishare.tests.LocalStackExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.StateMachineAlreadyExistsException;

/**
 * Runs the checked-in workflow definition ({@code statemachine/share-workflow.asl.json}) in LocalStack's
 * Step Functions, every Lambda task answered by the Step Functions Local mock configuration
 * {@code tests/localstack/sfn-mock-config.json} (given to LocalStack as SFN_MOCK_CONFIG by
 * {@code localstack.sh}); each test starts an execution of one of its test cases with
 * {@code <state machine ARN>#<test case>}. The mocked Prepare response decides the targets, so the
 * execution input only has to be a request.
 * <p>
 * The two Distributed Maps are real: they read their items from the objects the mocked stages name in the
 * synthesized share bucket ({@value #BUCKET}, written here before the executions), run their children
 * (whose Lambda tasks the same test case mocks) and write their results to S3, where these tests read
 * what the report stage would. What a mock cannot show (the stages' own logic, the real report) the
 * end-to-end tests prove on the deployed system.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShareWorkflowIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The name the mock configuration's StateMachines entry is keyed by. */
    private static final String NAME = "ShareWorkflow";
    private static final Path ASL = DeployedSystem.repositoryRoot().resolve("statemachine/share-workflow.asl.json");
    private static final String REQUEST = "{\"imageId\":\"ami-0123456789abcdef0\",\"targets\":["
            + "{\"accountId\":\"222222222222\",\"copy\":[{\"region\":\"eu-west-1\",\"kmsKeyId\":\"alias/golden-ami\"}]}]}";

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The share bucket the synthesized definition names (the CDK app's token, resolved by Synth). */
    private static final String BUCKET = "amishare-share-data";
    private static final String TWO_COPYING = "[" + copying("222222222222") + "," + copying("333333333333") + "]";

    private final Aws aws;
    private final SfnClient sfn;
    private final URI endpoint;
    private String stateMachineArn;

    ShareWorkflowIT(Aws aws) {
        this.aws = aws;
        sfn = aws.sfn(Accounts.OWNER);
        endpoint = aws.endpoint();
    }

    private static String copying(String account) {
        return "{\"accountId\":\"" + account + "\",\"copy\":[{\"region\":\"eu-west-1\",\"kmsKeyId\":\"alias/golden-ami\"},"
                + "{\"region\":\"eu-central-1\",\"kmsKeyId\":\"alias/golden-ami\"}]}";
    }

    /** The target lists the mocked Prepare and Select ready results point the Distributed Maps at. */
    @BeforeAll
    void writeShareData() {
        S3Client s3 = aws.s3(Accounts.OWNER);
        if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(BUCKET))) {
            s3.createBucket(r -> r.bucket(BUCKET));
        }
        String launchOnly = "[{\"accountId\":\"222222222222\",\"copy\":[]}]";
        java.util.Map.of(
                "shares/mocked/targets.json", TWO_COPYING,
                "shares/mocked/ready.json", TWO_COPYING,
                "shares/mocked-launch/targets.json", launchOnly,
                "shares/mocked-launch/ready.json", launchOnly,
                "shares/mocked-notready/targets.json", TWO_COPYING,
                "shares/mocked-notready/ready.json", "[" + copying("222222222222") + "]")
                .forEach((key, json) -> s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromString(json)));
    }

    @BeforeAll
    void createStateMachine() throws IOException {
        String definition = Files.readString(ASL, StandardCharsets.UTF_8);
        String role = "arn:aws:iam::" + Accounts.OWNER + ":role/amishare-share-workflow";
        try {
            stateMachineArn = sfn.createStateMachine(r -> r.name(NAME).definition(definition).roleArn(role))
                    .stateMachineArn();
        } catch (StateMachineAlreadyExistsException e) {
            // A previous run on the same emulator: bring it up to date.
            stateMachineArn = sfn.listStateMachines(r -> { }).stateMachines().stream()
                    .filter(m -> m.name().equals(NAME)).findFirst().orElseThrow().stateMachineArn();
            sfn.updateStateMachine(r -> r.stateMachineArn(stateMachineArn).definition(definition));
        }
    }

    /** Starts the mock test case and waits for the execution to end. */
    private DescribeExecutionResponse run(String testCase) throws InterruptedException {
        String executionArn = sfn.startExecution(r -> r.stateMachineArn(stateMachineArn + "#" + testCase)
                .name(testCase + "-" + UUID.randomUUID()).input(REQUEST)).executionArn();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (true) {
            DescribeExecutionResponse execution = sfn.describeExecution(r -> r.executionArn(executionArn));
            if (execution.status() != ExecutionStatus.RUNNING || Instant.now().isAfter(deadline)) {
                return execution;
            }
            Thread.sleep(250);
        }
    }

    /**
     * The execution's history as JSON, read over plain HTTP: LocalStack 2026.3.0 writes the state input
     * into TaskScheduled's {@code timeoutInSeconds}/{@code heartbeatInSeconds} when a task with
     * TimeoutSeconds fails, which the SDK cannot unmarshal. The credential scope names the account, as
     * LocalStack reads it; the emulator does not check signatures.
     */
    private List<JsonNode> history(DescribeExecutionResponse execution) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(java.util.Map.of("executionArn", execution.executionArn(),
                "maxResults", 1000));
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .header("X-Amz-Target", "AWSStepFunctions.GetExecutionHistory")
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + Accounts.OWNER + "/20260101/"
                        + Accounts.REGION + "/states/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> events = new ArrayList<>();
        JSON.readTree(response.body()).get("events").forEach(events::add);
        return events;
    }

    private List<String> statesEntered(DescribeExecutionResponse execution) throws Exception {
        return history(execution).stream().filter(e -> e.has("stateEnteredEventDetails"))
                .map(e -> e.get("stateEnteredEventDetails").get("name").asText()).toList();
    }

    private static JsonNode output(DescribeExecutionResponse execution) throws IOException {
        return JSON.readTree(execution.output());
    }

    private static String stateInput(List<JsonNode> history, String state) throws IOException {
        JsonNode entered = history.stream().filter(e -> e.has("stateEnteredEventDetails")
                && e.get("stateEnteredEventDetails").get("name").asText().equals(state)).findFirst()
                .orElseThrow(() -> new AssertionError(state + " was not entered"));
        return entered.get("stateEnteredEventDetails").get("input").asText();
    }

    /** The results a Distributed Map wrote, from the manifest its output names: status file name to entries. */
    private java.util.Map<String, List<JsonNode>> mapResults(JsonNode mapOutput) throws IOException {
        JsonNode details = mapOutput.get("ResultWriterDetails");
        JsonNode manifest = aws.s3Json(details.get("Bucket").asText(), details.get("Key").asText());
        java.util.Map<String, List<JsonNode>> results = new java.util.TreeMap<>();
        for (JsonNode file : manifest.get("ResultFiles").properties().stream().flatMap(p -> {
            List<JsonNode> files = new ArrayList<>();
            p.getValue().forEach(files::add);
            return files.stream().map(f -> ((com.fasterxml.jackson.databind.node.ObjectNode) f.deepCopy())
                    .put("status", p.getKey()));
        }).toList()) {
            List<JsonNode> entries = new ArrayList<>();
            aws.s3Json(manifest.get("DestinationBucket").asText(), file.get("Key").asText()).forEach(entries::add);
            results.computeIfAbsent(file.get("status").asText(), k -> new ArrayList<>()).addAll(entries);
        }
        return results;
    }

    @Test
    void execution_shouldCheckGrantAndFanOutEveryTarget_whenAllStagesSucceed() throws Exception {
        // GIVEN an encrypted AMI shared with two ready targets copying into two regions each (HappyPath)

        // WHEN
        DescribeExecutionResponse execution = run("HappyPath");

        // THEN the stages ran in order: readiness, grants, one child per target, the report
        assertThat(execution.status()).as("%s: %s", execution.error(), execution.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        List<JsonNode> history = history(execution);
        List<String> entered = statesEntered(execution);
        assertThat(entered).containsSubsequence("Prepare share", "Check targets", "Select ready targets",
                "Grant launch permission", "Patch key policies", "Share snapshots", "For each target",
                "Write share report", "Within tolerance?", "Share summary", "Shared");
        // AND Select ready got the readiness Map's results in S3: one batch, both targets ready
        JsonNode selectInput = JSON.readTree(stateInput(history, "Select ready targets"));
        List<JsonNode> batches = mapResults(selectInput.get("checks")).get("SUCCEEDED");
        assertThat(batches).hasSize(1);
        JsonNode batchOutput = JSON.readTree(batches.get(0).get("Output").asText());
        assertThat(batchOutput.toString()).contains("222222222222", "333333333333");
        JsonNode batchInput = JSON.readTree(batches.get(0).get("Input").asText());
        assertThat(batchInput.get("Items")).hasSize(2);
        assertThat(batchInput.get("BatchInput").get("consumerRoleName").asText()).isEqualTo("AmiShareConsumer");
        // AND the report stage got the target Map's results: per target its account and both copies
        JsonNode reportInput = JSON.readTree(stateInput(history, "Write share report"));
        List<JsonNode> targets = mapResults(reportInput.get("results")).get("SUCCEEDED");
        assertThat(targets).hasSize(2);
        for (JsonNode target : targets) {
            JsonNode outcome = JSON.readTree(target.get("Output").asText());
            assertThat(outcome.get("accountId").asText()).isIn("222222222222", "333333333333");
            assertThat(outcome.get("copies")).hasSize(2);
            for (JsonNode copy : outcome.get("copies")) {
                assertThat(copy.toString()).contains("ami-0aaaaaaaaaaaaaaa1", "available");
            }
            JsonNode input = JSON.readTree(target.get("Input").asText());
            assertThat(input.get("ownerKeys").get(0).get("verified").asBoolean()).isTrue();
            assertThat(input.get("targetRole").get("roleName").asText()).isEqualTo("AmiShareConsumer");
        }
        // AND the execution's output is the bounded summary
        JsonNode summary = output(execution);
        assertThat(summary.get("counts").get("copied").asInt()).isEqualTo(2);
        assertThat(summary.get("reportUri").asText()).startsWith("s3://" + BUCKET + "/shares/mocked/");
        assertThat(execution.output().length()).isLessThan(16 * 1024);
    }

    @Test
    void execution_shouldSucceedAfterRetries_whenTheKeyPolicyStageIsThrottled() throws Exception {
        // GIVEN PutKeyPolicy throttled twice, then accepted (ThrottledKeyPolicy)

        // WHEN
        DescribeExecutionResponse execution = run("ThrottledKeyPolicy");

        // THEN the task retried in place (one state entry, two failures) and the share went through
        assertThat(execution.status()).as("%s: %s", execution.error(), execution.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(history(execution).stream().filter(e -> e.has("taskFailedEventDetails"))
                .map(e -> e.get("taskFailedEventDetails").get("error").asText()))
                .containsExactly("dev.amishare.errors.AwsThrottledException", "dev.amishare.errors.AwsThrottledException");
        assertThat(statesEntered(execution)).filteredOn("Patch key policies"::equals).hasSize(1);
        assertThat(statesEntered(execution)).contains("For each target", "Shared");
    }

    @Test
    void execution_shouldFailWithTheStageError_whenTheKeyPolicyIsRejected() throws Exception {
        // GIVEN KMS refusing the policy, rollback not asked for (KeyPolicyRejected)

        // WHEN
        DescribeExecutionResponse execution = run("KeyPolicyRejected");

        // THEN an owner-side grant failing fails the whole share with the stage's error name and cause,
        // without retry, rollback or any per-target work
        assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.error()).isEqualTo("dev.amishare.errors.KeyPolicyRejectedException");
        assertThat(execution.cause()).contains("MalformedPolicyDocumentException");
        List<String> entered = statesEntered(execution);
        assertThat(entered).containsSubsequence("Patch key policies", "Roll back?", "Share failed");
        assertThat(entered).doesNotContain("Revoke grants", "Share snapshots", "For each target");
    }

    @Test
    void execution_shouldRevokeTheReadyTargetsThenFail_whenRollbackIsAskedFor() throws Exception {
        // GIVEN the same failure with rollbackOnFailure true (KeyPolicyRejectedRollback)

        // WHEN
        DescribeExecutionResponse execution = run("KeyPolicyRejectedRollback");

        // THEN Revoke ran and the execution still fails with the stage's error
        assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.error()).isEqualTo("dev.amishare.errors.KeyPolicyRejectedException");
        assertThat(statesEntered(execution)).containsSubsequence("Roll back?", "Revoke grants", "Share failed");
        List<JsonNode> history = history(execution);
        JsonNode state = JSON.readTree(stateInput(history, "Revoke grants"));
        assertThat(state.get("error").get("Error").asText()).isEqualTo("dev.amishare.errors.KeyPolicyRejectedException");
        // AND Revoke was given the ready targets (what was granted) and told to keep Prepare's baseline, both in S3
        // (the emulator records a Lambda task's payload as LambdaFunctionScheduled; Revoke is the last one)
        JsonNode payload = null;
        for (JsonNode e : history) {
            if (e.has("lambdaFunctionScheduledEventDetails")) {
                payload = JSON.readTree(e.get("lambdaFunctionScheduledEventDetails").get("input").asText());
            }
        }
        assertThat(payload).isNotNull();
        assertThat(payload.get("targets")).isEqualTo(state.get("ready").get("ready"));
        assertThat(payload.get("targets").get("accounts").get("key").asText()).isEqualTo("shares/mocked/ready.json");
        assertThat(payload.get("keepAt")).isEqualTo(state.get("prepared").get("baseline"));
        assertThat(payload.get("keepAt").get("key").asText()).isEqualTo("shares/mocked/baseline.json");
    }

    @Test
    void execution_shouldSkipKeyPoliciesAndSnapshots_whenTheAmiIsUnencryptedAndLaunchOnly() throws Exception {
        // GIVEN an unencrypted AMI shared for launch only (Unencrypted)

        // WHEN
        DescribeExecutionResponse execution = run("Unencrypted");

        // THEN
        assertThat(execution.status()).as("%s: %s", execution.error(), execution.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        List<String> entered = statesEntered(execution);
        assertThat(entered).contains("No key policy to patch", "No snapshot to share", "For each target");
        assertThat(entered).doesNotContain("Patch key policies", "Share snapshots");
        JsonNode reportInput = JSON.readTree(stateInput(history(execution), "Write share report"));
        List<JsonNode> targets = mapResults(reportInput.get("results")).get("SUCCEEDED");
        assertThat(targets).hasSize(1);
        JsonNode outcome = JSON.readTree(targets.get(0).get("Output").asText());
        assertThat(outcome.get("accountId").asText()).isEqualTo("222222222222");
        assertThat(outcome.get("copies")).isEmpty();
        assertThat(output(execution).get("counts").get("validated").asInt()).isEqualTo(1);
    }

    @Test
    void execution_shouldReportEachFailedTargetRollBackThoseAndFail_whenCopiesFail() throws Exception {
        // GIVEN every copy ends failed, rollback asked for (CopyFails)

        // WHEN
        DescribeExecutionResponse execution = run("CopyFails");

        // THEN the failed children do not stop the target Map: every target is processed and the report
        // stage gets each failure with its error
        List<JsonNode> history = history(execution);
        JsonNode reportInput = JSON.readTree(stateInput(history, "Write share report"));
        List<JsonNode> failed = mapResults(reportInput.get("results")).get("FAILED");
        assertThat(failed).hasSize(2).allSatisfy(f -> assertThat(f.toString())
                .contains("dev.amishare.errors.CopyFailedException"));
        // AND beyond the tolerance the failed granted targets are revoked and the execution fails with
        // TargetsFailedException, the summary's message as its cause
        assertThat(statesEntered(execution)).containsSubsequence("For each target", "Write share report",
                "Within tolerance?", "Roll back failed targets?", "Revoke failed targets", "Targets failed");
        assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.error()).isEqualTo("dev.amishare.errors.TargetsFailedException");
        assertThat(execution.cause()).contains("2 of 2 targets failed");
        JsonNode revoke = JSON.readTree(stateInput(history, "Revoke failed targets"));
        assertThat(revoke.get("summary").get("rollback").get("accounts").get("key").asText())
                .isEqualTo("shares/mocked/rollback.json");
    }

    @Test
    void execution_shouldGrantAndValidateOnlyTheReadyTarget_whenOneIsNotReady() throws Exception {
        // GIVEN two targets, the second not ready (its role may not copy), rollback asked for (NotReady)

        // WHEN
        DescribeExecutionResponse execution = run("NotReady");

        // THEN the grants and the target Map get the ready list only
        List<JsonNode> history = history(execution);
        JsonNode grant = JSON.readTree(stateInput(history, "Grant launch permission"));
        assertThat(grant.get("ready").get("readyCount").asInt()).isEqualTo(1);
        JsonNode reportInput = JSON.readTree(stateInput(history, "Write share report"));
        java.util.Map<String, List<JsonNode>> results = mapResults(reportInput.get("results"));
        assertThat(results.get("SUCCEEDED")).hasSize(1);
        assertThat(JSON.readTree(results.get("SUCCEEDED").get(0).get("Output").asText()).get("accountId").asText())
                .isEqualTo("222222222222");
        assertThat(results.getOrDefault("FAILED", List.of())).isEmpty();
        // AND the report gets the not-ready list; nothing to roll back (the not-ready target got nothing),
        // so the execution fails with TargetsFailedException without revoking
        assertThat(reportInput.get("ready").get("notReady").get("key").asText()).isEqualTo("shares/mocked-notready/not-ready.json");
        assertThat(statesEntered(execution)).contains("Roll back failed targets?", "Targets failed")
                .doesNotContain("Revoke failed targets", "Revoke grants");
        assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.error()).isEqualTo("dev.amishare.errors.TargetsFailedException");
        assertThat(execution.cause()).contains("333333333333").contains("not ready");
    }

    @Test
    void execution_shouldAwaitNoCopy_whenTheRequestIsADryRun() throws Exception {
        // GIVEN a dry run: the copy stage starts nothing and says so (DryRun; Await copy has no mock at all)

        // WHEN
        DescribeExecutionResponse execution = run("DryRun");

        // THEN no wait in any child, and each target's outcome shows the would-be copies
        assertThat(execution.status()).as("%s: %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode reportInput = JSON.readTree(stateInput(history(execution), "Write share report"));
        List<JsonNode> targets = mapResults(reportInput.get("results")).get("SUCCEEDED");
        assertThat(targets).hasSize(2).allSatisfy(t -> assertThat(t.get("Output").asText())
                .contains("\"state\":\"dryRun\"").doesNotContain("available"));
        assertThat(reportInput.get("prepared").get("request").get("dryRun").asBoolean()).isTrue();
        assertThat(output(execution).get("dryRun").asBoolean()).isTrue();
    }
}
