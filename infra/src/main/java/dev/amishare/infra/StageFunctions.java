package dev.amishare.infra;

import dev.amishare.contract.Names;
import dev.amishare.contract.Stage;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.AssetHashType;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.assets.AssetOptions;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.constructs.Construct;

/**
 * Every Lambda function of the owner account, one per {@link Stage}, each with a role holding exactly the
 * actions its service class calls. {@link #permissions(Stage)} is one exhaustive {@code switch}: a new
 * stage does not compile until its role and actions are written there, and a reader sees every
 * function's whole permission set in one place.
 */
public final class StageFunctions extends Construct {

    private final Code code;
    private final Stack stack;
    private final Role consumerAccess;
    private final Role copyWaiter;
    private final Map<Stage, Function> functions = new EnumMap<>(Stage.class);

    public StageFunctions(Construct scope, String id, StageFunctionsProps props) {
        super(scope, id);
        stack = Stack.of(this);
        // Hashed by content: ProGuard stamps the package's entries with the build time, so a rebuild of
        // unchanged code would otherwise be a new asset and redeploy every function.
        code = Code.fromAsset(props.functionsJar().toString(), AssetOptions.builder()
                .assetHashType(AssetHashType.CUSTOM)
                .assetHash(FunctionsJar.contentHash(props.functionsJar()))
                .build());

        String consumerRoles = "arn:" + stack.getPartition() + ":iam::*:role/" + props.consumerRoleName();
        // Validate, copy and status act in target accounts only through the consumer role there.
        consumerAccess = sharedRole("ConsumerAccessRole", Names.CONSUMER_ACCESS_ROLE,
                "amishare: assumes the consumer role in target accounts to validate and copy", consumerRoles);
        // AwaitCopy reads the copy's state as the consumer role too, but it also stores and answers task
        // tokens: a role of its own keeps those SSM and Step Functions actions off validate/copy/status.
        copyWaiter = sharedRole("CopyWaiterRole", Names.COPY_WAITER_ROLE,
                "amishare: keeps copy task tokens and reads copy state as target consumer roles", consumerRoles);

        for (Stage stage : Stage.values()) {
            Grants grants = permissions(stage);
            Function function = function(stage, grants.role());
            grants.statements().forEach(function::addToRolePolicy);
            functions.put(stage, function);
        }

        NagSuppressions.addResourceSuppressions(this, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-L1")
                .reason("java21 is the runtime the handlers and their cold-start benchmark are measured on; "
                        + "java25 follows after measuring it")
                .build(), NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("Wildcard resources only where AWS offers no narrower ARN: log streams get generated "
                        + "names; ec2:Describe* and X-Ray have no resource-level permissions; image, snapshot "
                        + "and key ARNs are narrowed by the amishare:managed aws:ResourceTag condition; consumer "
                        + "roles and copy-wait parameters are named per target or copy at run time")
                .build()), true);
    }

    /** A stage's role (null: one of its own) and the statements its service class needs. */
    private record Grants(Role role, List<PolicyStatement> statements) {
        @SafeVarargs
        static Grants own(List<PolicyStatement>... groups) {
            return new Grants(null, java.util.Arrays.stream(groups).flatMap(List::stream).toList());
        }
    }

    private Grants permissions(Stage stage) {
        return switch (stage) {
            // DescribeImages and DescribeSnapshots have no resource-level permissions; GetCallerIdentity
            // needs none. DescribeKey only on this account's keys (the AMI's own key). Prepare also reads
            // the access targets already have (launch and create-volume permissions, amishare's key-policy
            // statements), the baseline a rollback keeps: the same reads, scoped as for the stages that write.
            case PREPARE -> Grants.own(List.of(
                    allow(List.of("ec2:DescribeImages", "ec2:DescribeSnapshots"), List.of("*")),
                    allow(List.of("kms:DescribeKey"), List.of(keys())),
                    allow(List.of("ec2:DescribeImageAttribute"), List.of(images())),
                    allow(List.of("ec2:DescribeSnapshotAttribute"), List.of(snapshots())),
                    managedOnly(allow(List.of("kms:GetKeyPolicy"), List.of(keys())))));
            case GRANT_LAUNCH_PERMISSION -> Grants.own(imagePermissions());
            case KEY_POLICY -> Grants.own(keyPolicyPermissions());
            case SHARE_SNAPSHOTS -> Grants.own(snapshotPermissions());
            // Everything they do in a target account they do as its consumer role.
            case VALIDATE_CONSUMER, COPY_IMAGE, COPY_STATUS -> new Grants(consumerAccess, List.of());
            case REVOKE -> Grants.own(imagePermissions(), snapshotPermissions(), keyPolicyPermissions());
            // AwaitCopy keeps the copy's task token (a SecureString under the AWS-managed aws/ssm key, which
            // needs no KMS grant in the policy), then reads the copy's state as the consumer role — so it
            // runs under the copy-waiter role, which target accounts trust beside the consumer-access role —
            // and resumes at once (deleting the parameter) when the copy is already done. CopyEvent resumes
            // the token when the forwarded event arrives. Both answer tokens: see bindStateMachine.
            case AWAIT_COPY -> new Grants(copyWaiter,
                    List.of(allow(List.of("ssm:PutParameter", "ssm:DeleteParameter"), List.of(copyTokens()))));
            case COPY_EVENT -> Grants.own(List.of(allow(List.of("ssm:GetParameter", "ssm:DeleteParameter"),
                    List.of(copyTokens()))));
            // Both entry points start executions: see bindStateMachine.
            case SHARE_TAG_CHANGED -> Grants.own();
            case NEW_ACCOUNT -> Grants.own(List.of(allow(List.of("ec2:DescribeImages"), List.of("*"))));
        };
    }

    /** The workflow may answer copy tokens and the entry points may start it: needs the state machine. */
    public void bindStateMachine(IStateMachine stateMachine) {
        // Separate policies, not the default ones: each function depends on its default policy, and the
        // state machine on the functions, so a default-policy reference would be a cycle.
        Policy callbacks = Policy.Builder.create(this, "CopyEventCallbacks")
                .statements(List.of(allow(List.of("states:SendTaskSuccess", "states:SendTaskFailure"),
                        List.of(stateMachine.getStateMachineArn()))))
                .build();
        function(Stage.COPY_EVENT).getRole().attachInlinePolicy(callbacks);
        function(Stage.AWAIT_COPY).getRole().attachInlinePolicy(callbacks);
        PolicyStatement start = allow(List.of("states:StartExecution"), List.of(stateMachine.getStateMachineArn()));
        Policy starts = Policy.Builder.create(this, "EntryStarts").statements(List.of(start)).build();
        for (Stage entry : List.of(Stage.SHARE_TAG_CHANGED, Stage.NEW_ACCOUNT)) {
            function(entry).getRole().attachInlinePolicy(starts);
            function(entry).addEnvironment("STATE_MACHINE_ARN", stateMachine.getStateMachineArn());
        }
    }

    private Role sharedRole(String id, String roleName, String description, String consumerRoles) {
        Role role = Role.Builder.create(this, id)
                .roleName(roleName)
                .description(description)
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        role.addToPrincipalPolicy(allow(List.of("sts:AssumeRole"), List.of(consumerRoles)));
        return role;
    }

    private Function function(Stage stage, Role sharedRole) {
        String id = stage.functionId();
        LogGroup logs = LogGroup.Builder.create(this, id + "Logs")
                .retention(RetentionDays.ONE_MONTH)
                .build();
        Role role = sharedRole != null ? sharedRole : Role.Builder.create(this, id + "Role")
                .description("amishare " + id + " function")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        // Written out instead of AWSLambdaBasicExecutionRole: only this function's own log group.
        role.addToPrincipalPolicy(allow(List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                List.of(logs.getLogGroupArn())));
        return Function.Builder.create(this, id)
                .description("amishare: " + stage.description())
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler(stage.handler())
                .code(code)
                // 1024 MB: peak RSS is 88–109 MB, but Lambda gives CPU in proportion to memory and the
                // JVM's cold start (class loading, SDK init) is CPU-bound (README, cold start).
                .memorySize(1024)
                .timeout(Duration.seconds(60))
                .tracing(Tracing.ACTIVE)
                .logGroup(logs)
                .role(role)
                .build();
    }

    private List<PolicyStatement> imagePermissions() {
        return List.of(allow(List.of("ec2:DescribeImageAttribute"), List.of(images())),
                managedOnly(allow(List.of("ec2:ModifyImageAttribute"), List.of(images()))));
    }

    private List<PolicyStatement> snapshotPermissions() {
        return List.of(allow(List.of("ec2:DescribeSnapshotAttribute"), List.of(snapshots())),
                managedOnly(allow(List.of("ec2:ModifySnapshotAttribute"), List.of(snapshots()))));
    }

    private List<PolicyStatement> keyPolicyPermissions() {
        return List.of(managedOnly(allow(List.of("kms:GetKeyPolicy", "kms:PutKeyPolicy"), List.of(keys()))));
    }

    private String images() {
        return "arn:" + stack.getPartition() + ":ec2:" + stack.getRegion() + "::image/*";
    }

    private String snapshots() {
        return "arn:" + stack.getPartition() + ":ec2:" + stack.getRegion() + "::snapshot/*";
    }

    private String keys() {
        return "arn:" + stack.getPartition() + ":kms:" + stack.getRegion() + ":" + stack.getAccount() + ":key/*";
    }

    private String copyTokens() {
        return "arn:" + stack.getPartition() + ":ssm:" + stack.getRegion() + ":" + stack.getAccount()
                + ":parameter" + Names.COPY_TOKEN_PREFIX + "/*";
    }

    private static PolicyStatement managedOnly(PolicyStatement statement) {
        statement.addCondition("StringEquals", Map.of("aws:ResourceTag/" + Names.TAG_MANAGED, Names.TAG_MANAGED_VALUE));
        return statement;
    }

    static PolicyStatement allow(List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(actions).resources(resources).build();
    }

    public Role consumerAccessRole() {
        return consumerAccess;
    }

    public Role copyWaiterRole() {
        return copyWaiter;
    }

    /** The function of one stage. */
    public Function function(Stage stage) {
        return functions.get(stage);
    }

    /** Every function, by stage. */
    public Map<Stage, Function> byStage() {
        return java.util.Collections.unmodifiableMap(functions);
    }

    /** What the functions are built from. */
    public record StageFunctionsProps(Path functionsJar, String consumerRoleName) {

        public StageFunctionsProps {
            Objects.requireNonNull(functionsJar, "functionsJar");
            Objects.requireNonNull(consumerRoleName, "consumerRoleName");
        }
    }
}
