package dev.amishare.tests.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Executions;
import dev.amishare.tests.Fleet;
import dev.amishare.tests.GoldenAmi;
import dev.amishare.tests.LedgerItems;
import dev.amishare.tests.LocalStackExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The share ledger on the deployed system: shares and unshares of AMIs that meet on the same key policies,
 * a failed share rolling back only what it granted itself, and the API's unshare and access report. Each
 * test uses fleet accounts of its own ({@value #FIRST_ACCOUNT} on), so they do not depend on their order.
 */
@ExtendWith(LocalStackExtension.class)
class ShareLedgerE2ET {

    private static final int FIRST_ACCOUNT = 801;
    /** Ten shares and then five unshares at once on a 2-core emulator take minutes. */
    private static final Duration CONCURRENT_TIMEOUT = Duration.ofMinutes(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SystemRun system;
    private static Fleet fleet;
    private static LedgerItems ledger;

    @BeforeAll
    static void deploy(Aws aws) {
        system = new SystemRun(aws);
        fleet = new Fleet(aws);
        ledger = LedgerItems.ofFunction(aws, functionOf("Prepare share"));
    }

    @AfterEach
    void disarmFaults() {
        Fleet.clearLambdaFaults(system.aws.endpoint());
    }

    @Test
    void concurrentSharesAndUnshares_shouldLeaveExactlyTheRemainingAccountsInBothKeyPolicies_whenTenShareAndFiveUnshareAtOnce() {
        // GIVEN ten opted-in AMIs whose two volumes are all encrypted under the same two customer-managed keys,
        // and ten ready launch-only fleet accounts, one per AMI
        List<String> keys = List.of(GoldenAmi.managedKey(system.aws, "amishare e2e shared volume key 1"),
                GoldenAmi.managedKey(system.aws, "amishare e2e shared volume key 2"));
        List<GoldenAmi> amis = IntStream.range(0, 10).mapToObj(i -> GoldenAmi.underKeys(system.aws, keys)).toList();
        List<String> accounts = Fleet.accounts(FIRST_ACCOUNT, 10);
        fleet.createRoles(accounts, Fleet.Permissions.FULL);

        // WHEN ten executions start at once, the i-th sharing the i-th AMI with the i-th account
        List<String> shares = IntStream.range(0, 10).mapToObj(i -> Executions.start(system.sfn(),
                system.system.stateMachineArn(), Fleet.shareRequest(amis.get(i).imageId(),
                        List.of(Fleet.launchOnly(accounts.get(i))), 0))).toList();
        List<DescribeExecutionResponse> shared = awaitAll(shares);

        // THEN every share succeeds and both key policies hold all ten accounts
        assertThat(shared).allSatisfy(e -> assertThat(e.status()).as("%s %s %s", e.executionArn(), e.error(),
                e.cause()).isEqualTo(ExecutionStatus.SUCCEEDED));
        for (String key : keys) {
            assertThat(system.owner.keyPolicyAccounts(key)).as(key).containsExactlyInAnyOrderElementsOf(accounts);
        }

        // WHEN the first five shares are unshared at once
        List<String> unshares = IntStream.range(0, 5).mapToObj(i -> Executions.start(system.sfn(),
                system.system.stateMachineArn(), unshareRequest(Executions.name(shares.get(i))))).toList();
        List<DescribeExecutionResponse> unshared = awaitAll(unshares);

        // THEN every unshare succeeds
        assertThat(unshared).allSatisfy(e -> assertThat(e.status()).as("%s %s %s", e.executionArn(), e.error(),
                e.cause()).isEqualTo(ExecutionStatus.SUCCEEDED));
        // AND both key policies hold exactly the five remaining accounts, as the ledger's key grants do
        List<String> remaining = accounts.subList(5, 10);
        for (String key : keys) {
            assertThat(system.owner.keyPolicyAccounts(key)).as(key).containsExactlyInAnyOrderElementsOf(remaining);
            assertThat(ledger.principals(key)).as("ledger GRANT#%s", key).containsExactlyInAnyOrderElementsOf(remaining);
            assertThat(ledger.shareIds(key)).as("ledger GRANT#%s", key).containsExactlyInAnyOrderElementsOf(
                    shares.subList(5, 10).stream().map(Executions::name).toList());
        }
        // AND each image's launch permission is what the ledger holds for it: its own account while shared,
        // nobody once unshared
        for (int i = 0; i < 10; i++) {
            String imageId = amis.get(i).imageId();
            Set<String> expected = i < 5 ? Set.of() : Set.of(accounts.get(i));
            assertThat(ledger.principals(imageId)).as("ledger GRANT#%s", imageId)
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(system.owner.launchPermissionAccounts(imageId)).as(imageId)
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void rollback_shouldKeepAnEarlierShareAndRemoveOnlyItsOwnGrant_whenALaterShareFails() {
        // GIVEN an AMI shared by execution A with account X (launch only)
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        String x = Fleet.account(FIRST_ACCOUNT + 10);
        String y = Fleet.account(FIRST_ACCOUNT + 11);
        fleet.createRoles(List.of(x, y), Fleet.Permissions.FULL);
        DescribeExecutionResponse a = system.run(Fleet.shareRequest(ami.imageId(), List.of(Fleet.launchOnly(x)), 0));
        assertThat(a.status()).as("%s %s", a.error(), a.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        String shareA = Executions.name(a.executionArn());
        // AND the next invocation of the snapshot stage failing with an Invoke error no Retry takes, so a share
        // that copies fails after its launch and key-policy grants (A, launch only, never ran that stage)
        Fleet.armLambdaFault(system.aws.endpoint(), functionOf("Share snapshots"), 1, "InvalidParameterValueException");

        // WHEN execution B asks for X (launch only) and Y (with a copy) on the same AMI, rollback on
        DescribeExecutionResponse b = system.run(Fleet.shareRequest(ami.imageId(), List.of(Fleet.launchOnly(x),
                Fleet.copying(y, system.targetKey(y))), 0));

        // THEN B fails after rolling back ("Revoke grants" ran)
        assertThat(b.status()).as("%s %s", b.error(), b.cause()).isEqualTo(ExecutionStatus.FAILED);
        String shareB = Executions.name(b.executionArn());
        assertThat(Fleet.history(system.sfn(), b.executionArn()))
                .filteredOn(e -> e.stateEnteredEventDetails() != null)
                .extracting(e -> e.stateEnteredEventDetails().name())
                .contains("Grant launch permission", "Patch key policies", "Share snapshots", "Revoke grants");
        // AND X keeps launch permission and key access (A's grants); Y has neither, nor snapshot permission
        assertThat(system.owner.launchPermissionAccounts(ami.imageId())).containsExactly(x);
        for (String key : ami.keyArns()) {
            assertThat(system.owner.keyPolicyAccounts(key)).as(key).containsExactly(x);
        }
        for (String snapshot : ami.snapshotIds()) {
            assertThat(system.owner.snapshotPermissionAccounts(snapshot)).as(snapshot).isEmpty();
        }
        assertThat(system.visibleIn(x, ami.imageId())).isTrue();
        assertThat(system.visibleIn(y, ami.imageId())).isFalse();
        // AND the ledger holds A's grants for X on the image and both keys, and none of B's
        List<String> resources = new ArrayList<>(ami.keyArns());
        resources.add(ami.imageId());
        resources.addAll(ami.snapshotIds());
        for (String resource : resources) {
            assertThat(ledger.grants(resource)).as("ledger GRANT#%s", resource)
                    .noneSatisfy(g -> assertThat(g.shareId()).isEqualTo(shareB));
        }
        for (String resource : resources.subList(0, ami.keyArns().size() + 1)) {
            assertThat(ledger.grants(resource)).as("ledger GRANT#%s", resource)
                    .extracting(g -> g.principal() + " " + g.shareId()).containsExactly(x + " " + shareA);
        }
    }

    @Test
    void unshare_shouldRemoveTheShareAndReportNoDrift_whenDeletedThroughTheApi_andReportDrift_whenChangedOutsideAmishare()
            throws Exception {
        // GIVEN an AMI shared through the API with a launch-only fleet account
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        String target = Fleet.account(FIRST_ACCOUNT + 12);
        String outsider = Fleet.account(FIRST_ACCOUNT + 13);
        fleet.createRoles(List.of(target), Fleet.Permissions.FULL);
        HttpResponse<String> posted = system.apiCall(SdkHttpMethod.POST, "/shares",
                Fleet.shareRequest(ami.imageId(), List.of(Fleet.launchOnly(target)), 0));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        JsonNode accepted = JSON.readTree(posted.body());
        String shareId = accepted.path("id").asText();
        DescribeExecutionResponse share = system.awaitEnd(accepted.path("executionArn").asText());
        assertThat(share.status()).as("%s %s", share.error(), share.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(system.owner.launchPermissionAccounts(ami.imageId())).containsExactly(target);

        // WHEN the share is deleted through the API
        HttpResponse<String> deleted = system.apiCall(SdkHttpMethod.DELETE, "/shares/" + shareId, null);

        // THEN the API answers 202 with the unshare's execution, which succeeds
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
        JsonNode unshare = JSON.readTree(deleted.body());
        assertThat(unshare.path("shareId").asText()).isEqualTo(shareId);
        assertThat(unshare.path("id").asText()).isNotBlank();
        DescribeExecutionResponse unshared = system.awaitEnd(unshare.path("executionArn").asText());
        assertThat(unshared.status()).as("%s %s", unshared.error(), unshared.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        // AND the target lost launch permission and key access
        assertThat(system.owner.launchPermissionAccounts(ami.imageId())).isEmpty();
        for (String key : ami.keyArns()) {
            assertThat(system.owner.keyPolicyAccounts(key)).as(key).isEmpty();
        }
        // AND the share record says UNSHARED, and the list of shares has it
        HttpResponse<String> record = system.apiCall(SdkHttpMethod.GET, "/shares/" + shareId, null);
        assertThat(record.statusCode()).as(record.body()).isEqualTo(200);
        assertThat(JSON.readTree(record.body()).path("share").path("state").asText()).isEqualTo("UNSHARED");
        assertThat(listedShareIds()).contains(shareId);
        // AND the access report finds nothing granted and nothing recorded: no drift
        JsonNode clean = accessReport(ami.imageId());
        assertThat(clean.path("imageId").asText()).isEqualTo(ami.imageId());
        assertThat(clean.path("drift").asBoolean(true)).as(clean.toString()).isFalse();
        assertThat(clean.path("driftCount").asInt(-1)).as(clean.toString()).isZero();

        // WHEN launch permission is added outside amishare
        system.aws.ec2(Accounts.OWNER).modifyImageAttribute(r -> r.imageId(ami.imageId())
                .launchPermission(p -> p.add(LaunchPermission.builder().userId(outsider).build())));

        // THEN the access report shows drift: that account on LAUNCH, present but unrecorded
        JsonNode drifted = accessReport(ami.imageId());
        assertThat(drifted.path("drift").asBoolean()).as(drifted.toString()).isTrue();
        assertThat(drifted.path("driftCount").asInt()).as(drifted.toString()).isPositive();
        JsonNode principal = principalOf(drifted, "LAUNCH", ami.imageId(), outsider);
        assertThat(principal).as(drifted.toString()).isNotNull();
        assertThat(principal.path("verdict").asText()).isEqualTo("UNRECORDED");
        assertThat(principal.path("present").asBoolean()).isTrue();
        assertThat(principal.path("shareIds")).isEmpty();
    }

    private static String unshareRequest(String shareId) {
        ObjectNode request = JSON.createObjectNode();
        request.putObject("unshare").put("shareId", shareId).put("deregisterCopies", false);
        request.put("requestedBy", "e2e");
        return request.toString();
    }

    /** Waits until none of the executions is running, and describes them. */
    private static List<DescribeExecutionResponse> awaitAll(List<String> executionArns) {
        return await().atMost(CONCURRENT_TIMEOUT).pollInterval(Duration.ofSeconds(2))
                .until(() -> executionArns.stream().map(arn -> system.sfn().describeExecution(r -> r.executionArn(arn)))
                        .toList(), all -> all.stream().noneMatch(e -> e.status() == ExecutionStatus.RUNNING));
    }

    private static JsonNode accessReport(String imageId) throws Exception {
        HttpResponse<String> response = system.apiCall(SdkHttpMethod.GET, "/images/" + imageId + "/access", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The report's entry for {@code principal} on {@code resource} of {@code kind}, or null. */
    private static JsonNode principalOf(JsonNode report, String kind, String resource, String principal) {
        for (JsonNode r : report.path("resources")) {
            if (kind.equals(r.path("kind").asText()) && resource.equals(r.path("resource").asText())) {
                for (JsonNode p : r.path("principals")) {
                    if (principal.equals(p.path("principal").asText())) {
                        return p;
                    }
                }
            }
        }
        return null;
    }

    /** Every share id {@code GET /shares} lists, all pages. */
    private static Set<String> listedShareIds() throws Exception {
        Set<String> ids = new TreeSet<>();
        String next = null;
        do {
            HttpResponse<String> page = system.apiCall(SdkHttpMethod.GET,
                    "/shares?limit=100" + (next == null ? "" : "&next=" + next), null);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(page.body());
            body.path("shares").forEach(s -> ids.add(s.path("id").asText()));
            next = body.path("next").isTextual() ? body.path("next").asText() : null;
        } while (next != null);
        return ids;
    }

    /** The function the deployed state machine's state {@code stateName} invokes, from its definition. */
    private static String functionOf(String stateName) {
        String definition = system.sfn().describeStateMachine(r -> r.stateMachineArn(system.system.stateMachineArn()))
                .definition();
        try {
            JsonNode state = find(JSON.readTree(definition), stateName);
            if (state == null) {
                throw new IllegalStateException("no state " + stateName + " in the deployed definition");
            }
            String resource = state.path("Resource").asText();
            return resource.startsWith("arn:aws:lambda:") ? resource
                    : state.path("Parameters").path("FunctionName").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode find(JsonNode node, String stateName) {
        if (node.isObject() && node.path("States").has(stateName)) {
            return node.path("States").get(stateName);
        }
        for (JsonNode child : node) {
            if (child.isContainerNode()) {
                JsonNode found = find(child, stateName);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
