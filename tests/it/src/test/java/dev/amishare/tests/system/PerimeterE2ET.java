package dev.amishare.tests.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.contract.Names;
import dev.amishare.contract.Stage;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.DeployedSystem;
import dev.amishare.tests.GoldenAmi;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.ServiceEvents;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import static org.awaitility.Awaitility.await;

/**
 * The attacks of someone with narrow rights in the owner account (or a consumer account) on the deployed
 * system, whose perimeter is the emulator's organization: 999999999999 and 999999999998 are outside
 * everything. Each is refused with a named error, and the owner account is left exactly as it was: launch
 * permission, every key policy byte for byte, snapshot permissions.
 */
@ExtendWith(LocalStackExtension.class)
class PerimeterE2ET {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OUTSIDER = Accounts.OUTSIDER;
    private static final String REFUSED = "dev.amishare.errors.OutsidePerimeterException";

    private static SystemRun system;

    @BeforeAll
    static void deploy(Aws aws) {
        system = new SystemRun(aws);
    }

    /** What the owner account grants on one AMI: launch permission, key policies, snapshot permissions. */
    private record OwnerAccess(Set<String> launch, Map<String, String> keyPolicies, Map<String, Set<String>> snapshots) {
        static OwnerAccess of(GoldenAmi ami) {
            Map<String, String> keys = new TreeMap<>();
            ami.keyArns().forEach(k -> keys.put(k, system.owner.keyPolicy(k)));
            Map<String, Set<String>> snapshots = new TreeMap<>();
            ami.snapshotIds().forEach(s -> snapshots.put(s, system.owner.snapshotPermissionAccounts(s)));
            return new OwnerAccess(system.owner.launchPermissionAccounts(ami.imageId()), keys, snapshots);
        }
    }

    private static void assertRefused(DescribeExecutionResponse execution, String... named) {
        assertThat(execution.status()).as(execution.output()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.error()).as(execution.cause()).isEqualTo(REFUSED);
        assertThat(execution.cause()).contains(named);
    }

    @Test
    void startExecution_shouldBeRefusedAndChangeNothing_whenItNamesAnAccountOutsideThePerimeter() {
        // GIVEN a golden AMI and a request for a member of the organization and an outsider
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        OwnerAccess before = OwnerAccess.of(ami);
        String request = """
                {"imageId":"%s","targets":[{"accountId":"%s"},{"accountId":"%s"}]}"""
                .formatted(ami.imageId(), Accounts.CONSUMER, OUTSIDER);

        // WHEN
        DescribeExecutionResponse execution = system.run(request);

        // THEN the first stage refuses the outsider, and not even the member got anything
        assertRefused(execution, OUTSIDER);
        assertThat(OwnerAccess.of(ami)).isEqualTo(before);
        assertThat(system.visibleIn(OUTSIDER, ami.imageId())).isFalse();
    }

    @Test
    void startExecution_shouldBeRefusedAndChangeNothing_whenItNamesAnotherOrganization() {
        // GIVEN
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        OwnerAccess before = OwnerAccess.of(ami);
        String foreign = "arn:aws:organizations::999999999999:organization/o-zzzzzzzzzz";
        String request = """
                {"imageId":"%s","organizationArns":["%s"]}""".formatted(ami.imageId(), foreign);

        // WHEN
        DescribeExecutionResponse execution = system.run(request);

        // THEN
        assertRefused(execution, foreign, "not the perimeter's organization o-amishare01");
        assertThat(OwnerAccess.of(ami)).isEqualTo(before);
    }

    @Test
    void postShares_shouldStartAShareThatIsRefusedAndChangesNothing_whenTheBodyNamesAnOutsider() throws Exception {
        // GIVEN
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        OwnerAccess before = OwnerAccess.of(ami);
        String body = """
                {"imageId":"%s","targets":[{"accountId":"%s"}]}""".formatted(ami.imageId(), OUTSIDER);

        // WHEN it is POSTed through the deployed API
        HttpResponse<String> response = system.apiCall(SdkHttpMethod.POST, "/shares", body);

        // THEN the share is accepted for checking, refused by its first stage, and the report names the caller
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode accepted = JSON.readTree(response.body());
        DescribeExecutionResponse execution = system.awaitEnd(accepted.path("executionArn").asText());
        assertRefused(execution, OUTSIDER);
        assertThat(JSON.readTree(execution.input()).path("requestedBy").asText())
                .isEqualTo("arn:aws:iam::" + Accounts.OWNER + ":root");
        assertThat(OwnerAccess.of(ami)).isEqualTo(before);
        // AND the API reports the refusal without the function's stack trace
        HttpResponse<String> status = system.apiCall(SdkHttpMethod.GET, "/shares/" + accepted.path("id").asText(),
                null);
        JsonNode report = JSON.readTree(status.body());
        assertThat(report.path("status").asText()).isEqualTo("FAILED");
        assertThat(report.path("cause").asText()).contains(OUTSIDER).doesNotContain("stackTrace", "at dev.amishare");
    }

    @Test
    void tagChange_shouldStartAShareThatIsRefusedAndChangesNothing_whenTheTagNamesAnOutsider() throws Exception {
        // GIVEN the owner's AMI tagged with an account outside everything
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        OwnerAccess before = OwnerAccess.of(ami);
        ObjectNode event = tagChange(ami.imageId(), "999999999998");

        // WHEN the tag change happens in the owner account
        PutEventsResponse put = ServiceEvents.emit(system.aws.events(Accounts.OWNER), event, null);

        // THEN the share it starts is refused by its first stage
        assertThat(put.failedEntryCount()).as(put.toString()).isZero();
        DescribeExecutionResponse execution = system.awaitExecutionMentioning(ami.imageId());
        assertRefused(execution, "999999999998");
        assertThat(OwnerAccess.of(ami)).isEqualTo(before);
    }

    @Test
    void tagChange_shouldBeRefusedAndStartNothing_whenItComesFromAnotherAccount() throws Exception {
        // GIVEN a consumer account that puts a tag-change event naming the owner's AMI on the owner's bus
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        OwnerAccess before = OwnerAccess.of(ami);
        ObjectNode event = tagChange(ami.imageId(), Accounts.CONSUMER);
        String ownerBus = "arn:aws:events:" + Accounts.REGION + ":" + Accounts.OWNER + ":event-bus/default";

        // WHEN it puts it there, and when it invokes the entry function with its own event directly
        PutEventsResponse put = ServiceEvents.emit(system.aws.events(Accounts.CONSUMER), event, ownerBus);
        event.put("account", Accounts.CONSUMER);
        InvokeResponse invoked = invoke(Stage.SHARE_TAG_CHANGED, event.toString());

        // THEN the owner's bus admits nobody else's events, the function refuses another account's tag
        // change by name, and no share starts
        assertThat(put.entries()).singleElement().satisfies(e -> assertThat(e.errorCode()).isNotBlank());
        assertThat(invoked.functionError()).isNotBlank();
        assertThat(invoked.payload().asUtf8String()).contains("dev.amishare.errors.UntrustedEventException");
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                .until(() -> system.executionsMentioning(ami.imageId()).isEmpty());
        assertThat(OwnerAccess.of(ami)).isEqualTo(before);
    }

    @Test
    void keyPolicyFunction_shouldRefuseAndLeaveTheKeysAlone_whenInvokedDirectlyForAnOutsider() {
        // GIVEN the owner's golden AMI and its keys' policies
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        OwnerAccess before = OwnerAccess.of(ami);
        String payload = JSON.createObjectNode()
                .<ObjectNode>set("keyArns", JSON.valueToTree(ami.keyArns()))
                .<ObjectNode>set("principals", JSON.createObjectNode().set("accountIds",
                        JSON.valueToTree(List.of(OUTSIDER))))
                .put("dryRun", false).put("executionId", "direct").toString();

        // WHEN somebody with lambda:InvokeFunction calls the key-policy function around the workflow
        InvokeResponse invoked = invoke(Stage.KEY_POLICY, payload);

        // THEN the function checks its own input against the perimeter
        assertThat(invoked.functionError()).isNotBlank();
        assertThat(invoked.payload().asUtf8String()).contains(REFUSED).contains(OUTSIDER);
        assertThat(OwnerAccess.of(ami)).isEqualTo(before);
    }

    @Test
    void copyEvent_shouldBeRefusedAndTheShareGoOn_whenAForgedEventClaimsAnotherExecutionsCopyFailed() {
        // GIVEN the copy-event function started (an event for no awaited copy: its JVM is warm for the forgery,
        // which must land while the copy is still pending) and a share whose copy the workflow awaits
        InvokeResponse warm = invoke(Stage.COPY_EVENT, forgedEvent("ami-00000000000000000", "pending"));
        assertThat(warm.functionError()).as(warm.payload().asUtf8String()).isNull();
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        String executionArn = dev.amishare.tests.Executions.start(system.sfn(), system.system.stateMachineArn(),
                SystemRun.shareWithCopy(ami.imageId(), Accounts.CONSUMER, system.targetKey(Accounts.CONSUMER)));
        String copyId = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> system.copiesIn(Accounts.CONSUMER, ami.imageId()).stream()
                        .filter(i -> i.stateAsString().equals("pending")).map(i -> i.imageId()).findFirst(),
                        java.util.Optional::isPresent).orElseThrow();
        // ... and parked on: Await copy stored its token (with the execution and the consumer role)
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> !system.copyWaiters(Accounts.CONSUMER, Accounts.REGION, copyId).isEmpty());

        // WHEN somebody invokes the copy-event function with a made-up "failed" event for that copy
        String forged = forgedEvent(copyId, "failed");
        InvokeResponse invoked = invoke(Stage.COPY_EVENT, forged);

        // THEN it is refused by name, and the share ends as EC2 says: copied
        assertThat(invoked.functionError()).isNotBlank();
        assertThat(invoked.payload().asUtf8String()).contains("dev.amishare.errors.UntrustedEventException");
        DescribeExecutionResponse execution = system.awaitEnd(executionArn);
        assertThat(execution.status()).as("%s %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    /** An "EC2 AMI State Change" of the consumer account's {@code imageId}, as nobody but a forger would send it. */
    private static String forgedEvent(String imageId, String state) {
        return """
                {"version":"0","id":"forged","detail-type":"EC2 AMI State Change","source":"aws.ec2",\
                "account":"%s","time":"2026-12-01T00:00:00Z","region":"%s","resources":["arn:aws:ec2:%s::image/%s"],\
                "detail":{"RequestId":"r","ImageId":"%s","State":"%s","ErrorMessage":"forged"}}"""
                .formatted(Accounts.CONSUMER, Accounts.REGION, Accounts.REGION, imageId, imageId, state);
    }

    private static ObjectNode tagChange(String imageId, String targets) throws java.io.IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(DeployedSystem.repositoryRoot()
                .resolve("events/entry/tag-change-image-targets.json").toFile());
        event.set("resources", JSON.valueToTree(List.of("arn:aws:ec2:" + Accounts.REGION + "::image/" + imageId)));
        ((ObjectNode) event.path("detail").path("tags")).put(Names.TAG_TARGETS, targets);
        return event;
    }

    /** Invokes a deployed function directly, as the owner account (whoever holds lambda:InvokeFunction). */
    private static InvokeResponse invoke(Stage stage, String payload) {
        var lambda = system.aws.lambda(Accounts.OWNER);
        String name = lambda.listFunctions().functions().stream()
                .filter(f -> stage.handler().equals(f.handler())).map(FunctionConfiguration::functionName)
                .findFirst().orElseThrow(() -> new AssertionError("no deployed function for " + stage));
        return lambda.invoke(r -> r.functionName(name).payload(SdkBytes.fromUtf8String(payload)));
    }
}
