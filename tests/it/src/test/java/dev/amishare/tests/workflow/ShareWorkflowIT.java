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

    private final SfnClient sfn;
    private final URI endpoint;
    private String stateMachineArn;

    ShareWorkflowIT(Aws aws) {
        sfn = aws.sfn(Accounts.OWNER);
        endpoint = aws.endpoint();
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

    @Test
    void execution_shouldReportEveryTargetAndCopy_whenAllStagesSucceed() throws Exception {
        // GIVEN an encrypted AMI shared with two targets copying into two regions each (HappyPath)

        // WHEN
        DescribeExecutionResponse execution = run("HappyPath");

        // THEN the share report has per target the launch permission, the checks and both copies
        assertThat(execution.status()).as("%s: %s", execution.error(), execution.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode report = output(execution);
        assertThat(report.get("imageId").asText()).isEqualTo("ami-0123456789abcdef0");
        assertThat(report.get("keys")).hasSize(1);
        assertThat(report.get("keys").get(0).get("policyChanged").asBoolean()).isTrue();
        assertThat(report.get("snapshots").get(0).get("snapshotId").asText()).isEqualTo("snap-0123456789abcdef0");
        JsonNode targets = report.get("targets");
        assertThat(targets).hasSize(2);
        assertThat(targets.get(0).get("accountId").asText()).isEqualTo("222222222222");
        assertThat(targets.get(0).get("launchPermission").get("added").asBoolean()).isTrue();
        assertThat(targets.get(1).get("accountId").asText()).isEqualTo("333333333333");
        assertThat(targets.get(1).get("launchPermission").get("alreadyPresent").asBoolean()).isTrue();
        assertThat(targets.get(1).get("keys").get(0).get("added").asBoolean()).isTrue();
        assertThat(targets.get(1).get("snapshots").get(0).get("snapshotId").asText()).isEqualTo("snap-0123456789abcdef0");
        for (JsonNode target : targets) {
            assertThat(target.get("checks")).hasSize(3);
            assertThat(target.get("checks").get(0).get("passed").asBoolean()).isTrue();
            assertThat(target.get("copies")).hasSize(2);
            for (JsonNode copy : target.get("copies")) {
                assertThat(copy.get("imageId").asText()).isEqualTo("ami-0aaaaaaaaaaaaaaa1");
                assertThat(copy.get("kmsKeyId").asText()).isEqualTo("alias/golden-ami");
                assertThat(copy.get("state").asText()).isEqualTo("available");
            }
        }
        assertThat(execution.output().length()).isLessThan(16 * 1024);
        assertThat(statesEntered(execution)).filteredOn("Await copy"::equals).hasSize(4);
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
        assertThat(output(execution).get("keys")).hasSize(1);
    }

    @Test
    void execution_shouldFailWithTheStageError_whenTheKeyPolicyIsRejected() throws Exception {
        // GIVEN KMS refusing the policy, rollback not asked for (KeyPolicyRejected)

        // WHEN
        DescribeExecutionResponse execution = run("KeyPolicyRejected");

        // THEN the execution fails with the stage's error name and cause, without retry or rollback
        assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.error()).isEqualTo("dev.amishare.errors.KeyPolicyRejectedException");
        assertThat(execution.cause()).contains("MalformedPolicyDocumentException");
        List<String> entered = statesEntered(execution);
        assertThat(entered).containsSubsequence("Patch key policies", "Roll back?", "Share failed");
        assertThat(entered).doesNotContain("Revoke grants", "Share snapshots", "For each target");
    }

    @Test
    void execution_shouldRevokeThenFail_whenRollbackIsAskedFor() throws Exception {
        // GIVEN the same failure with rollbackOnFailure true (KeyPolicyRejectedRollback)

        // WHEN
        DescribeExecutionResponse execution = run("KeyPolicyRejectedRollback");

        // THEN Revoke ran for this request's targets, for real, and the execution still fails with the cause
        assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.error()).isEqualTo("dev.amishare.errors.KeyPolicyRejectedException");
        assertThat(statesEntered(execution)).containsSubsequence("Roll back?", "Revoke grants", "Share failed");
        JsonNode revokeEntered = history(execution).stream().filter(e -> e.has("stateEnteredEventDetails")
                && e.get("stateEnteredEventDetails").get("name").asText().equals("Revoke grants")).findFirst()
                .orElseThrow();
        JsonNode state = JSON.readTree(revokeEntered.get("stateEnteredEventDetails").get("input").asText());
        assertThat(state.get("error").get("Error").asText()).isEqualTo("dev.amishare.errors.KeyPolicyRejectedException");
        assertThat(state.get("prepared").get("principals").get("accountIds").toString())
                .contains("222222222222", "333333333333");
        // AND Revoke was told to keep what the targets had before the execution (Prepare's baseline)
        // (the emulator records a Lambda task's payload as LambdaFunctionScheduled; Revoke is the last one)
        JsonNode payload = null;
        for (JsonNode e : history(execution)) {
            if (e.has("lambdaFunctionScheduledEventDetails")) {
                payload = JSON.readTree(e.get("lambdaFunctionScheduledEventDetails").get("input").asText());
            }
        }
        assertThat(payload).isNotNull();
        assertThat(payload.get("principals").get("accountIds").toString()).contains("222222222222", "333333333333");
        assertThat(payload.get("keep")).isEqualTo(state.get("prepared").get("baseline"));
        assertThat(payload.get("keep").get("launchPermission").toString()).contains("222222222222")
                .doesNotContain("333333333333");
    }

    @Test
    void execution_shouldSkipKeyPoliciesAndSnapshots_whenTheAmiIsUnencryptedAndLaunchOnly() throws Exception {
        // GIVEN an unencrypted AMI shared for launch only (Unencrypted)

        // WHEN
        DescribeExecutionResponse execution = run("Unencrypted");

        // THEN
        assertThat(execution.status()).as("%s: %s", execution.error(), execution.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        List<String> entered = statesEntered(execution);
        assertThat(entered).contains("No key policy to patch", "No snapshot to share", "Validate consumer");
        assertThat(entered).doesNotContain("Patch key policies", "Share snapshots", "Copy image");
        JsonNode report = output(execution);
        assertThat(report.get("keys")).isEmpty();
        assertThat(report.get("targets")).hasSize(1);
        assertThat(report.get("targets").get(0).get("copies")).isEmpty();
        assertThat(report.get("targets").get(0).get("keys")).isEmpty();
        assertThat(report.get("targets").get(0).get("snapshots")).isEmpty();
    }

    @Test
    void execution_shouldRollBackAndFailWithCopyFailed_whenACopyFails() throws Exception {
        // GIVEN every copy ends failed, rollback asked for (CopyFails)

        // WHEN
        DescribeExecutionResponse execution = run("CopyFails");

        // THEN the failed iteration fails the target Map, which takes the failure path
        assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.error()).isEqualTo("dev.amishare.errors.CopyFailedException");
        assertThat(execution.cause()).contains("ended failed");
        assertThat(statesEntered(execution)).containsSubsequence("For each target", "Roll back?", "Revoke grants",
                "Share failed");
        assertThat(history(execution).stream().map(e -> e.get("type").asText())).contains("MapStateFailed");
    }

    @Test
    void execution_shouldAwaitNoCopy_whenTheRequestIsADryRun() throws Exception {
        // GIVEN a dry run: the copy stage starts nothing and says so (DryRun; Await copy has no mock at all)

        // WHEN
        DescribeExecutionResponse execution = run("DryRun");

        // THEN no wait, and the report shows the would-be copies
        assertThat(execution.status()).as("%s: %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(statesEntered(execution)).contains("Nothing to await").doesNotContain("Await copy");
        JsonNode report = output(execution);
        assertThat(report.get("dryRun").asBoolean()).isTrue();
        assertThat(report.get("targets").get(0).get("copies").get(0).get("state").asText()).isEqualTo("dryRun");
    }
}
