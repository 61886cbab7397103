package dev.amishare.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.logs.LogGroup;

class ShareWorkflowTest {

    @Test
    void definition_shouldRetryOnlyTheThrottledError_whenSynthesized() {
        // GIVEN a stack with the workflow
        Stack stack = new Stack();
        Function fn = Function.Builder.create(stack, "Fn").runtime(Runtime.NODEJS_20_X).handler("index.handler")
                .code(Code.fromInline("x")).build();
        new ShareWorkflow(stack, "Workflow", ShareWorkflow.ShareWorkflowProps.builder()
                .grantLaunchPermission(fn).logGroup(new LogGroup(stack, "Logs")).build());

        // WHEN
        Template template = Template.fromStack(stack);

        // THEN the definition names the retryable exception by its fully-qualified class name
        Map<String, Map<String, Object>> machines = template.findResources("AWS::StepFunctions::StateMachine");
        assertThat(machines).hasSize(1);
        String definition = machines.values().iterator().next().toString();
        assertThat(definition).contains("dev.amishare.errors.AwsThrottledException")
                .contains("\"ErrorEquals\":[\"dev.amishare.errors.AwsThrottledException\"],\"IntervalSeconds\":2,\"MaxAttempts\":5,\"BackoffRate\":2,\"JitterStrategy\":\"FULL\"")
                .doesNotContain("States.ALL");
        template.hasResourceProperties("AWS::StepFunctions::StateMachine", Map.of(
                "StateMachineType", "STANDARD", "TracingConfiguration", Map.of("Enabled", true)));
    }
}
