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
import dev.amishare.tests.LocalStackExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * The deployed system at organization scale: hundreds of fleet accounts ({@link Fleet}, the emulator's OU
 * {@value Fleet#OU}) in one request, targets that are not ready among ready ones, and a Lambda failure
 * that a retry absorbs. Each test uses fleet accounts of its own, so they do not depend on their order.
 */
@ExtendWith(LocalStackExtension.class)
class OrganizationScaleE2ET {

    /** Hundreds of child executions of JVM-backed functions on a 2-core machine take minutes. */
    private static final Duration LARGE_RUN_TIMEOUT = Duration.ofMinutes(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SystemRun system;
    private static Fleet fleet;

    @BeforeAll
    static void deploy(Aws aws) {
        system = new SystemRun(aws);
        fleet = new Fleet(aws);
    }

    @AfterEach
    void disarmFaults() {
        Fleet.clearLambdaFaults(system.aws.endpoint());
    }

    @Test
    void startExecution_shouldShareWithEveryTargetInBoundedHistory_whenOneRequestNames303Accounts() {
        // GIVEN 300 launch-only fleet accounts and 3 copying ones (the consumer stack's account and two fleet
        // accounts), each with the consumer role, the copying ones with a destination key
        List<String> launchOnly = Fleet.accounts(1, 300);
        List<String> copyingFleet = Fleet.accounts(301, 2);
        List<String> withRoles = new ArrayList<>(launchOnly);
        withRoles.addAll(copyingFleet);
        fleet.createRoles(withRoles, Fleet.Permissions.FULL);
        copyingFleet.forEach(fleet::forwardCopyEvents);
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        List<ObjectNode> targets = new ArrayList<>(launchOnly.stream().map(Fleet::launchOnly).toList());
        targets.add(Fleet.copying(Accounts.CONSUMER, system.targetKey(Accounts.CONSUMER)));
        copyingFleet.forEach(a -> targets.add(Fleet.copying(a, system.targetKey(a))));

        // WHEN one execution shares the AMI with all of them
        DescribeExecutionResponse execution = run(Fleet.shareRequest(ami.imageId(), targets, 0));

        // THEN it succeeds, and the report in S3 has one outcome per target: 300 validated, 3 copied
        assertThat(execution.status()).as("%s %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode report = report(execution);
        assertThat(report.path("targets")).hasSize(303);
        Map<String, String> status = statusByAccount(report);
        assertThat(launchOnly).allSatisfy(a -> assertThat(status.get(a)).as(a).isEqualTo("VALIDATED"));
        List<String> copying = new ArrayList<>(copyingFleet);
        copying.add(Accounts.CONSUMER);
        assertThat(copying).allSatisfy(a -> assertThat(status.get(a)).as(a).isEqualTo("COPIED"));
        assertThat(copying).allSatisfy(a -> assertThat(system.copiesIn(a, ami.imageId())).as(a).singleElement()
                .satisfies(copy -> assertThat(copy.stateAsString()).isEqualTo("available")));
        // AND the parent's history stays small: the targets' events are in the child executions
        List<HistoryEvent> history = Fleet.history(system.sfn(), execution.executionArn());
        assertThat(history).hasSizeLessThan(500);
        // AND no state's input or output, no task's parameters or result, grows with the targets
        assertThat(history).allSatisfy(e -> assertThat(Fleet.payloads(e)).allSatisfy(p -> assertThat(Fleet.bytes(p))
                .as("%s event %d", e.typeAsString(), e.id()).isLessThanOrEqualTo(32 * 1024)));
        assertThat(history).filteredOn(e -> e.type() == HistoryEventType.TASK_STATE_EXITED
                || e.type() == HistoryEventType.MAP_STATE_EXITED).isNotEmpty();
    }

    @Test
    void startExecution_shouldGrantNothingToUnreadyTargets_whenOneLacksTheRoleAndOneLacksCreateGrant() {
        // GIVEN 50 fleet accounts: one without the consumer role, one whose role lacks kms:CreateGrant, one
        // that copies, the others launch only
        List<String> accounts = Fleet.accounts(401, 50);
        String withoutRole = accounts.get(0);
        String withoutCreateGrant = accounts.get(1);
        String copying = accounts.get(2);
        fleet.createRoles(accounts.subList(2, accounts.size()), Fleet.Permissions.FULL);
        fleet.deleteRoles(List.of(withoutRole));
        fleet.createRoles(List.of(withoutCreateGrant), Fleet.Permissions.WITHOUT_CREATE_GRANT);
        fleet.forwardCopyEvents(copying);
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        String copyKey = system.targetKey(copying);
        List<ObjectNode> targets = accounts.stream()
                .map(a -> a.equals(copying) ? Fleet.copying(a, copyKey) : Fleet.launchOnly(a)).toList();
        List<String> ready = accounts.subList(2, accounts.size());

        // WHEN the share runs with no tolerance for failed targets
        DescribeExecutionResponse strict = run(Fleet.shareRequest(ami.imageId(), targets, 0));

        // THEN it fails with TargetsFailedException naming both unready targets
        assertThat(strict.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(strict.error()).isEqualTo("dev.amishare.errors.TargetsFailedException");
        assertThat(strict.cause()).contains(withoutRole, withoutCreateGrant);
        // AND the report has the 48 others validated (the copying one copied) and the two not ready, with reasons
        JsonNode report = reportOfFailed(strict);
        Map<String, String> status = statusByAccount(report);
        assertThat(status).hasSize(50);
        assertThat(status.get(copying)).isEqualTo("COPIED");
        assertThat(ready.subList(1, ready.size()))
                .allSatisfy(a -> assertThat(status.get(a)).as(a).isEqualTo("VALIDATED"));
        assertThat(status.get(withoutRole)).isEqualTo("NOT_READY");
        assertThat(status.get(withoutCreateGrant)).isEqualTo("NOT_READY");
        assertThat(reasons(report, withoutRole)).isNotEmpty()
                .anySatisfy(r -> assertThat(r).containsIgnoringCase("assume"));
        assertThat(reasons(report, withoutCreateGrant)).isNotEmpty()
                .anySatisfy(r -> assertThat(r).contains("kms:CreateGrant"));
        assertThat(system.copiesIn(copying, ami.imageId())).singleElement()
                .satisfies(copy -> assertThat(copy.stateAsString()).isEqualTo("available"));
        // AND the two got no launch permission, no key access and no snapshot permission; the others did
        assertThat(system.owner.launchPermissionAccounts(ami.imageId())).containsAll(ready)
                .doesNotContain(withoutRole, withoutCreateGrant);
        for (String key : ami.keyArns()) {
            assertThat(Fleet.keyPolicyCallerAccounts(system.owner.keyPolicy(key))).as(key).containsAll(ready)
                    .doesNotContain(withoutRole, withoutCreateGrant);
        }
        for (String snapshot : ami.snapshotIds()) {
            assertThat(system.owner.snapshotPermissionAccounts(snapshot)).as(snapshot).containsExactly(copying);
        }

        // WHEN the same request tolerates 5 % failed targets (2 of 50 is 4 %)
        DescribeExecutionResponse tolerant = run(Fleet.shareRequest(ami.imageId(), targets, 5));

        // THEN it succeeds, still reporting the two as not ready
        assertThat(tolerant.status()).as("%s %s", tolerant.error(), tolerant.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode summary = Executions.output(tolerant);
        assertThat(summary.path("counts").path("notReady").asInt()).isEqualTo(2);
        assertThat(summary.path("withinTolerance").asBoolean()).isTrue();
        assertThat(system.owner.launchPermissionAccounts(ami.imageId()))
                .doesNotContain(withoutRole, withoutCreateGrant);
    }

    @Test
    void startExecution_shouldRetryAndSucceed_whenLambdaThrottlesTheKeyPolicyStage() {
        // GIVEN three ready fleet accounts, and the next two invocations of the "Patch key policies" function
        // failing with Lambda's TooManyRequestsException
        List<String> accounts = Fleet.accounts(501, 3);
        fleet.createRoles(accounts, Fleet.Permissions.FULL);
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        String function = functionOf("Patch key policies");
        Fleet.armLambdaFault(system.aws.endpoint(), function, 2, "TooManyRequestsException");

        // WHEN the share runs
        DescribeExecutionResponse execution = run(Fleet.shareRequest(ami.imageId(),
                accounts.stream().map(Fleet::launchOnly).toList(), 0));

        // THEN the stage was retried after both throttles and the share succeeded
        assertThat(execution.status()).as("%s %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(Fleet.lambdaFaults(system.aws.endpoint())).as("armed faults left")
                .noneSatisfy(f -> assertThat(f.path("functionName").asText()).isEqualTo(function));
        // (a Task on the function's ARN reports Lambda's error in a LambdaFunctionFailed event)
        assertThat(Fleet.history(system.sfn(), execution.executionArn()))
                .filteredOn(e -> e.type() == HistoryEventType.LAMBDA_FUNCTION_FAILED)
                .extracting(e -> e.lambdaFunctionFailedEventDetails().error())
                .containsExactly("Lambda.TooManyRequestsException", "Lambda.TooManyRequestsException");
        for (String key : ami.keyArns()) {
            assertThat(Fleet.keyPolicyCallerAccounts(system.owner.keyPolicy(key))).containsAll(accounts);
        }
        assertThat(system.owner.launchPermissionAccounts(ami.imageId())).containsAll(accounts);
    }

    private static DescribeExecutionResponse run(String input) {
        String arn = Executions.start(system.sfn(), system.system.stateMachineArn(), input);
        return await().atMost(LARGE_RUN_TIMEOUT).pollInterval(Duration.ofSeconds(2))
                .until(() -> system.sfn().describeExecution(r -> r.executionArn(arn)),
                        e -> e.status() != ExecutionStatus.RUNNING);
    }

    /** The report in S3 that a succeeded execution's summary points to. */
    private static JsonNode report(DescribeExecutionResponse execution) {
        JsonNode at = Executions.output(execution).path("report");
        return system.aws.s3Json(at.path("bucket").asText(), at.path("key").asText());
    }

    /**
     * The report of a failed execution: its cause is the summary's message, which ends with the report's
     * {@code s3://bucket/key}.
     */
    private static JsonNode reportOfFailed(DescribeExecutionResponse execution) {
        String cause = execution.cause();
        String uri = cause.substring(cause.lastIndexOf("s3://")).trim();
        String path = uri.substring("s3://".length());
        int slash = path.indexOf('/');
        return system.aws.s3Json(path.substring(0, slash), path.substring(slash + 1));
    }

    private static Map<String, String> statusByAccount(JsonNode report) {
        return StreamSupport.stream(report.path("targets").spliterator(), false).collect(Collectors.toMap(
                t -> t.path("accountId").asText(), t -> t.path("status").asText()));
    }

    private static List<String> reasons(JsonNode report, String account) {
        for (JsonNode t : report.path("targets")) {
            if (account.equals(t.path("accountId").asText())) {
                return StreamSupport.stream(t.path("reasons").spliterator(), false).map(JsonNode::asText).toList();
            }
        }
        return List.of();
    }

    /** The function the deployed state machine's state {@code stateName} invokes, from its definition. */
    private static String functionOf(String stateName) {
        String definition = system.sfn().describeStateMachine(r -> r.stateMachineArn(system.system.stateMachineArn()))
                .definition();
        try {
            JsonNode state = find(JSON.readTree(definition), stateName);
            assertThat(state).as("state %s in the deployed definition", stateName).isNotNull();
            // A payload-only task names its function as the Resource; lambda:invoke names it in Parameters.
            String resource = state.path("Resource").asText();
            return resource.startsWith("arn:aws:lambda:") ? resource
                    : state.path("Parameters").path("FunctionName").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode find(JsonNode node, String stateName) {
        if (node.isObject()) {
            JsonNode states = node.path("States");
            if (states.has(stateName)) {
                return states.get(stateName);
            }
            for (JsonNode child : node) {
                JsonNode found = find(child, stateName);
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode child : node) {
                JsonNode found = find(child, stateName);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
