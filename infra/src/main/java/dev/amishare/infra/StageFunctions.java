package dev.amishare.infra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.AssetHashType;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.s3.assets.AssetOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.constructs.Construct;

/**
 * Every Lambda function of the owner account, each with its own role holding exactly the actions its
 * service class calls. The workflow takes these one per stage ({@code ShareWorkflowProps}); the entry
 * points take the two normalizers. Roles are written out here, not granted through helpers, so that a
 * reader sees each function's whole permission set in one place.
 */
public final class StageFunctions extends Construct {

    static final String HANDLERS = "dev.amishare.functions.";
    /** The owner-side role the consumer stacks trust by ARN: a fixed name keeps that ARN predictable. */
    public static final String CONSUMER_ACCESS_ROLE_NAME = "amishare-consumer-access";
    /**
     * AwaitCopy's own role, the second owner-side principal the consumer stacks trust: it also reads the
     * copy's state as the consumer role, but alone keeps and answers task tokens. Fixed name, as above.
     */
    public static final String COPY_WAITER_ROLE_NAME = "amishare-copy-waiter";
    /** Where AwaitCopyHandler keeps task tokens until CopyEventHandler answers them. */
    public static final String COPY_WAIT_PREFIX = "/amishare/copy-tokens/";

    private final Code code;
    private final Stack stack;
    private final Role consumerAccess;
    private final Role copyWaiter;
    private final Map<String, Function> functions = new java.util.LinkedHashMap<>();

    private final Function prepare;
    private final Function grantLaunchPermission;
    private final Function keyPolicy;
    private final Function shareSnapshots;
    private final Function validateConsumer;
    private final Function copyImage;
    private final Function copyStatus;
    private final Function revoke;
    private final Function awaitCopy;
    private final Function copyEvent;
    private final Function shareTagChanged;
    private final Function newAccount;

    public StageFunctions(Construct scope, String id, StageFunctionsProps props) {
        super(scope, id);
        stack = Stack.of(this);
        // Hashed by content: ProGuard stamps the package's entries with the build time, so a rebuild of
        // unchanged code would otherwise be a new asset and redeploy every function.
        code = Code.fromAsset(props.functionsJar().toString(), AssetOptions.builder()
                .assetHashType(AssetHashType.CUSTOM)
                .assetHash(FunctionsJar.contentHash(props.functionsJar()))
                .build());

        // Validate, copy and status act in target accounts only through the consumer role there.
        consumerAccess = Role.Builder.create(this, "ConsumerAccessRole")
                .roleName(CONSUMER_ACCESS_ROLE_NAME)
                .description("amishare: assumes the consumer role in target accounts to validate and copy")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        String consumerRoles = "arn:" + stack.getPartition() + ":iam::*:role/" + props.consumerRoleName();
        consumerAccess.addToPrincipalPolicy(allow(List.of("sts:AssumeRole"), List.of(consumerRoles)));

        // AwaitCopy reads the copy's state as the consumer role too, but it also stores and answers task
        // tokens: a role of its own keeps those SSM and Step Functions actions off validate/copy/status.
        copyWaiter = Role.Builder.create(this, "CopyWaiterRole")
                .roleName(COPY_WAITER_ROLE_NAME)
                .description("amishare: keeps copy task tokens and reads copy state as target consumer roles")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        copyWaiter.addToPrincipalPolicy(allow(List.of("sts:AssumeRole"), List.of(consumerRoles)));

        // DescribeImages and DescribeSnapshots have no resource-level permissions; GetCallerIdentity
        // needs none. DescribeKey only on this account's keys (the AMI's own key). Prepare also reads the
        // access targets already have (launch and create-volume permissions, amishare's key-policy
        // statements), the baseline a rollback keeps: the same reads, scoped as for the stages that write.
        prepare = function("Prepare", "prepare.PrepareHandler::handleRequest",
                "reads the AMI, its snapshots and their keys", null);
        add(prepare, allow(List.of("ec2:DescribeImages", "ec2:DescribeSnapshots"), List.of("*")));
        add(prepare, allow(List.of("kms:DescribeKey"), List.of(keys())));
        add(prepare, allow(List.of("ec2:DescribeImageAttribute"), List.of(images())));
        add(prepare, allow(List.of("ec2:DescribeSnapshotAttribute"), List.of(snapshots())));
        add(prepare, managedOnly(allow(List.of("kms:GetKeyPolicy"), List.of(keys()))));

        grantLaunchPermission = function("GrantLaunchPermission",
                "launch.GrantLaunchPermissionHandler::handleRequest",
                "grants launch permission on an AMI to target accounts", null);
        addImagePermissions(grantLaunchPermission);

        keyPolicy = function("KeyPolicy", "keypolicy.KeyPolicyHandler::handleRequest",
                "lets target accounts use the AMI's key through the key policy", null);
        addKeyPolicyPermissions(keyPolicy);

        shareSnapshots = function("ShareSnapshots", "snapshots.ShareSnapshotsHandler::handleRequest",
                "shares the AMI's snapshots with copying targets", null);
        addSnapshotPermissions(shareSnapshots);

        validateConsumer = function("ValidateConsumer", "consumer.ValidateConsumerHandler::handleRequest",
                "checks, as each target's consumer role, that the target can use the share", consumerAccess);
        copyImage = function("CopyImage", "copy.CopyImageHandler::handleRequest",
                "copies the shared AMI into a target account", consumerAccess);
        copyStatus = function("CopyStatus", "copy.CopyStatusHandler::handleRequest",
                "reads the state of a copy in a target account", consumerAccess);

        revoke = function("Revoke", "revoke.RevokeHandler::handleRequest",
                "takes launch, snapshot and key-policy grants back", null);
        addImagePermissions(revoke);
        addSnapshotPermissions(revoke);
        addKeyPolicyPermissions(revoke);

        // AwaitCopy keeps the copy's task token (a SecureString under the AWS-managed aws/ssm key, which
        // needs no KMS grant in the policy), then reads the copy's state as the consumer role — so it runs
        // under the copy-waiter role, which target accounts trust beside the consumer-access role — and
        // resumes at once (deleting the parameter) when the copy is already done. CopyEvent resumes the
        // token when the forwarded event arrives.
        String parameters = "arn:" + stack.getPartition() + ":ssm:" + stack.getRegion() + ":" + stack.getAccount()
                + ":parameter" + COPY_WAIT_PREFIX + "*";
        awaitCopy = function("AwaitCopy", "copy.AwaitCopyHandler::handleRequest",
                "keeps a copy's task token until the copy's AMI event arrives", copyWaiter);
        add(awaitCopy, allow(List.of("ssm:PutParameter", "ssm:DeleteParameter"), List.of(parameters)));
        copyEvent = function("CopyEvent", "copy.CopyEventHandler::handleRequest",
                "answers a copy's task token when its forwarded AMI event arrives", null);
        add(copyEvent, allow(List.of("ssm:GetParameter", "ssm:DeleteParameter"), List.of(parameters)));

        shareTagChanged = function("ShareTagChanged", "entry.ShareTagChangedHandler::handleRequest",
                "starts a share when an AMI's " + OptInTags.TARGETS + " tag changes", null);
        newAccount = function("NewAccount", "entry.NewAccountHandler::handleRequest",
                "shares the AMIs tagged for new accounts with a newly created account", null);
        add(newAccount, allow(List.of("ec2:DescribeImages"), List.of("*")));

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

    /** The workflow may answer copy tokens and the entry points may start it: needs the state machine. */
    public void bindStateMachine(IStateMachine stateMachine) {
        // Separate policies, not the default ones: each function depends on its default policy, and the
        // state machine on the functions, so a default-policy reference would be a cycle.
        Policy callbacks = Policy.Builder.create(this, "CopyEventCallbacks")
                .statements(List.of(allow(List.of("states:SendTaskSuccess", "states:SendTaskFailure"),
                        List.of(stateMachine.getStateMachineArn()))))
                .build();
        copyEvent.getRole().attachInlinePolicy(callbacks);
        awaitCopy.getRole().attachInlinePolicy(callbacks);
        PolicyStatement start = allow(List.of("states:StartExecution"), List.of(stateMachine.getStateMachineArn()));
        Policy starts = Policy.Builder.create(this, "EntryStarts").statements(List.of(start)).build();
        shareTagChanged.getRole().attachInlinePolicy(starts);
        newAccount.getRole().attachInlinePolicy(starts);
        shareTagChanged.addEnvironment("STATE_MACHINE_ARN", stateMachine.getStateMachineArn());
        newAccount.addEnvironment("STATE_MACHINE_ARN", stateMachine.getStateMachineArn());
    }

    private Function function(String id, String handler, String description, IRole sharedRole) {
        LogGroup logs = LogGroup.Builder.create(this, id + "Logs")
                .retention(RetentionDays.ONE_MONTH)
                .build();
        Role role = sharedRole != null ? (Role) sharedRole : Role.Builder.create(this, id + "Role")
                .description("amishare " + id + " function")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        // Written out instead of AWSLambdaBasicExecutionRole: only this function's own log group.
        role.addToPrincipalPolicy(allow(List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                List.of(logs.getLogGroupArn())));
        Function function = Function.Builder.create(this, id)
                .description("amishare: " + description)
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler(HANDLERS + handler)
                .code(code)
                // 1024 MB: not measured on Lambda yet. Lambda gives CPU in proportion to memory, and the
                // JVM's cold start (class loading, SDK init) is CPU-bound; revisit with the benchmark.
                .memorySize(1024)
                .timeout(Duration.seconds(60))
                .tracing(Tracing.ACTIVE)
                .logGroup(logs)
                .role(role)
                .build();
        functions.put(id, function);
        return function;
    }

    private void addImagePermissions(Function function) {
        add(function, allow(List.of("ec2:DescribeImageAttribute"), List.of(images())));
        add(function, managedOnly(allow(List.of("ec2:ModifyImageAttribute"), List.of(images()))));
    }

    private void addSnapshotPermissions(Function function) {
        add(function, allow(List.of("ec2:DescribeSnapshotAttribute"), List.of(snapshots())));
        add(function, managedOnly(allow(List.of("ec2:ModifySnapshotAttribute"), List.of(snapshots()))));
    }

    private void addKeyPolicyPermissions(Function function) {
        add(function, managedOnly(allow(List.of("kms:GetKeyPolicy", "kms:PutKeyPolicy"), List.of(keys()))));
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

    private static PolicyStatement managedOnly(PolicyStatement statement) {
        statement.addCondition("StringEquals", Map.of("aws:ResourceTag/" + OptInTags.MANAGED, OptInTags.MANAGED_VALUE));
        return statement;
    }

    static PolicyStatement allow(List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(actions).resources(resources).build();
    }

    private static void add(Function function, PolicyStatement statement) {
        function.addToRolePolicy(statement);
    }

    public Role consumerAccessRole() {
        return consumerAccess;
    }

    public Role copyWaiterRole() {
        return copyWaiter;
    }

    public List<Function> all() {
        return new ArrayList<>(functions.values());
    }

    public Function prepare() {
        return prepare;
    }

    public Function grantLaunchPermission() {
        return grantLaunchPermission;
    }

    public Function keyPolicy() {
        return keyPolicy;
    }

    public Function shareSnapshots() {
        return shareSnapshots;
    }

    public Function validateConsumer() {
        return validateConsumer;
    }

    public Function copyImage() {
        return copyImage;
    }

    public Function copyStatus() {
        return copyStatus;
    }

    public Function revoke() {
        return revoke;
    }

    public Function awaitCopy() {
        return awaitCopy;
    }

    public Function copyEvent() {
        return copyEvent;
    }

    public Function shareTagChanged() {
        return shareTagChanged;
    }

    public Function newAccount() {
        return newAccount;
    }

    /** What the functions are built from. */
    public record StageFunctionsProps(Path functionsJar, String consumerRoleName) {

        public StageFunctionsProps {
            Objects.requireNonNull(functionsJar, "functionsJar");
            Objects.requireNonNull(consumerRoleName, "consumerRoleName");
        }
    }
}
