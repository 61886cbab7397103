package dev.amishare.infra;

import dev.amishare.contract.Names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.contract.Perimeter;
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
    /**
     * What PerimeterGuard asks Organizations: per account (DescribeAccount, ListParents), or, for many
     * accounts at once, the perimeter's listing (ListAccounts, and per allowed OU ListAccountsForParent and
     * ListChildren); Prepare's copyToOrganizationalUnits walks OUs the same way.
     */
    private static final String[] PERIMETER = {"organizations:DescribeAccount", "organizations:ListParents",
        "organizations:ListAccounts", "organizations:ListAccountsForParent", "organizations:ListChildren"};
    /** Reading share data (ListBucket: a missing object is a 404, not a 403) and writing it. */
    private static final String[] SHARE_READS = {"s3:GetObject", "s3:ListBucket"};
    private static final String SHARE_WRITES = "s3:PutObject";
    /** AwaitCopy and CopyEvent: the consumer role, the ledger's copy-token items, the callbacks. */
    private static final String[] COPY_WAITER = {"sts:AssumeRole", "dynamodb:PutItem", "dynamodb:Query",
        "dynamodb:DeleteItem", "states:SendTaskSuccess", "states:SendTaskFailure"};
    /** The share ledger's items, for the functions that edit key policies: leases, grants, the share's record. */
    private static final String[] LEDGER = {"dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
        "dynamodb:Query", "dynamodb:GetItem"};
    /** Recording grants, with who asked from the share's record. */
    private static final String[] GRANT_RECORDS = {"dynamodb:BatchWriteItem", "dynamodb:GetItem"};
    private static final List<String> XRAY = List.of("xray:PutTelemetryRecords", "xray:PutTraceSegments");

    private static Set<String> plusBasics(Object... actions) {
        Set<String> all = new TreeSet<>();
        for (Object action : actions) {
            all.addAll(action instanceof String[] many ? List.of(many) : List.of((String) action));
        }
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
     * X-Ray). Readiness, validate, copy and status only assume the consumer role; AwaitCopy's token actions are
     * its own. Only the stages that read share data from S3 may, and only Prepare, Select and Report write it.
     */
    private static final Map<Stage, Map.Entry<String, Set<String>>> ROLES = new EnumMap<>(Map.ofEntries(
            Map.entry(Stage.PREPARE, role("FunctionsPrepareRole", "ec2:DescribeImages", "ec2:DescribeSnapshots",
                    "kms:DescribeKey", "ec2:DescribeImageAttribute", "ec2:DescribeSnapshotAttribute",
                    "kms:GetKeyPolicy", PERIMETER, SHARE_WRITES, "dynamodb:PutItem")),
            Map.entry(Stage.CHECK_TARGETS, role("FunctionsConsumerAccessRole", "sts:AssumeRole", PERIMETER)),
            Map.entry(Stage.SELECT_READY, role("FunctionsSelectReadyRole", SHARE_READS, SHARE_WRITES)),
            Map.entry(Stage.GRANT_LAUNCH_PERMISSION, role("FunctionsGrantLaunchPermissionRole",
                    "ec2:DescribeImageAttribute", "ec2:ModifyImageAttribute", PERIMETER, SHARE_READS, GRANT_RECORDS)),
            Map.entry(Stage.KEY_POLICY, role("FunctionsKeyPolicyRole", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
                    PERIMETER, LEDGER, SHARE_READS)),
            Map.entry(Stage.SHARE_SNAPSHOTS, role("FunctionsShareSnapshotsRole", "ec2:DescribeSnapshotAttribute",
                    "ec2:ModifySnapshotAttribute", PERIMETER, SHARE_READS, GRANT_RECORDS)),
            Map.entry(Stage.VALIDATE_CONSUMER, role("FunctionsConsumerAccessRole", "sts:AssumeRole", PERIMETER)),
            Map.entry(Stage.COPY_IMAGE, role("FunctionsConsumerAccessRole", "sts:AssumeRole", PERIMETER)),
            Map.entry(Stage.COPY_STATUS, role("FunctionsConsumerAccessRole", "sts:AssumeRole", PERIMETER)),
            Map.entry(Stage.REPORT, role("FunctionsReportRole", SHARE_READS, SHARE_WRITES, "dynamodb:GetItem",
                    "dynamodb:PutItem")),
            Map.entry(Stage.REVOKE, role("FunctionsRevokeRole", "ec2:DescribeImageAttribute",
                    "ec2:ModifyImageAttribute", "ec2:DescribeSnapshotAttribute", "ec2:ModifySnapshotAttribute",
                    "kms:GetKeyPolicy", "kms:PutKeyPolicy", PERIMETER, LEDGER, SHARE_READS)),
            Map.entry(Stage.AWAIT_COPY, role("FunctionsCopyWaiterRole", (Object) COPY_WAITER)),
            Map.entry(Stage.COPY_EVENT, role("FunctionsCopyWaiterRole", (Object) COPY_WAITER)),
            Map.entry(Stage.SHARE_TAG_CHANGED, role("FunctionsShareTagChangedRole", "states:StartExecution",
                    "states:DescribeExecution", "ssm:GetParameter")),
            Map.entry(Stage.NEW_ACCOUNT, role("FunctionsNewAccountRole", "ec2:DescribeImages",
                    "states:StartExecution", "states:DescribeExecution", PERIMETER)),
            // The API starts shares and unshares, reads executions, share records, idempotency keys and
            // grants, and the access report reads what EC2 and KMS grant: no writes beyond its own keys.
            Map.entry(Stage.SHARE_API, role("FunctionsShareApiRole", "states:StartExecution",
                    "states:DescribeExecution", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
                    "ec2:DescribeImages", "ec2:DescribeSnapshots", "ec2:DescribeImageAttribute",
                    "ec2:DescribeSnapshotAttribute", "kms:DescribeKey", "kms:GetKeyPolicy"))));

    private static Map.Entry<String, Set<String>> role(String logicalIdPrefix, Object... actions) {
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
    @SuppressWarnings("unchecked")
    void tagEntryPoint_shouldReadOnlyTheTargetGroups_whenGranted() {
        // WHEN the tag function's statements that read parameters
        List<String> resources = new java.util.ArrayList<>();
        template.findResources("AWS::IAM::Policy").values().forEach(r -> {
            Map<String, Object> props = (Map<String, Object>) r.get("Properties");
            if (String.valueOf(props.get("Roles")).contains("FunctionsShareTagChangedRole")) {
                ((List<Map<String, Object>>) ((Map<String, Object>) props.get("PolicyDocument")).get("Statement"))
                        .stream().filter(st -> Synth.actions(st).contains("ssm:GetParameter"))
                        .forEach(st -> resources.add(String.valueOf(st.get("Resource"))));
            }
        });

        // THEN one resource: the target-group path of the owner's account and region, nothing wider
        assertThat(resources).singleElement().asString()
                .contains(":parameter" + Names.TARGET_GROUP_PREFIX + "/*").contains("AWS::AccountId")
                .contains("AWS::Region");
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
    void copyWaiterRole_shouldRunOnlyTheCopyWaitWithItsTokenActions_whenSynthesized() {
        // GIVEN the owner stack's copy-waiter role
        Map<String, Object> waiter = Map.of("Ref", Match.stringLikeRegexp("FunctionsCopyWaiterRole.*"));
        Map<String, Object> waiterArn = Map.of("Fn::GetAtt",
                List.of(Match.stringLikeRegexp("FunctionsCopyWaiterRole.*"), "Arn"));
        Object tokens = Match.objectLike(Map.of(
                "Action", List.of("dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem"),
                "Condition", Map.of("ForAllValues:StringLike", Map.of("dynamodb:LeadingKeys", List.of("COPY#*"))),
                "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("FunctionsShareLedger.*"), "Arn"))));
        Object callbacks = Match.objectLike(Map.of(
                "Action", List.of("states:SendTaskSuccess", "states:SendTaskFailure"),
                "Resource", Map.of("Ref", Match.stringLikeRegexp("ShareWorkflow.*"))));

        // WHEN / THEN a fixed name the consumer stacks can trust,
        template.hasResourceProperties("AWS::IAM::Role", Map.of("RoleName", "amishare-copy-waiter"));
        // the ledger's copy-token items only (no parameters, no key of their own any more),
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(tokens))),
                "Roles", List.of(waiter)));
        template.resourceCountIs("AWS::KMS::Key", 0);
        // the task callbacks on the state machine only,
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", List.of(callbacks)),
                "Roles", Match.arrayWith(List.of(waiter))));
        // and only AwaitCopy and CopyEvent run under it
        assertThat(template.findResources("AWS::Lambda::Function",
                Map.of("Properties", Map.of("Role", waiterArn)))).hasSize(2);
    }

    @Test
    void awaitCopy_shouldKeepTokensForTheWorkflowsCopyTimeout_whenSynthesized() {
        // GIVEN / WHEN the owner stack with the workflow's default options / THEN AwaitCopy's tokens expire
        // after the Await copy task's timeout (8 h), which the state machine is built with
        template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", Stage.AWAIT_COPY.handler(),
                "Environment", Map.of("Variables", Match.objectLike(Map.of(Names.ENV_COPY_WAIT_SECONDS, "28800")))));
        @SuppressWarnings("unchecked")
        String definition = template.findResources("AWS::StepFunctions::StateMachine").values().stream()
                .map(r -> Synth.render(((Map<String, Object>) r.get("Properties")).get("DefinitionString")))
                .filter(d -> d.contains("\"Await copy\"")).findFirst().orElseThrow();
        assertThat(definition).contains("\"TimeoutSeconds\":28800");
    }

    @Test
    void consumerRoles_shouldBeAssumedOnlyInsideThePerimeter_whenSynthesized() {
        // GIVEN the perimeter o-abcdef1234 plus 555555555555
        Object inOrganization = Match.objectLike(Map.of("Action", "sts:AssumeRole",
                "Resource", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                        ":iam::*:role/AmiShareConsumer"))),
                "Condition", Map.of("StringEquals", Map.of("aws:ResourceOrgID", "o-abcdef1234"))));
        Object allowedAccount = Match.objectLike(Map.of("Action", "sts:AssumeRole",
                "Resource", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                        ":iam::555555555555:role/AmiShareConsumer")))));

        // WHEN / THEN both owner roles that assume consumer roles do so only there; no unconditioned wildcard
        for (String role : List.of("FunctionsConsumerAccessRole", "FunctionsCopyWaiterRole")) {
            template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                    "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(inOrganization, allowedAccount))),
                    "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp(role + ".*")))));
        }
        Synth.statements(template).stream().filter(st -> Synth.actions(st).contains("sts:AssumeRole")
                && String.valueOf(st.get("Resource")).contains(":iam::*:"))
                .forEach(st -> assertThat(String.valueOf(st.get("Condition"))).contains("aws:ResourceOrgID"));
    }

    @Test
    void functions_shouldCarryThePerimeterAndTheOwnersConfiguration_whenSynthesized() {
        for (Stage stage : Stage.values()) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", stage.handler(),
                    "Environment", Map.of("Variables", Match.objectLike(Map.of(
                            "AMISHARE_PERIMETER_ORGANIZATION_ID", "o-abcdef1234",
                            "AMISHARE_PERIMETER_ACCOUNT_IDS", "555555555555",
                            "AMISHARE_OWNER_ACCOUNT_ID", Map.of("Ref", "AWS::AccountId"),
                            "AMISHARE_MANAGEMENT_ACCOUNT_ID", "999999999990",
                            "AMISHARE_EXTERNAL_ID", "amishare-ext-42")))));
        }
    }

    @Test
    void stack_shouldRefuseToSynthesize_whenNoPerimeterIsConfigured() {
        assertThatThrownBy(() -> OwnerStack.OwnerStackProps.builder().functionsJar(java.nio.file.Path.of("x.jar"))
                .perimeter(new Perimeter(null, null, null)).build())
                .hasMessageContaining("sharing perimeter").hasMessageContaining("perimeterOrganizationId");
        assertThatThrownBy(() -> OwnerStack.OwnerStackProps.builder().functionsJar(java.nio.file.Path.of("x.jar"))
                .build()).hasMessageContaining("sharing perimeter");
    }

    @Test
    void workflow_shouldBeStandardLoggingErrorsWithoutExecutionDataWithTracing_whenSynthesized() {
        // Payloads carry task tokens and reports: the logs get errors, not execution data.
        template.hasResourceProperties("AWS::StepFunctions::StateMachine", Map.of(
                "StateMachineType", "STANDARD",
                "TracingConfiguration", Map.of("Enabled", true),
                "LoggingConfiguration", Match.objectLike(Map.of("Level", "ERROR", "IncludeExecutionData", false))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void logGroups_shouldKeepLogsForAMonthOnePerFunction_whenSynthesized() {
        // GIVEN one function per stage, the workflow and the API access log
        int expected = Stage.values().length + 2;

        // WHEN / THEN each has its own group, kept 30 days, and there is no other
        template.resourceCountIs("AWS::Logs::LogGroup", expected);
        template.resourcePropertiesCountIs("AWS::Logs::LogGroup", Map.of("RetentionInDays", 30), expected);
        List<Object> functionGroups = template.findResources("AWS::Lambda::Function").values().stream()
                .map(f -> ((Map<String, Object>) ((Map<String, Object>) f.get("Properties")).get("LoggingConfig"))
                        .get("LogGroup")).toList();
        assertThat(functionGroups).hasSize(Stage.values().length).doesNotHaveDuplicates().doesNotContainNull();
    }

    @Test
    void perimeterReads_shouldBeScopedToThePerimeterOrganization_whenGranted() {
        // GIVEN every statement that names an Organizations action
        List<Map<String, Object>> organizations = Synth.statements(template).stream()
                .filter(s -> Synth.actions(s).stream().anyMatch(a -> a.startsWith("organizations:")))
                .toList();
        assertThat(organizations).isNotEmpty();

        // WHEN / THEN only reads; ListAccounts, which has no resource type, alone on "*"; every other one on
        // the account, OU and root ARNs of the perimeter's organization o-abcdef1234 only
        organizations.forEach(s -> {
            List<String> actions = Synth.actions(s);
            assertThat(actions).allMatch(a -> a.startsWith("organizations:Describe")
                    || a.startsWith("organizations:List"));
            if (actions.contains("organizations:ListAccounts")) {
                assertThat(actions).containsExactly("organizations:ListAccounts");
                assertThat(Synth.resources(s)).containsExactly("*");
            } else {
                assertThat(Synth.resources(s)).isNotEmpty().allSatisfy(r -> assertThat(r)
                        .matches("arn:\\$\\{AWS::Partition}:organizations::\\*:(account|ou|root)/o-abcdef1234/\\*"));
            }
        });
        // the OU listings (the perimeter's listing, copyToOrganizationalUnits) on OUs and the root only
        organizations.stream().filter(s -> Synth.actions(s).contains("organizations:ListChildren"))
                .forEach(s -> assertThat(Synth.resources(s)).noneMatch(r -> r.contains(":account/")));
    }

    @Test
    void distributedMaps_shouldStartAndDescribeOnlyTheirOwnStateMachinesChildren_whenGranted() {
        // GIVEN the state machine, whose Distributed Maps run child executions of the state machine itself
        Map<String, Object> self = Map.of("Ref", Match.stringLikeRegexp("ShareWorkflowStateMachine[0-9A-F]+"));
        Object ownName = Match.objectLike(Map.of("Fn::Select", List.of(6, Map.of("Fn::Split", List.of(":", self)))));
        Object executions = Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(":execution:", ownName, ":*"))));
        Object mapRunChildren = Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(":execution:", ownName,
                "/*:*"))));

        // WHEN / THEN the policy CDK writes for Distributed Maps: StartExecution on itself, DescribeExecution
        // and StopExecution on its executions, RedriveExecution on its Map Runs' children
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("ShareWorkflowStateMachineRole.*"))),
                "PolicyDocument", Map.of("Statement", List.of(
                        Match.objectLike(Map.of("Action", "states:StartExecution", "Resource", self)),
                        Match.objectLike(Map.of("Action", List.of("states:DescribeExecution",
                                "states:StopExecution"), "Resource", executions)),
                        Match.objectLike(Map.of("Action", "states:RedriveExecution",
                                "Resource", mapRunChildren))))));
        // and every state machine action of its role is on this state machine or its executions, never "*"
        String stateMachine = template.findResources("AWS::StepFunctions::StateMachine").keySet().iterator().next();
        List<Map<String, Object>> states = Synth.statementsOf(template, stateMachineRole()).stream()
                .filter(s -> Synth.actions(s).stream().anyMatch(a -> a.startsWith("states:")))
                .toList();
        assertThat(states).hasSize(3).allSatisfy(s -> assertThat(Synth.resources(s)).isNotEmpty()
                .allSatisfy(r -> assertThat(r).contains(stateMachine)));
    }

    @SuppressWarnings("unchecked")
    private String stateMachineRole() {
        Map<String, Object> props = (Map<String, Object>) template.findResources("AWS::StepFunctions::StateMachine")
                .values().iterator().next().get("Properties");
        return (String) ((List<Object>) ((Map<String, Object>) props.get("RoleArn")).get("Fn::GetAtt")).get(0);
    }

    @Test
    void rules_shouldDeployThePatternFilesPinnedToTheirAccounts_whenSynthesized() {
        // Tag changes of this account only, account vending from the management account only
        Map<String, Object> tag = new java.util.LinkedHashMap<>(EventPatterns.read(EventPatterns.SHARE_TAG_CHANGED));
        tag.put("account", List.of(Map.of("Ref", "AWS::AccountId")));
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", tag));
        for (String file : List.of(EventPatterns.CONTROL_TOWER_ACCOUNT_CREATED,
                EventPatterns.ORGANIZATIONS_ACCOUNT_CREATED)) {
            Map<String, Object> vending = new java.util.LinkedHashMap<>(EventPatterns.read(file));
            vending.put("account", List.of("999999999990"));
            template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", vending));
        }
        // forwarded copy events on the copy-event bus, not the default one
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "EventPattern", EventPatterns.read(EventPatterns.AMI_STATE_CHANGE),
                "EventBusName", Map.of("Ref", Match.stringLikeRegexp("CopyEventsBus.*"))));
    }

    @Test
    void tagRule_shouldMatchTheTagTheEntryFunctionReads_whenSynthesized() {
        // The tag names are one constant (contract Names) now; the rule's pattern file must name it too.
        assertThat(EventPatterns.read(EventPatterns.SHARE_TAG_CHANGED).toString()).contains(Names.TAG_TARGETS);
    }

    /** The ShareApi function's ARN as the template names it in integrations. */
    private static Map<String, Object> apiFunctionArn() {
        return Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("FunctionsShareApi[0-9A-F]+"), "Arn"));
    }

    @Test
    void api_shouldValidateTheBodyWithTheSchemaAndProxyToTheApiFunction_whenPosting() {
        template.hasResourceProperties("AWS::ApiGateway::Model", Map.of(
                "Name", "ShareRequest",
                "Schema", ShareRequestSchema.read(ShareRequestSchema.locate())));
        template.hasResourceProperties("AWS::ApiGateway::RequestValidator", Map.of("ValidateRequestBody", true));
        template.hasResourceProperties("AWS::ApiGateway::Method", Map.of(
                "HttpMethod", "POST",
                "AuthorizationType", "AWS_IAM",
                "RequestValidatorId", Match.anyValue(),
                "RequestModels", Map.of("application/json", Match.anyValue()),
                "RequestParameters", Map.of("method.request.header.Idempotency-Key", false),
                "Integration", Match.objectLike(Map.of("Type", "AWS_PROXY", "IntegrationHttpMethod", "POST",
                        "Uri", Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(Match.arrayWith(
                                List.of(apiFunctionArn()))))))))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void api_shouldSendEveryRouteToTheApiFunctionUnderIamAuthorization_whenSynthesized() {
        // GIVEN the routes ShareApiService answers
        Map<String, String> pathParts = new java.util.HashMap<>();
        template.findResources("AWS::ApiGateway::Resource").forEach((id, r) -> pathParts.put(id,
                (String) ((Map<String, Object>) r.get("Properties")).get("PathPart")));
        assertThat(pathParts.values()).containsExactlyInAnyOrder("shares", "{id}", "images", "{imageId}", "access");

        // WHEN every method of the API is read
        List<String> routes = new java.util.ArrayList<>();
        template.findResources("AWS::ApiGateway::Method").values().forEach(m -> {
            Map<String, Object> props = (Map<String, Object>) m.get("Properties");
            Map<String, Object> integration = (Map<String, Object>) props.get("Integration");
            assertThat(props.get("AuthorizationType")).isEqualTo("AWS_IAM");
            assertThat(integration.get("Type")).isEqualTo("AWS_PROXY");
            assertThat(String.valueOf(integration.get("Uri"))).contains("FunctionsShareApi");
            Object resource = ((Map<String, Object>) props.get("ResourceId")).get("Ref");
            routes.add(props.get("HttpMethod") + " " + pathParts.get(String.valueOf(resource)));
        });

        // THEN exactly these five, and API Gateway may invoke the function for each, not from the test console
        assertThat(routes).containsExactlyInAnyOrder("POST shares", "GET shares", "GET {id}", "DELETE {id}",
                "GET access");
        Map<String, Map<String, Object>> invokes = template.findResources("AWS::Lambda::Permission",
                Map.of("Properties", Map.of("Principal", "apigateway.amazonaws.com")));
        assertThat(invokes).hasSize(5);
        assertThat(invokes.values()).allSatisfy(p -> assertThat(String.valueOf(p)).contains("FunctionsShareApi")
                .doesNotContain("test-invoke-stage"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void api_shouldHaveNoRoleOfItsOwnButTheLoggingRole_whenSynthesized() {
        // GIVEN / WHEN the roles API Gateway may assume
        List<Object> apiRoles = template.findResources("AWS::IAM::Role").values().stream()
                .filter(r -> String.valueOf(((Map<String, Object>) r.get("Properties")).get("AssumeRolePolicyDocument"))
                        .contains("apigateway.amazonaws.com"))
                .map(r -> ((Map<String, Object>) r.get("Properties")).get("ManagedPolicyArns"))
                .toList();

        // THEN only the account's logging role: the executions are started by the function, not by API Gateway
        assertThat(apiRoles).singleElement().asString().contains("AmazonAPIGatewayPushToCloudWatchLogs");
    }

    @Test
    void apiFunction_shouldTouchOnlyShareRecordsIdempotencyKeysAndGrants_whenGranted() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
                        "Condition", Map.of("ForAllValues:StringLike", Map.of("dynamodb:LeadingKeys",
                                List.of("SHARES", "IDEMPOTENCY#*", "GRANT#*"))),
                        "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("FunctionsShareLedger.*"),
                                "Arn"))))))),
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("FunctionsShareApiRole.*")))));
        // and it finds the state machine it starts
        template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", Stage.SHARE_API.handler(),
                "Environment", Map.of("Variables", Match.objectLike(Map.of("STATE_MACHINE_ARN",
                        Map.of("Ref", Match.stringLikeRegexp("ShareWorkflow.*")))))));
    }

    @Test
    void api_shouldThrottleEveryMethod_whenDeployed() {
        template.hasResourceProperties("AWS::ApiGateway::Stage", Map.of("MethodSettings", Match.arrayWith(List.of(
                Match.objectLike(Map.of("ThrottlingRateLimit", ShareApi.RATE_LIMIT,
                        "ThrottlingBurstLimit", ShareApi.BURST_LIMIT))))));
    }

    @Test
    void copyEventBus_shouldAdmitOnlyAmiStateChangesFromThePerimetersAccounts_whenConfigured() {
        Map<String, Object> ec2AmiEvents = Map.of("events:source", List.of("aws.ec2"),
                "events:detail-type", List.of("EC2 AMI State Change"));
        Map<String, Object> fromOrganization = new java.util.LinkedHashMap<>(ec2AmiEvents);
        fromOrganization.put("aws:PrincipalOrgID", "o-abcdef1234");
        template.hasResourceProperties("AWS::Events::EventBus", Map.of("Name", "amishare-copy-events"));
        template.hasResourceProperties("AWS::Events::EventBusPolicy", Map.of("Statement", Match.objectLike(Map.of(
                "Principal", "*", "Action", "events:PutEvents",
                "Condition", Map.of("StringEquals", fromOrganization)))));
        template.hasResourceProperties("AWS::Events::EventBusPolicy", Map.of("Statement", Match.objectLike(Map.of(
                "Principal", Map.of("AWS", List.of(Map.of("Fn::Join", List.of("", List.of("arn:",
                        Map.of("Ref", "AWS::Partition"), ":iam::555555555555:root"))))),
                "Condition", Map.of("StringEquals", ec2AmiEvents)))));
        // nothing opens the default bus any more
        assertThat(template.findResources("AWS::Events::EventBusPolicy").values())
                .allSatisfy(r -> assertThat(String.valueOf(r)).doesNotContain("EventBusName=default"));
    }
}
