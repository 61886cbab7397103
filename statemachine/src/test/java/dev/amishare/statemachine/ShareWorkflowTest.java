package dev.amishare.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.contract.Stage;
import dev.amishare.errors.AwsNotYetVisibleException;
import dev.amishare.errors.AwsQuotaExceededException;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.AwsUnavailableException;
import dev.amishare.errors.TargetsFailedException;
import dev.amishare.errors.TerminalException;
import dev.amishare.errors.TransientException;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.assertions.Template;

class ShareWorkflowTest {

    private static final String THROTTLED = "dev.amishare.errors.AwsThrottledException";

    /** Every state of the definition by name, the Map iterations' states included. */
    private static Map<String, JsonNode> states(JsonNode definition) {
        Map<String, JsonNode> all = new LinkedHashMap<>();
        definition.get("States").fields().forEachRemaining(e -> {
            all.put(e.getKey(), e.getValue());
            if (e.getValue().has("ItemProcessor")) {
                all.putAll(states(e.getValue().get("ItemProcessor")));
            }
        });
        return all;
    }

    private static JsonNode throttlingRetry(JsonNode task) {
        for (JsonNode retry : task.get("Retry")) {
            if (retry.get("ErrorEquals").toString().equals("[\"" + THROTTLED + "\"]")) {
                return retry;
            }
        }
        throw new AssertionError("no throttling retry on " + task);
    }

    /** The Task states: every workflow stage by its state name, and rollback's second revoke. */
    private static Map<String, JsonNode> tasks(Map<String, JsonNode> states) {
        Map<String, JsonNode> tasks = new LinkedHashMap<>();
        states.forEach((name, state) -> {
            if (state.get("Type").asText().equals("Task")) {
                tasks.put(name, state);
            }
        });
        return tasks;
    }

    private static List<String> expectedTaskNames() {
        List<String> names = new ArrayList<>(Arrays.stream(Stage.values()).filter(Stage::inWorkflow)
                .map(Stage::stateName).toList());
        names.add("Revoke failed targets");
        names.add("Unshare");
        return names;
    }

    private static List<String> retriedErrors(JsonNode task) {
        List<String> errors = new ArrayList<>();
        task.path("Retry").forEach(r -> r.get("ErrorEquals").forEach(e -> errors.add(e.asText())));
        return errors;
    }

    @Test
    void definition_shouldRetryThrottlingWithFullJitterOnEveryTask_whenSynthesized() {
        // GIVEN the synthesized workflow
        Map<String, JsonNode> states = states(Synth.definition(Synth.template()));

        // WHEN
        Map<String, JsonNode> tasks = tasks(states);

        // THEN every task retries the throttled error by its full class name, with full jitter and a bound
        assertThat(tasks.keySet()).containsExactlyInAnyOrderElementsOf(expectedTaskNames());
        tasks.forEach((name, task) -> {
            JsonNode retry = throttlingRetry(task);
            assertThat(retry.get("JitterStrategy").asText()).as(name).isEqualTo("FULL");
            assertThat(retry.get("BackoffRate").asDouble()).as(name).isEqualTo(2.0);
            assertThat(retry.get("MaxAttempts").asInt()).as(name).isBetween(3, 8);
            assertThat(retry.get("MaxDelaySeconds").asInt()).as(name).isLessThanOrEqualTo(60);
        });
    }

    @Test
    void definition_shouldTuneTheBackoffToEachApisRefillRate_whenSynthesized() {
        // GIVEN
        Map<String, JsonNode> states = states(Synth.definition(Synth.template()));

        // WHEN
        JsonNode keyPolicy = throttlingRetry(states.get("Patch key policies"));
        JsonNode grant = throttlingRetry(states.get("Grant launch permission"));
        JsonNode copy = throttlingRetry(states.get("Copy image"));

        // THEN PutKeyPolicy (5/s) and ModifyImageAttribute (5/s) start at 2 s; CopyImage (1/s) at 5 s
        assertThat(keyPolicy.get("IntervalSeconds").asInt()).isEqualTo(2);
        assertThat(keyPolicy.get("MaxAttempts").asInt()).isEqualTo(6);
        assertThat(grant.get("IntervalSeconds").asInt()).isEqualTo(2);
        assertThat(grant.get("MaxAttempts").asInt()).isEqualTo(5);
        assertThat(copy.get("IntervalSeconds").asInt()).isEqualTo(5);
        assertThat(copy.get("MaxDelaySeconds").asInt()).isEqualTo(60);
    }

    @Test
    void definition_shouldNeverRetryTerminalErrors_whenSynthesized() {
        // GIVEN
        Map<String, JsonNode> states = states(Synth.definition(Synth.template()));

        // WHEN
        List<String> retried = new ArrayList<>();
        states.values().forEach(s -> retried.addAll(retriedErrors(s)));

        // THEN only amishare's transient failures, Lambda's own errors and the copy re-check are retried
        assertThat(retried).allSatisfy(error -> assertThat(error).matches(
                "dev\\.amishare\\.errors\\.(Aws(Throttled|Unavailable|NotYetVisible)|KeyPolicy(LeaseHeld|Overwritten))"
                        + "Exception|Lambda\\..*"
                        + "|States\\.HeartbeatTimeout"));
        assertThat(retried).doesNotContain("States.ALL", "States.TaskFailed",
                "dev.amishare.errors.InvalidShareRequestException",
                "dev.amishare.errors.ConsumerValidationFailedException", "dev.amishare.errors.AwsAccessDeniedException",
                "dev.amishare.errors.AwsQuotaExceededException");
    }

    @Test
    void definition_shouldRetryEveryTransientErrorAndNoTerminalOne_onEveryLambdaInvoke() {
        // GIVEN every failure mode amishare defines, by the name the Lambda Java runtime reports
        List<Class<?>> failures = Failures.all();
        List<String> transientNames = failures.stream().filter(TransientException.class::isAssignableFrom)
                .map(Class::getName).toList();
        List<String> terminalNames = failures.stream().filter(TerminalException.class::isAssignableFrom)
                .map(Class::getName).toList();
        // Every Task invokes a stage function: by its ARN (payload only) or lambda:invoke.waitForTaskToken.
        Map<String, JsonNode> invokes = tasks(states(Synth.definition(Synth.template())));

        // THEN every Lambda invocation retries Lambda's service errors and amishare's transient failures,
        assertThat(transientNames).contains(AwsThrottledException.class.getName(),
                AwsUnavailableException.class.getName(), AwsNotYetVisibleException.class.getName());
        assertThat(terminalNames).hasSizeGreaterThan(10).contains(AwsQuotaExceededException.class.getName());
        assertThat(invokes.keySet()).containsExactlyInAnyOrderElementsOf(expectedTaskNames());
        invokes.forEach((name, task) -> {
            List<String> retried = retriedErrors(task);
            assertThat(retried).as(name).containsAll(Throttling.LAMBDA_SERVICE_ERRORS)
                    .contains("Lambda.TooManyRequestsException", "Lambda.ServiceException", "Lambda.Unknown")
                    .containsAll(transientNames)
                    // none of the terminal ones, nothing catch-all, and each error in one retrier only
                    .doesNotContainAnyElementsOf(terminalNames)
                    .doesNotContain("States.ALL", "States.TaskFailed")
                    .doesNotHaveDuplicates();
            // with full jitter and a bound on every retrier but the copy re-check (spaced by its heartbeat)
            task.get("Retry").forEach(retry -> {
                if (!retry.get("ErrorEquals").get(0).asText().equals("States.HeartbeatTimeout")) {
                    assertThat(retry.get("JitterStrategy").asText()).as(name + " " + retry).isEqualTo("FULL");
                    assertThat(retry.get("MaxAttempts").asInt()).as(name + " " + retry).isBetween(1, 6);
                    assertThat(retry.get("MaxDelaySeconds").asInt()).as(name + " " + retry).isBetween(1, 60);
                }
            });
        });
    }

    @Test
    void definition_shouldSkipKeyPoliciesAndSnapshots_whenNotEncryptedOrNothingIsCopied() {
        // GIVEN
        Map<String, JsonNode> states = states(Synth.definition(Synth.template()));

        // WHEN
        JsonNode encrypted = states.get("Encrypted?");
        JsonNode anyCopy = states.get("Any copy?");

        // THEN an unencrypted AMI patches no key; snapshots are shared only when a ready account copies
        assertThat(states.get("Grant launch permission").get("Next").asText()).isEqualTo("Encrypted?");
        assertThat(encrypted.get("Choices").get(0).get("Variable").asText()).isEqualTo("$.prepared.encrypted");
        assertThat(encrypted.get("Choices").get(0).get("Next").asText()).isEqualTo("Patch key policies");
        assertThat(encrypted.get("Default").asText()).isEqualTo("No key policy to patch");
        assertThat(anyCopy.get("Choices").get(0).get("Variable").asText()).isEqualTo("$.ready.copyingCount");
        assertThat(anyCopy.get("Choices").get(0).get("NumericGreaterThan").asInt()).isZero();
        assertThat(anyCopy.get("Choices").get(0).get("Next").asText()).isEqualTo("Share snapshots");
        assertThat(anyCopy.get("Default").asText()).isEqualTo("No snapshot to share");
        assertThat(states.get("Patch key policies").get("Next").asText()).isEqualTo("Any copy?");
        assertThat(states.get("No key policy to patch").get("Next").asText()).isEqualTo("Any copy?");
        assertThat(states.get("Share snapshots").get("Next").asText()).isEqualTo("Any ready account?");
        assertThat(states.get("No snapshot to share").get("Next").asText()).isEqualTo("Any ready account?");
    }

    @Test
    void definition_shouldCheckEveryTargetBeforeAnyGrant_whenSynthesized() {
        // GIVEN
        Map<String, JsonNode> states = states(Synth.definition(Synth.template()));

        // WHEN
        JsonNode anyAccount = states.get("Any account to check?");
        JsonNode checks = states.get("Check targets");
        JsonNode anyToGrant = states.get("Anybody to grant?");

        // THEN Prepare → readiness checks in batches (Express children) → ready targets → grants, if any
        assertThat(states.get("Prepare share").get("Next").asText()).isEqualTo("Any account to check?");
        assertThat(anyAccount.get("Choices").get(0).get("Variable").asText())
                .isEqualTo("$.prepared.targets.accounts.key");
        assertThat(anyAccount.get("Choices").get(0).get("Next").asText()).isEqualTo("Check targets");
        assertThat(anyAccount.get("Default").asText()).isEqualTo("No account to check");
        assertThat(checks.get("ItemReader").get("Resource").asText()).isEqualTo("arn:aws:states:::s3:getObject");
        assertThat(checks.get("ItemReader").get("Parameters").get("Key.$").asText())
                .isEqualTo("$.prepared.targets.accounts.key");
        assertThat(checks.get("ItemBatcher").get("MaxItemsPerBatch").asInt())
                .isEqualTo(WorkflowOptions.CHECK_BATCH_SIZE);
        assertThat(checks.get("ItemBatcher").get("BatchInput").get("imageId.$").asText())
                .isEqualTo("$.prepared.request.imageId");
        assertThat(checks.get("ItemProcessor").get("ProcessorConfig").get("Mode").asText()).isEqualTo("DISTRIBUTED");
        assertThat(checks.get("ItemProcessor").get("ProcessorConfig").get("ExecutionType").asText())
                .isEqualTo("EXPRESS");
        assertThat(checks.get("ItemProcessor").get("StartAt").asText()).isEqualTo("Check readiness");
        assertThat(checks.get("Next").asText()).isEqualTo("Select ready targets");
        assertThat(states.get("No account to check").get("Next").asText()).isEqualTo("Select ready targets");
        assertThat(states.get("Select ready targets").get("Next").asText()).isEqualTo("Anybody to grant?");
        assertThat(anyToGrant.get("Choices").get(0).get("Variable").asText()).isEqualTo("$.ready.anyToGrant");
        assertThat(anyToGrant.get("Choices").get(0).get("Next").asText()).isEqualTo("Grant launch permission");
        assertThat(anyToGrant.get("Default").asText()).isEqualTo("Nothing to grant");
        assertThat(states.get("Nothing to grant").get("Next").asText()).isEqualTo("Write share report");
        // every grant reads the ready targets, never Prepare's full list
        for (String grant : List.of("Grant launch permission", "Patch key policies", "Share snapshots")) {
            assertThat(states.get(grant).get("Parameters").get("targets.$").asText()).as(grant)
                    .isEqualTo("$.ready.ready");
        }
    }

    @Test
    void definition_shouldRunEachReadyTargetInItsOwnChildExecution_whenConcurrencyIsConfigured() {
        // GIVEN
        Template template = Synth.template(WorkflowOptions.defaults().withMaxConcurrentTargets(7));

        // WHEN
        Map<String, JsonNode> states = states(Synth.definition(template));
        JsonNode targets = states.get("For each target");

        // THEN a Distributed Map over the ready targets in S3, Standard children, results written to S3
        assertThat(targets.get("Type").asText()).isEqualTo("Map");
        assertThat(targets.get("MaxConcurrency").asInt()).isEqualTo(7);
        assertThat(states.get("Check targets").get("MaxConcurrency").asInt()).isEqualTo(7);
        assertThat(targets.has("ItemsPath")).isFalse();
        assertThat(targets.get("ItemReader").get("Parameters").get("Key.$").asText())
                .isEqualTo("$.ready.ready.accounts.key");
        assertThat(targets.get("ItemProcessor").get("ProcessorConfig").get("Mode").asText()).isEqualTo("DISTRIBUTED");
        assertThat(targets.get("ItemProcessor").get("ProcessorConfig").get("ExecutionType").asText())
                .isEqualTo("STANDARD");
        assertThat(targets.get("ItemProcessor").get("StartAt").asText()).isEqualTo("Validate consumer");
        assertThat(targets.get("ItemSelector").get("target.$").asText()).isEqualTo("$$.Map.Item.Value");
        assertThat(targets.get("ResultWriter").get("Parameters").get("Prefix").asText())
                .isEqualTo("map-runs/targets");
        assertThat(targets.get("Next").asText()).isEqualTo("Write share report");
        assertThat(targets.get("ItemProcessor").get("States").fieldNames()).toIterable()
                .contains("For each region", "Target outcome");
        assertThat(states.get("Any ready account?").get("Choices").get(0).get("Next").asText())
                .isEqualTo("For each target");
    }

    @Test
    void definition_shouldLetNoTargetStopTheOthers_whenAChildFails() {
        // GIVEN
        Map<String, JsonNode> states = states(Synth.definition(Synth.template()));

        // WHEN
        JsonNode checks = states.get("Check targets");
        JsonNode targets = states.get("For each target");

        // THEN both Maps tolerate every failed child (the report applies the request's tolerance), and a
        // Map that fails as a whole still reaches the report
        assertThat(checks.get("ToleratedFailurePercentage").asInt()).isEqualTo(100);
        assertThat(targets.get("ToleratedFailurePercentage").asInt()).isEqualTo(100);
        JsonNode caught = targets.get("Catch").get(0);
        assertThat(caught.get("ErrorEquals").get(0).asText()).isEqualTo("States.ALL");
        assertThat(caught.get("ResultPath").asText()).isEqualTo("$.fanOutError");
        assertThat(caught.get("Next").asText()).isEqualTo("Write share report");
        assertThat(states.get("Write share report").get("Parameters").get("toleratedFailurePercentage.$").asText())
                .isEqualTo("$.prepared.request.toleratedFailurePercentage");
        assertThat(states.get("Write share report").get("Next").asText()).isEqualTo("Within tolerance?");
    }

    @Test
    void definition_shouldKeepTheParentsStateIndependentOfTheTargets_whenSynthesized() {
        // GIVEN the parent execution's own states (not the children's)
        JsonNode definition = Synth.definition(Synth.template());

        // WHEN
        List<String> inlineMaps = new ArrayList<>();
        List<String> mapsWithoutWriter = new ArrayList<>();
        definition.get("States").fields().forEachRemaining(e -> {
            if (e.getValue().get("Type").asText().equals("Map")) {
                if (e.getValue().has("ItemsPath") || !e.getValue().has("ItemReader")) {
                    inlineMaps.add(e.getKey());
                }
                if (!e.getValue().has("ResultWriter")) {
                    mapsWithoutWriter.add(e.getKey());
                }
            }
        });

        // THEN no list of targets passes through the parent's state: Maps read S3 and write their results there
        assertThat(inlineMaps).isEmpty();
        assertThat(mapsWithoutWriter).isEmpty();
        assertThat(definition.get("States").fieldNames()).toIterable().contains("Check targets", "For each target");
    }

    @Test
    void definition_shouldAwaitTheCopyWithATaskTokenAndASafetyNet_whenSynthesized() {
        // GIVEN a 10-minute re-check and a 2-hour copy timeout
        Template template = Synth.template(WorkflowOptions.defaults()
                .withCopyWait(Duration.minutes(10), Duration.hours(2)));

        // WHEN
        JsonNode await = states(Synth.definition(template)).get("Await copy");

        // THEN
        assertThat(await.get("Resource").asText()).isEqualTo("arn:aws:states:::lambda:invoke.waitForTaskToken");
        assertThat(await.get("Parameters").get("Payload").get("taskToken.$").asText()).isEqualTo("$$.Task.Token");
        assertThat(await.get("HeartbeatSeconds").asInt()).isEqualTo(600);
        assertThat(await.get("TimeoutSeconds").asInt()).isEqualTo(7200);
        JsonNode recheck = null;
        for (JsonNode retry : await.get("Retry")) {
            if (retry.get("ErrorEquals").get(0).asText().equals("States.HeartbeatTimeout")) {
                recheck = retry;
            }
        }
        assertThat(retriedErrors(await)).contains("States.HeartbeatTimeout");
        assertThat(recheck).isNotNull();
        assertThat(recheck.get("MaxAttempts").asInt()).isEqualTo(12);
    }

    @Test
    void definition_shouldRollBackThenFail_whenAGrantFails() {
        // GIVEN
        Map<String, JsonNode> states = states(Synth.definition(Synth.template()));

        // WHEN
        JsonNode rollback = states.get("Roll back?");
        JsonNode failed = states.get("Share failed");

        // THEN every grant catches everything into $.error and goes to the rollback choice
        for (String stage : List.of("Grant launch permission", "Patch key policies", "Share snapshots")) {
            JsonNode caught = states.get(stage).get("Catch").get(0);
            assertThat(caught.get("ErrorEquals").get(0).asText()).as(stage).isEqualTo("States.ALL");
            assertThat(caught.get("ResultPath").asText()).as(stage).isEqualTo("$.error");
            assertThat(caught.get("Next").asText()).as(stage).isEqualTo("Roll back?");
        }
        // Prepare and the report grant nothing: their failure ends the share with its error
        assertThat(states.get("Prepare share").get("Catch").get(0).get("Next").asText()).isEqualTo("Share failed");
        assertThat(states.get("Write share report").get("Catch").get(0).get("Next").asText())
                .isEqualTo("Share failed");
        assertThat(rollback.get("Choices").get(0).toString())
                .contains("$.prepared.request.rollbackOnFailure", "$.prepared.request.dryRun");
        assertThat(rollback.get("Choices").get(0).get("Next").asText()).isEqualTo("Revoke grants");
        assertThat(rollback.get("Default").asText()).isEqualTo("Share failed");
        JsonNode revoke = states.get("Revoke grants").get("Parameters");
        assertThat(revoke.get("dryRun").asBoolean()).isFalse();
        assertThat(revoke.get("targets.$").asText()).isEqualTo("$.ready.ready");
        // Rollback keeps the access the targets had before the execution, as Prepare recorded it in S3.
        assertThat(revoke.get("keepAt.$").asText()).isEqualTo("$.prepared.baseline");
        assertThat(states.get("Revoke grants").get("Next").asText()).isEqualTo("Share failed");
        assertThat(states.get("Revoke grants").get("Catch").get(0).get("ResultPath").asText())
                .isEqualTo("$.rollbackError");
        assertThat(failed.get("Type").asText()).isEqualTo("Fail");
        assertThat(failed.get("ErrorPath").asText()).isEqualTo("$.error.Error");
        assertThat(failed.get("CausePath").asText()).isEqualTo("$.error.Cause");
    }

    @Test
    void definition_shouldRevokeOnlyTheFailedTargetsThenFail_whenMoreFailThanTolerated() {
        // GIVEN
        Map<String, JsonNode> states = states(Synth.definition(Synth.template()));

        // WHEN
        JsonNode within = states.get("Within tolerance?");
        JsonNode rollBack = states.get("Roll back failed targets?");
        JsonNode revoke = states.get("Revoke failed targets");
        JsonNode failed = states.get("Targets failed");

        // THEN within tolerance the summary is the output; beyond it the report's rollback list is revoked
        assertThat(within.get("Choices").get(0).get("Variable").asText()).isEqualTo("$.summary.withinTolerance");
        assertThat(within.get("Choices").get(0).get("Next").asText()).isEqualTo("Share summary");
        assertThat(states.get("Share summary").get("OutputPath").asText()).isEqualTo("$.summary");
        assertThat(states.get("Share summary").get("Next").asText()).isEqualTo("Shared");
        assertThat(within.get("Default").asText()).isEqualTo("Roll back failed targets?");
        assertThat(rollBack.get("Choices").get(0).toString()).contains("$.prepared.request.rollbackOnFailure",
                "$.prepared.request.dryRun", "$.summary.rollback.accounts.key");
        assertThat(rollBack.get("Choices").get(0).get("Next").asText()).isEqualTo("Revoke failed targets");
        assertThat(rollBack.get("Default").asText()).isEqualTo("Targets failed");
        assertThat(revoke.get("Parameters").get("targets.$").asText()).isEqualTo("$.summary.rollback");
        assertThat(revoke.get("Parameters").get("keepAt.$").asText()).isEqualTo("$.prepared.baseline");
        assertThat(revoke.get("Next").asText()).isEqualTo("Targets failed");
        assertThat(revoke.get("Catch").get(0).get("Next").asText()).isEqualTo("Targets failed");
        assertThat(failed.get("Type").asText()).isEqualTo("Fail");
        assertThat(failed.get("Error").asText()).isEqualTo(TargetsFailedException.class.getName());
        assertThat(failed.get("CausePath").asText()).isEqualTo("$.summary.message");
    }

    @Test
    void stateMachine_shouldBeStandardAndTraced_whenSynthesized() {
        // GIVEN
        Template template = Synth.template();

        // WHEN / THEN: Express workflows support no waitForTaskToken
        template.hasResourceProperties("AWS::StepFunctions::StateMachine", Map.of(
                "StateMachineType", "STANDARD", "TracingConfiguration", Map.of("Enabled", true)));
        template.resourceCountIs("AWS::StepFunctions::StateMachine", 1);
    }

    @Test
    void options_shouldRefuseAConcurrencyOutsideTheDistributedMapsLimit_whenBuilt() {
        // GIVEN / WHEN / THEN
        assertThatThrownBy(() -> WorkflowOptions.defaults().withMaxConcurrentTargets(10_001))
                .hasMessageContaining("maxConcurrentTargets");
        assertThatThrownBy(() -> WorkflowOptions.defaults().withMaxConcurrentTargets(0))
                .hasMessageContaining("maxConcurrentTargets");
        assertThat(WorkflowOptions.defaults().withMaxConcurrentTargets(10_000).maxConcurrentTargets())
                .isEqualTo(10_000);
    }

    @Test
    void definition_shouldSendAnUnshareToTheRevokeFunctionAndNeverToPrepare_whenTheInputNamesUnshare() {
        // GIVEN the synthesized workflow
        JsonNode definition = Synth.definition(Synth.template());
        Map<String, JsonNode> states = states(definition);

        // WHEN the first state is read
        JsonNode first = states.get(definition.get("StartAt").asText());

        // THEN it asks whether the input is an unshare: then Who asks? → Unshare → Unshared; else Prepare
        assertThat(definition.get("StartAt").asText()).isEqualTo("Unshare?");
        assertThat(first.get("Choices").get(0).get("Variable").asText()).isEqualTo("$.unshare");
        assertThat(first.get("Choices").get(0).get("IsPresent").asBoolean()).isTrue();
        assertThat(first.get("Choices").get(0).get("Next").asText()).isEqualTo("Who asks?");
        assertThat(first.get("Default").asText()).isEqualTo(Stage.PREPARE.stateName());
        JsonNode unshare = states.get("Unshare");
        assertThat(unshare.get("Next").asText()).isEqualTo("Unshared");
        assertThat(unshare.get("Catch").get(0).get("Next").asText()).isEqualTo("Unshare failed");
        assertThat(unshare.get("Resource")).isEqualTo(states.get(Stage.REVOKE.stateName()).get("Resource"));
        JsonNode payload = unshare.get("Parameters");
        assertThat(payload.get("unshare.$").asText()).isEqualTo("$.unshare");
        assertThat(payload.get("requestedBy.$").asText()).isEqualTo("$.requestedBy");
        assertThat(states.get("Nobody named").get("Next").asText()).isEqualTo("Unshare");
    }

    @Test
    void rollback_shouldNameItsOwnShare_whenRevokingWhatItGranted() {
        // GIVEN the synthesized workflow
        Map<String, JsonNode> states = states(Synth.definition(Synth.template()));

        // WHEN / THEN both revokes of a failed share take back only this execution's share
        for (String revoke : List.of(Stage.REVOKE.stateName(), "Revoke failed targets")) {
            JsonNode payload = states.get(revoke).get("Parameters");
            assertThat(payload.get("shareId.$").asText()).as(revoke).isEqualTo("$.prepared.executionId");
        }
    }
}
