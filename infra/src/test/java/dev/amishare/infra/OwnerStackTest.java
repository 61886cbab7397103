package dev.amishare.infra;

import dev.amishare.contract.Names;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.contract.Stage;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class OwnerStackTest {

    private final Template template = Synth.OWNER_TEMPLATE;

    /** The actions of the policies attached to the role behind a function's logical-id prefix. */
    @SuppressWarnings("unchecked")
    private Set<String> actionsOf(String rolePrefix) {
        Set<String> actions = new TreeSet<>();
        template.findResources("AWS::IAM::Policy").values().forEach(r -> {
            Map<String, Object> props = (Map<String, Object>) r.get("Properties");
            String roles = String.valueOf(props.get("Roles"));
            if (roles.contains(rolePrefix)) {
                ((List<Map<String, Object>>) ((Map<String, Object>) props.get("PolicyDocument")).get("Statement"))
                        .forEach(s -> actions.addAll(Synth.actions(s)));
            }
        });
        return actions;
    }

    private static final List<String> LOGS = List.of("logs:CreateLogStream", "logs:PutLogEvents");
    private static final List<String> XRAY = List.of("xray:PutTelemetryRecords", "xray:PutTraceSegments");

    private static Set<String> plusBasics(String... actions) {
        Set<String> all = new TreeSet<>(List.of(actions));
        all.addAll(LOGS);
        all.addAll(XRAY);
        return all;
    }

    @Test
    void functions_shouldRunJava21OnArmWithTracing_whenSynthesized() {
        // GIVEN / WHEN the owner stack / THEN every stage and entry handler has its function
        for (Stage stage : Stage.values()) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Runtime", "java21",
                    "Architectures", List.of("arm64"),
                    "MemorySize", 1024,
                    "Handler", stage.handler(),
                    "TracingConfig", Map.of("Mode", "Active")));
        }
        template.resourceCountIs("AWS::Lambda::Function", Stage.values().length);
    }

    /**
     * Per stage, the role its function runs under and every action that role holds (besides logs and
     * X-Ray). Validate, copy and status only assume the consumer role; AwaitCopy's token actions are its own.
     */
    private static final Map<Stage, Map.Entry<String, Set<String>>> ROLES = new EnumMap<>(Map.ofEntries(
            Map.entry(Stage.PREPARE, role("FunctionsPrepareRole", "ec2:DescribeImages", "ec2:DescribeSnapshots",
                    "kms:DescribeKey", "ec2:DescribeImageAttribute", "ec2:DescribeSnapshotAttribute",
                    "kms:GetKeyPolicy")),
            Map.entry(Stage.GRANT_LAUNCH_PERMISSION, role("FunctionsGrantLaunchPermissionRole",
                    "ec2:DescribeImageAttribute", "ec2:ModifyImageAttribute")),
            Map.entry(Stage.KEY_POLICY, role("FunctionsKeyPolicyRole", "kms:GetKeyPolicy", "kms:PutKeyPolicy")),
            Map.entry(Stage.SHARE_SNAPSHOTS, role("FunctionsShareSnapshotsRole", "ec2:DescribeSnapshotAttribute",
                    "ec2:ModifySnapshotAttribute")),
            Map.entry(Stage.VALIDATE_CONSUMER, role("FunctionsConsumerAccessRole", "sts:AssumeRole")),
            Map.entry(Stage.COPY_IMAGE, role("FunctionsConsumerAccessRole", "sts:AssumeRole")),
            Map.entry(Stage.COPY_STATUS, role("FunctionsConsumerAccessRole", "sts:AssumeRole")),
            Map.entry(Stage.REVOKE, role("FunctionsRevokeRole", "ec2:DescribeImageAttribute",
                    "ec2:ModifyImageAttribute", "ec2:DescribeSnapshotAttribute", "ec2:ModifySnapshotAttribute",
                    "kms:GetKeyPolicy", "kms:PutKeyPolicy")),
            Map.entry(Stage.AWAIT_COPY, role("FunctionsCopyWaiterRole", "sts:AssumeRole", "ssm:PutParameter",
                    "ssm:DeleteParameter", "states:SendTaskSuccess", "states:SendTaskFailure")),
            Map.entry(Stage.COPY_EVENT, role("FunctionsCopyEventRole", "ssm:GetParameter", "ssm:DeleteParameter",
                    "states:SendTaskSuccess", "states:SendTaskFailure")),
            Map.entry(Stage.SHARE_TAG_CHANGED, role("FunctionsShareTagChangedRole", "states:StartExecution")),
            Map.entry(Stage.NEW_ACCOUNT, role("FunctionsNewAccountRole", "ec2:DescribeImages",
                    "states:StartExecution"))));

    private static Map.Entry<String, Set<String>> role(String logicalIdPrefix, String... actions) {
        return Map.entry(logicalIdPrefix, plusBasics(actions));
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void roles_shouldHoldOnlyTheActionsTheirServicesCall_whenSynthesized(Stage stage) {
        // GIVEN the role this test expects the stage's function to run under
        Map.Entry<String, Set<String>> expected = ROLES.get(stage);
        assertThat(expected).as("no expected role for " + stage + ": add it to ROLES").isNotNull();

        // WHEN / THEN the function runs under it, and it holds exactly these actions
        template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", stage.handler(),
                "Role", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp(expected.getKey() + ".*"), "Arn"))));
        assertThat(actionsOf(expected.getKey())).as(stage.name()).isEqualTo(expected.getValue());
    }

    @Test
    void keyPolicyEdits_shouldNeedTheOptInTag_whenGranted() {
        Map<String, Object> managed = Map.of("StringEquals", Map.of("aws:ResourceTag/amishare:managed", "true"));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", List.of("kms:GetKeyPolicy", "kms:PutKeyPolicy"),
                        "Condition", managed))))), "Roles", List.of(Map.of("Ref",
                Match.stringLikeRegexp("FunctionsKeyPolicyRole.*")))));
        for (String action : List.of("ec2:ModifyImageAttribute", "ec2:ModifySnapshotAttribute")) {
            template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                    Match.arrayWith(List.of(Match.objectLike(Map.of("Action", action, "Condition", managed)))))));
        }
        // Unconditioned grants of those actions would defeat the tag: none exists.
        Synth.statements(template).stream()
                .filter(s -> Synth.actions(s).stream().anyMatch(a -> a.startsWith("kms:PutKeyPolicy")
                        || a.equals("ec2:ModifyImageAttribute") || a.equals("ec2:ModifySnapshotAttribute")))
                .forEach(s -> assertThat(s.get("Condition")).isEqualTo(managed));
    }

    @Test
    void consumerAccessRole_shouldAssumeOnlyTheConsumerRoleByFixedName_whenSynthesized() {
        template.hasResourceProperties("AWS::IAM::Role", Map.of("RoleName", "amishare-consumer-access"));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of("Action", "sts:AssumeRole",
                        "Resource", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                                ":iam::*:role/AmiShareConsumer"))))))))));
        // validate, copy and status share it
        for (String handler : List.of("consumer.ValidateConsumerHandler", "copy.CopyImageHandler",
                "copy.CopyStatusHandler")) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Handler", "dev.amishare.functions." + handler + "::handleRequest",
                    "Role", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("FunctionsConsumerAccessRole.*"),
                            "Arn"))));
        }
    }

    @Test
    void copyWaiterRole_shouldRunAwaitCopyAloneWithItsTokenActions_whenSynthesized() {
        // GIVEN the owner stack's copy-waiter role
        Map<String, Object> waiter = Map.of("Ref", Match.stringLikeRegexp("FunctionsCopyWaiterRole.*"));
        Map<String, Object> waiterArn = Map.of("Fn::GetAtt",
                List.of(Match.stringLikeRegexp("FunctionsCopyWaiterRole.*"), "Arn"));
        Object assume = Match.objectLike(Map.of("Action", "sts:AssumeRole",
                "Resource", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                        ":iam::*:role/AmiShareConsumer")))));
        Object tokens = Match.objectLike(Map.of("Action", List.of("ssm:PutParameter", "ssm:DeleteParameter"),
                "Resource", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                        ":ssm:", Map.of("Ref", "AWS::Region"), ":", Map.of("Ref", "AWS::AccountId"),
                        ":parameter/amishare/copy-tokens/*")))));
        Object callbacks = Match.objectLike(Map.of(
                "Action", List.of("states:SendTaskSuccess", "states:SendTaskFailure"),
                "Resource", Map.of("Ref", Match.stringLikeRegexp("ShareWorkflow.*"))));

        // WHEN / THEN a fixed name the consumer stacks can trust,
        template.hasResourceProperties("AWS::IAM::Role", Map.of("RoleName", "amishare-copy-waiter"));
        // the consumer role to assume and the copy-token parameters to put and delete,
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(assume, tokens))),
                "Roles", List.of(waiter)));
        // the task callbacks on the state machine only,
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", List.of(callbacks)),
                "Roles", Match.arrayWith(List.of(waiter))));
        // and AwaitCopy is the only function that runs under it
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "dev.amishare.functions.copy.AwaitCopyHandler::handleRequest",
                "Role", waiterArn));
        assertThat(template.findResources("AWS::Lambda::Function",
                Map.of("Properties", Map.of("Role", waiterArn)))).hasSize(1);
    }

    @Test
    void workflow_shouldBeStandardLoggingAllWithTracing_whenSynthesized() {
        template.hasResourceProperties("AWS::StepFunctions::StateMachine", Map.of(
                "StateMachineType", "STANDARD",
                "TracingConfiguration", Map.of("Enabled", true),
                "LoggingConfiguration", Match.objectLike(Map.of("Level", "ALL"))));
    }

    @Test
    void logGroups_shouldKeepLogsForAMonth_whenSynthesized() {
        // 12 functions, the workflow, the API access log
        template.resourcePropertiesCountIs("AWS::Logs::LogGroup", Map.of("RetentionInDays", 30), 14);
    }

    @Test
    void rules_shouldDeployThePatternFiles_whenSynthesized() {
        for (String file : List.of(EventPatterns.SHARE_TAG_CHANGED, EventPatterns.CONTROL_TOWER_ACCOUNT_CREATED,
                EventPatterns.ORGANIZATIONS_ACCOUNT_CREATED, EventPatterns.AMI_STATE_CHANGE)) {
            template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", EventPatterns.read(file)));
        }
    }

    @Test
    void optInTags_shouldMatchTheEntryFunctions_whenCompared() {
        assertThat(Names.TAG_TARGETS).isEqualTo(Names.TAG_TARGETS);
        assertThat(Names.TAG_SHARE_WITH_NEW_ACCOUNTS).isEqualTo(Names.TAG_SHARE_WITH_NEW_ACCOUNTS);
        assertThat(Names.TAG_SHARE_WITH_NEW_ACCOUNTS_VALUE).isEqualTo(Names.TAG_SHARE_WITH_NEW_ACCOUNTS_VALUE);
        assertThat(EventPatterns.read(EventPatterns.SHARE_TAG_CHANGED).toString()).contains(Names.TAG_TARGETS);
    }

    @Test
    void api_shouldValidateTheBodyWithTheSchemaAndStartExecutions_whenSynthesized() {
        template.hasResourceProperties("AWS::ApiGateway::Model", Map.of(
                "Name", "ShareRequest",
                "Schema", ShareRequestSchema.read(ShareRequestSchema.locate())));
        template.hasResourceProperties("AWS::ApiGateway::RequestValidator", Map.of("ValidateRequestBody", true));
        template.hasResourceProperties("AWS::ApiGateway::Method", Map.of(
                "HttpMethod", "POST",
                "AuthorizationType", "AWS_IAM",
                "RequestValidatorId", Match.anyValue(),
                "Integration", Match.objectLike(Map.of("Type", "AWS", "Uri", Match.objectLike(Map.of("Fn::Join",
                        Match.arrayWith(List.of(Match.arrayWith(List.of(":states:action/StartExecution"))))))))));
        template.hasResourceProperties("AWS::ApiGateway::Method", Map.of(
                "HttpMethod", "GET",
                "AuthorizationType", "AWS_IAM",
                "Integration", Match.objectLike(Map.of("Type", "AWS", "Uri", Match.objectLike(Map.of("Fn::Join",
                        Match.arrayWith(List.of(Match.arrayWith(List.of(":states:action/DescribeExecution"))))))))));
    }

    @Test
    void api_shouldPassTheValidatedBodyAsTheExecutionInput_whenPosting() {
        // The body, already validated against the schema, becomes the share request the workflow gets.
        template.hasResourceProperties("AWS::ApiGateway::Method", Map.of(
                "HttpMethod", "POST",
                "Integration", Match.objectLike(Map.of("RequestTemplates", Map.of("application/json",
                        Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(Match.arrayWith(List.of(
                                Match.stringLikeRegexp("\"name\": \"\\$context\\.requestId\"[\\s\\S]*"
                                        + "\"input\": \"\\$util\\.escapeJavaScript\\(\\$input\\.json\\('\\$'\\)\\)"))))))))))));
    }

    @Test
    void eventBus_shouldAcceptForwardedEventsFromTheOrganizationAndListedAccounts_whenConfigured() {
        template.hasResourceProperties("AWS::Events::EventBusPolicy", Map.of("Statement", Match.objectLike(Map.of(
                "Principal", "*",
                "Condition", Map.of("StringEquals", Map.of("aws:PrincipalOrgID", "o-abcdef1234"))))));
        template.hasResourceProperties("AWS::Events::EventBusPolicy", Map.of("StatementId",
                "amishare-consumer-222222222222"));
    }
}
