package dev.amishare.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class OwnerStackTest {

    private static Template template;

    @BeforeAll
    static void synth() {
        App app = new App();
        OwnerStack stack = new OwnerStack(app, "Test", OwnerStack.OwnerStackProps.builder()
                .functionsJar(FunctionsJar.locate())
                .build());
        template = Template.fromStack(stack);
    }

    @Test
    void synth_shouldDeployTheGrantFunctionOnJava21Arm_whenBuilt() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Runtime", "java21",
                "Architectures", List.of("arm64"),
                "Handler", "dev.amishare.functions.launch.GrantLaunchPermissionHandler::handleRequest",
                "TracingConfig", Map.of("Mode", "Active")));
    }

    @Test
    void synth_shouldGrantOnlyTheTwoEc2Actions_whenBuilt() {
        Map<String, Map<String, Object>> policies = template.findResources("AWS::IAM::Policy",
                Match.objectLike(Map.of("Properties", Map.of("Roles", List.of(Map.of("Ref",
                        Match.stringLikeRegexp("GrantLaunchPermissionServiceRole.*")))))));
        assertThat(policies).hasSize(1);
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", "ec2:DescribeImageAttribute")),
                        Match.objectLike(Map.of("Action", "ec2:ModifyImageAttribute")))))));
        assertThat(policies.toString()).doesNotContain("\"Action\":\"*\"").doesNotContain("ec2:*");
    }

    @Test
    void synth_shouldKeepLogsForAMonth_whenBuilt() {
        template.resourcePropertiesCountIs("AWS::Logs::LogGroup", Map.of("RetentionInDays", 30), 2);
    }

    @Test
    void synth_shouldDeployAStandardWorkflowLoggingEverything_whenBuilt() {
        template.hasResourceProperties("AWS::StepFunctions::StateMachine", Map.of(
                "StateMachineType", "STANDARD",
                "LoggingConfiguration", Match.objectLike(Map.of("Level", "ALL"))));
    }
}
