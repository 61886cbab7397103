package dev.amishare.tests.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import java.time.Duration;
import dev.amishare.tests.ServiceEvents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.DeployedSystem;
import dev.amishare.tests.GoldenAmi;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.ShareRequests;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * The deployed system (owner stack in 111111111111, consumer stacks in 222222222222 and 333333333333)
 * started through each of its entry points, with the end state read in every account.
 */
@ExtendWith(LocalStackExtension.class)
class EntryPointsE2ET {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static SystemRun system;

    @BeforeAll
    static void deploy(Aws aws) {
        system = new SystemRun(aws);
    }

    @Test
    void startExecution_shouldCopyReEncryptedUnderTheTargetsKey_whenStartedWithTheRequestFile() {
        // GIVEN a golden AMI with two volumes under two customer-managed keys, and the target's own key
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        String targetKey = system.targetKey(Accounts.CONSUMER);

        // WHEN the workflow runs with events/system/share-with-copy.json
        String executionArn = dev.amishare.tests.Executions.start(system.sfn(), system.system.stateMachineArn(),
                SystemRun.shareWithCopy(ami.imageId(), Accounts.CONSUMER, targetKey));
        // (the copy is pending, and the target's child execution parked on it: Await copy stored its token;
        // the Distributed Map's children keep their own histories, so the token is what shows the wait)
        String pendingCopy = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> system.copiesIn(Accounts.CONSUMER, ami.imageId()).stream()
                        .filter(i -> i.stateAsString().equals("pending")).map(Image::imageId).findFirst(),
                        java.util.Optional::isPresent).orElseThrow();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> !system.copyWaiters(Accounts.CONSUMER, Accounts.REGION, pendingCopy).isEmpty());
        DescribeExecutionResponse execution = system.awaitEnd(executionArn);

        // THEN the target owns an available copy, encrypted under its key and tagged with its source
        assertThat(execution.status()).as("%s %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        List<Image> copies = system.copiesIn(Accounts.CONSUMER, ami.imageId());
        assertThat(copies).singleElement().satisfies(copy -> {
            assertThat(copy.stateAsString()).isEqualTo("available");
            assertThat(copy.ownerId()).isEqualTo(Accounts.CONSUMER);
            assertThat(copy.blockDeviceMappings()).hasSize(2).extracting(BlockDeviceMapping::ebs)
                    .allSatisfy(ebs -> {
                        assertThat(ebs.encrypted()).isTrue();
                        assertThat(ebs.kmsKeyId()).isEqualTo(targetKey);
                    });
            assertThat(copy.tags()).contains(
                    Tag.builder().key("amishare:source-image").value(ami.imageId()).build(),
                    Tag.builder().key("amishare:source-account").value(Accounts.OWNER).build());
        });
        // AND the output is the summary, and the report in S3 has the target copied with that copy
        JsonNode summary = SystemRun.report(execution);
        assertThat(summary.path("withinTolerance").asBoolean()).isTrue();
        assertThat(summary.path("counts").path("copied").asInt()).isEqualTo(1);
        assertThat(summary.path("failed")).isEmpty();
        JsonNode target = system.outcome(execution, Accounts.CONSUMER);
        assertThat(target.path("status").asText()).isEqualTo("COPIED");
        assertThat(target.path("reasons")).isEmpty();
        assertThat(target.path("copies").get(0).path("imageId").asText()).isEqualTo(copies.get(0).imageId());
        assertThat(target.path("copies").get(0).path("state").asText()).isEqualTo("available");
        // AND the copy finished through EC2's state change event: the task parked while the copy was pending
        // would otherwise wait for its 900 s heartbeat; the event, forwarded from the target to the owner's
        // bus, resumed it and its handler deleted the token
        assertThat(copies.get(0).imageId()).isEqualTo(pendingCopy);
        assertThat(system.copyWaiters(Accounts.CONSUMER, Accounts.REGION, pendingCopy)).isEmpty();
        // AND the owner granted launch permission, the key policies and the snapshot permissions
        assertThat(system.owner.launchPermissionAccounts(ami.imageId())).containsExactly(Accounts.CONSUMER);
        for (String key : ami.keyArns()) {
            assertThat(system.owner.keyPolicyAccounts(key)).containsExactly(Accounts.CONSUMER);
        }
        for (String snapshot : ami.snapshotIds()) {
            assertThat(system.owner.snapshotPermissionAccounts(snapshot)).containsExactly(Accounts.CONSUMER);
        }

        // WHEN the same request runs again
        List<String> policies = ami.keyArns().stream().map(system.owner::keyPolicy).toList();
        DescribeExecutionResponse replay = system.run(
                SystemRun.shareWithCopy(ami.imageId(), Accounts.CONSUMER, targetKey));

        // THEN it succeeds and changes nothing: same copy, byte-identical key policies, all "already present"
        assertThat(replay.status()).as("%s %s", replay.error(), replay.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(system.copiesIn(Accounts.CONSUMER, ami.imageId())).extracting(Image::imageId)
                .containsExactly(copies.get(0).imageId());
        assertThat(ami.keyArns().stream().map(system.owner::keyPolicy).toList()).isEqualTo(policies);
        // (the grant stages' results, as counts: nothing added, everything already present, no policy written)
        List<String> outputs = system.sfn().getExecutionHistory(r -> r.executionArn(replay.executionArn())
                .maxResults(1000)).events().stream().filter(e -> e.type() == HistoryEventType.LAMBDA_FUNCTION_SUCCEEDED)
                .map(e -> e.lambdaFunctionSucceededEventDetails().output()).toList();
        assertThat(outputs).anySatisfy(o -> assertThat(o)
                .containsPattern("\"added\":\\s*0,\\s*\"alreadyPresent\":\\s*1,\\s*\"calls\":\\s*0"));
        assertThat(outputs).anySatisfy(o -> assertThat(o).containsPattern("\"policyChanged\":\\s*false")
                .doesNotContainPattern("\"policyChanged\":\\s*true"));
        JsonNode replayTarget = system.outcome(replay, Accounts.CONSUMER);
        assertThat(replayTarget.path("status").asText()).isEqualTo("COPIED");
        assertThat(replayTarget.path("copies").get(0).path("imageId").asText()).isEqualTo(copies.get(0).imageId());
        assertThat(system.owner.launchPermissionAccounts(ami.imageId())).containsExactly(Accounts.CONSUMER);
    }

    @Test
    void startExecution_shouldServeEachTargetAsAsked_whenOneRequestNamesTwoAccounts() {
        // GIVEN a golden AMI, a target that copies and a target that only launches
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        String targetKey = system.targetKey(Accounts.CONSUMER);

        // WHEN the workflow runs with events/system/share-two-targets.json
        DescribeExecutionResponse execution = system.run(ShareRequests.fromFile("share-two-targets.json", Map.of(
                "imageId", ami.imageId(), "accountId", Accounts.CONSUMER, "kmsKeyId", targetKey,
                "launchOnlyAccountId", Accounts.THIRD)));

        // THEN both accounts may launch it and use the keys; only the copying one gets snapshots and a copy
        assertThat(execution.status()).as("%s %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(system.owner.launchPermissionAccounts(ami.imageId()))
                .containsExactly(Accounts.CONSUMER, Accounts.THIRD);
        for (String key : ami.keyArns()) {
            assertThat(system.owner.keyPolicyAccounts(key)).containsExactly(Accounts.CONSUMER, Accounts.THIRD);
        }
        for (String snapshot : ami.snapshotIds()) {
            assertThat(system.owner.snapshotPermissionAccounts(snapshot)).containsExactly(Accounts.CONSUMER);
        }
        assertThat(system.copiesIn(Accounts.CONSUMER, ami.imageId())).singleElement()
                .satisfies(copy -> assertThat(copy.stateAsString()).isEqualTo("available"));
        assertThat(system.copiesIn(Accounts.THIRD, ami.imageId())).isEmpty();
        assertThat(system.visibleIn(Accounts.THIRD, ami.imageId())).isTrue();
        assertThat(system.shareReport(execution).path("targets")).extracting(t -> t.path("accountId").asText()
                + " " + t.path("status").asText())
                .containsExactlyInAnyOrder(Accounts.CONSUMER + " COPIED", Accounts.THIRD + " VALIDATED");
    }

    @Test
    void tagChange_shouldGrantLaunchAccess_whenTheTargetsTagEventReachesTheBus() throws IOException {
        // GIVEN a golden AMI and the "Tag Change on Resource" event of its amishare:targets tag
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        ObjectNode event = entryEvent("tag-change-image-targets.json");
        event.putArray("resources").add("arn:aws:ec2:us-east-1::image/" + ami.imageId());
        ((ObjectNode) event.path("detail").path("tags")).put("amishare:targets", Accounts.THIRD);

        // WHEN the event is put on the owner's default bus
        putEvent(event);

        // THEN the rule starts a share that gives the target launch access and the key policies
        DescribeExecutionResponse execution = system.awaitExecutionMentioning(ami.imageId());
        assertThat(execution.status()).as("%s %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(system.owner.launchPermissionAccounts(ami.imageId())).containsExactly(Accounts.THIRD);
        assertThat(system.visibleIn(Accounts.THIRD, ami.imageId())).isTrue();
        for (String key : ami.keyArns()) {
            assertThat(system.owner.keyPolicyAccounts(key)).containsExactly(Accounts.THIRD);
        }
        // launch only: no snapshot permission, no copy
        for (String snapshot : ami.snapshotIds()) {
            assertThat(system.owner.snapshotPermissionAccounts(snapshot)).isEmpty();
        }
        assertThat(system.copiesIn(Accounts.THIRD, ami.imageId())).isEmpty();
    }

    @Test
    void postShares_shouldRunTheShare_whenCalledThroughTheDeployedApi() throws Exception {
        // GIVEN a golden AMI and a request for a copy in the consumer account
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        String targetKey = system.targetKey(Accounts.CONSUMER);
        String body = SystemRun.shareWithCopy(ami.imageId(), Accounts.CONSUMER, targetKey);

        // WHEN it is POSTed to /shares, signed with SigV4 as the owner account (the API uses IAM auth)
        HttpResponse<String> response = system.apiCall(SdkHttpMethod.POST, "/shares", body);

        // THEN the API answers 202 with the execution, which copies the AMI
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode accepted = JSON.readTree(response.body());
        String executionArn = accepted.path("executionArn").asText();
        assertThat(executionArn).startsWith(system.system.stateMachineArn().replace(":stateMachine:", ":execution:"));
        DescribeExecutionResponse execution = system.awaitEnd(executionArn);
        assertThat(execution.status()).as("%s %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(system.copiesIn(Accounts.CONSUMER, ami.imageId())).singleElement()
                .satisfies(copy -> assertThat(copy.stateAsString()).isEqualTo("available"));

        // AND GET /shares/{id} reports it
        HttpResponse<String> status = system.apiCall(SdkHttpMethod.GET, "/shares/" + accepted.path("id").asText(), null);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        assertThat(JSON.readTree(status.body()).path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void getShare_shouldAnswer404_whenNoShareHasTheId() throws Exception {
        // GIVEN an id no share was started with
        String id = java.util.UUID.randomUUID().toString();

        // WHEN it is read through the API
        HttpResponse<String> response = system.apiCall(SdkHttpMethod.GET, "/shares/" + id, null);

        // THEN neither the ledger nor Step Functions knows it: 404
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    }

    @Test
    void postShares_shouldStartOneShare_whenTheSameIdempotencyKeyIsSentTwice() throws Exception {
        // GIVEN a request and a key of this test run's own
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        String body = """
                {"imageId":"%s","targets":[{"accountId":"%s"}]}""".formatted(ami.imageId(),
                Accounts.CONSUMER);
        Map<String, String> key = Map.of("Idempotency-Key", "e2e-" + java.util.UUID.randomUUID());

        // WHEN it is POSTed twice with the key
        HttpResponse<String> first = system.apiCall(SdkHttpMethod.POST, "/shares", body, key);
        HttpResponse<String> replay = system.apiCall(SdkHttpMethod.POST, "/shares", body, key);

        // THEN one execution: the replay answers 200 with the first one, marked as replayed
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        JsonNode accepted = JSON.readTree(first.body());
        assertThat(accepted.path("id").asText()).startsWith("idem-");
        assertThat(JSON.readTree(replay.body()).path("executionArn").asText())
                .isEqualTo(accepted.path("executionArn").asText());
        DescribeExecutionResponse execution = system.awaitEnd(accepted.path("executionArn").asText());
        assertThat(execution.status()).as("%s %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void postShares_shouldAnswer400AndStartNothing_whenTheBodyBreaksTheSchema() throws Exception {
        // GIVEN a request with a malformed account id
        String body = Files.readString(DeployedSystem.repositoryRoot().resolve("events/requests/invalid-account-id.json"));
        int before = system.sfn().listExecutions(r -> r.stateMachineArn(system.system.stateMachineArn())
                .maxResults(1000)).executions().size();

        // WHEN it is POSTed
        HttpResponse<String> response = system.apiCall(SdkHttpMethod.POST, "/shares", body);

        // THEN API Gateway's validator refuses it and no execution starts
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(system.sfn().listExecutions(r -> r.stateMachineArn(system.system.stateMachineArn())
                .maxResults(1000)).executions()).hasSize(before);
    }

    @Test
    void accountVending_shouldShareOptedInAmis_whenControlTowerCreatesAnAccount() throws IOException {
        // GIVEN a golden AMI opted in to sharing with new accounts
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard().withImageTags(
                Tag.builder().key("amishare:share-with-new-accounts").value("true").build()));
        ObjectNode event = entryEvent("controltower-create-managed-account.json");
        ((ObjectNode) event.path("detail").path("serviceEventDetails").path("createManagedAccountStatus")
                .path("account")).put("accountId", Accounts.THIRD);

        // WHEN Control Tower's CreateManagedAccount event reaches the owner's bus
        putEvent(event);

        // THEN a share starts for the new account and gives it launch access to the AMI
        DescribeExecutionResponse execution = system.awaitExecutionMentioning(ami.imageId());
        assertThat(execution.status()).as("%s %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(system.owner.launchPermissionAccounts(ami.imageId())).contains(Accounts.THIRD);
        assertThat(system.visibleIn(Accounts.THIRD, ami.imageId())).isTrue();
        for (String key : ami.keyArns()) {
            assertThat(system.owner.keyPolicyAccounts(key)).contains(Accounts.THIRD);
        }
    }

    private static ObjectNode entryEvent(String file) throws IOException {
        return (ObjectNode) JSON.readTree(DeployedSystem.repositoryRoot().resolve("events/entry").resolve(file).toFile());
    }

    private static void putEvent(ObjectNode event) {
        // Tag-change and account-vending events happen in the owner account, which is also the emulator's
        // management account.
        var response = ServiceEvents.emit(system.aws.events(Accounts.OWNER), event, null);
        assertThat(response.failedEntryCount()).as(response.toString()).isZero();
    }
}
