package dev.amishare.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.contract.Stage;
import dev.amishare.errors.AwsNotYetVisibleException;
import dev.amishare.errors.AwsQuotaExceededException;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.AwsUnavailableException;
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
        Map<String, JsonNode> tasks = new LinkedHashMap<>();
        states.forEach((name, state) -> {
            if (state.get("Type").asText().equals("Task")) {
                tasks.put(name, state);
            }
        });

        // THEN every task retries the throttled error by its full class name, with full jitter and a bound
        assertThat(tasks.keySet()).containsExactlyInAnyOrderElementsOf(Arrays.stream(Stage.values())
                .filter(Stage::inWorkflow).map(Stage::stateName).toList());
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
        Map<String, JsonNode> invokes = new LinkedHashMap<>();
        states(Synth.definition(Synth.template())).forEach((name, state) -> {
            // Every Task invokes a stage function: by its ARN (payload only) or lambda:invoke.waitForTaskToken.
            if (state.get("Type").asText().equals("Task")) {
                invokes.put(name, state);
            }
        });

        // THEN every Lambda invocation retries Lambda's service errors and amishare's transient failures,
        assertThat(transientNames).contains(AwsThrottledException.class.getName(),
                AwsUnavailableException.class.getName(), AwsNotYetVisibleException.class.getName());
        assertThat(terminalNames).hasSizeGreaterThan(10).contains(AwsQuotaExceededException.class.getName());
        assertThat(invokes.keySet()).containsExactlyInAnyOrderElementsOf(Arrays.stream(Stage.values())
                .filter(Stage::inWorkflow).map(Stage::stateName).toList());
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

        // THEN
        assertThat(states.get("Grant launch permission").get("Next").asText()).isEqualTo("Encrypted?");
        assertThat(encrypted.get("Choices").get(0).get("Variable").asText()).isEqualTo("$.prepared.encrypted");
        assertThat(encrypted.get("Choices").get(0).get("Next").asText()).isEqualTo("Patch key policies");
        assertThat(encrypted.get("Default").asText()).isEqualTo("No key policy to patch");
        assertThat(anyCopy.get("Choices").get(0).get("Variable").asText())
                .isEqualTo("$.prepared.copyingAccountIds[0]");
        assertThat(anyCopy.get("Choices").get(0).get("IsPresent").asBoolean()).isTrue();
        assertThat(anyCopy.get("Choices").get(0).get("Next").asText()).isEqualTo("Share snapshots");
        assertThat(anyCopy.get("Default").asText()).isEqualTo("No snapshot to share");
        assertThat(states.get("Patch key policies").get("Next").asText()).isEqualTo("Any copy?");
        assertThat(states.get("No key policy to patch").get("Next").asText()).isEqualTo("Any copy?");
    }

    @Test
    void definition_shouldBoundTheTargetMap_whenConcurrencyIsConfigured() {
        // GIVEN
        Template template = Synth.template(WorkflowOptions.defaults().withMaxConcurrentTargets(7));

        // WHEN
        JsonNode targets = states(Synth.definition(template)).get("For each target");

        // THEN
        assertThat(targets.get("Type").asText()).isEqualTo("Map");
        assertThat(targets.get("MaxConcurrency").asInt()).isEqualTo(7);
        assertThat(targets.get("ItemsPath").asText()).isEqualTo("$.prepared.request.targets");
        assertThat(targets.get("ItemProcessor").get("StartAt").asText()).isEqualTo("Validate consumer");
        assertThat(targets.get("Next").asText()).isEqualTo("Share report");
        assertThat(targets.get("ItemProcessor").get("States").fieldNames()).toIterable()
                .contains("For each region", "Keys of target", "Snapshots of target", "Target report");
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
    void definition_shouldRollBackThenFail_whenAStageFails() {
        // GIVEN
        Map<String, JsonNode> states = states(Synth.definition(Synth.template()));

        // WHEN
        JsonNode rollback = states.get("Roll back?");
        JsonNode failed = states.get("Share failed");

        // THEN every stage after prepare catches everything into $.error and goes to the rollback choice
        for (String stage : List.of("Grant launch permission", "Patch key policies", "Share snapshots",
                "For each target")) {
            JsonNode caught = states.get(stage).get("Catch").get(0);
            assertThat(caught.get("ErrorEquals").get(0).asText()).as(stage).isEqualTo("States.ALL");
            assertThat(caught.get("ResultPath").asText()).as(stage).isEqualTo("$.error");
            assertThat(caught.get("Next").asText()).as(stage).isEqualTo("Roll back?");
        }
        assertThat(states.get("Prepare share").get("Catch").get(0).get("Next").asText()).isEqualTo("Share failed");
        assertThat(rollback.get("Choices").get(0).toString())
                .contains("$.prepared.request.rollbackOnFailure", "$.prepared.request.dryRun");
        assertThat(rollback.get("Choices").get(0).get("Next").asText()).isEqualTo("Revoke grants");
        assertThat(rollback.get("Default").asText()).isEqualTo("Share failed");
        assertThat(states.get("Revoke grants").get("Parameters").get("dryRun").asBoolean()).isFalse();
        // Rollback keeps the access the targets had before the execution, as Prepare recorded it.
        assertThat(states.get("Revoke grants").get("Parameters").get("keep.$").asText())
                .isEqualTo("$.prepared.baseline");
        assertThat(states.get("Revoke grants").get("Next").asText()).isEqualTo("Share failed");
        assertThat(states.get("Revoke grants").get("Catch").get(0).get("ResultPath").asText())
                .isEqualTo("$.rollbackError");
        assertThat(failed.get("Type").asText()).isEqualTo("Fail");
        assertThat(failed.get("ErrorPath").asText()).isEqualTo("$.error.Error");
        assertThat(failed.get("CausePath").asText()).isEqualTo("$.error.Cause");
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
    void props_shouldRefuseAMapWiderThanTheInlineLimit_whenBuilt() {
        // GIVEN / WHEN / THEN
        assertThatThrownBy(() -> WorkflowOptions.defaults().withMaxConcurrentTargets(41))
                .hasMessageContaining("maxConcurrentTargets");
    }
}
