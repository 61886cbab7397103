package dev.amishare.infra;

import dev.amishare.contract.Names;
import dev.amishare.contract.Perimeter;
import dev.amishare.contract.Stage;
import dev.amishare.statemachine.WorkflowOptions;
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
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.assets.AssetOptions;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
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
    private final StageFunctionsProps props;
    private final Bucket shareBucket;
    private final Table ledger;
    private final Role consumerAccess;
    private final Role copyWaiter;
    private final Map<Stage, Function> functions = new EnumMap<>(Stage.class);

    public StageFunctions(Construct scope, String id, StageFunctionsProps props) {
        super(scope, id);
        stack = Stack.of(this);
        this.props = props;
        // Hashed by content: ProGuard stamps the package's entries with the build time, so a rebuild of
        // unchanged code would otherwise be a new asset and redeploy every function.
        code = Code.fromAsset(props.functionsJar().toString(), AssetOptions.builder()
                .assetHashType(AssetHashType.CUSTOM)
                .assetHash(FunctionsJar.contentHash(props.functionsJar()))
                .build());

        // What grows with the number of targets lives here, not in the workflow's state: target lists,
        // the Distributed Maps' results, the reports. Private, TLS only, encrypted, kept 90 days.
        shareBucket = Bucket.Builder.create(this, "ShareData")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .versioned(true)
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .expiration(Duration.days(90))
                        .noncurrentVersionExpiration(Duration.days(1))
                        .build()))
                .build();
        NagSuppressions.addResourceSuppressions(shareBucket, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-S1")
                .reason("Every object is written and read by amishare's own roles and the state machine; "
                        + "CloudTrail data events, not server access logs, are where an organization audits "
                        + "S3 access, and a log bucket per owner account would need its own retention")
                .build()), true);

        // The share ledger: leases that let one writer at a time edit a key policy, the key grants per
        // image that a revoke counts (ShareLedger), and the task tokens of executions awaiting copies
        // (CopyTokenStore). Small items, bursty use: on demand. Its grant items are the only record of which
        // AMI keeps a principal in a key policy, hence recovery and protection.
        // One region's table (AWS::DynamoDB::Table): the owner stack runs in one region, and a global
        // table's replicas would copy leases that only make sense where the keys are.
        ledger = Table.Builder.create(this, "ShareLedger")
                .partitionKey(Attribute.builder().name(Names.LEDGER_PARTITION_KEY).type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name(Names.LEDGER_SORT_KEY).type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .deletionProtection(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .encryption(TableEncryption.DEFAULT)
                .timeToLiveAttribute(Names.LEDGER_TTL_ATTRIBUTE)
                .build();

        // Validate, copy and status act in target accounts only through the consumer role there.
        consumerAccess = sharedRole("ConsumerAccessRole", Names.CONSUMER_ACCESS_ROLE,
                "amishare: assumes the consumer role in target accounts to validate and copy");
        // AwaitCopy and CopyEvent read the copy's state as the consumer role too, but they also store and
        // answer task tokens: a role of their own keeps those ledger and Step Functions actions off
        // validate/copy/status.
        copyWaiter = sharedRole("CopyWaiterRole", Names.COPY_WAITER_ROLE,
                "amishare: keeps copy task tokens and reads copy state as target consumer roles");

        for (Stage stage : Stage.values()) {
            Grants grants = permissions(stage);
            Function function = function(stage, grants.role());
            grants.statements().forEach(function::addToRolePolicy);
            functions.put(stage, function);
        }
        // A stored token is kept as long as the workflow's Await copy task may wait with it.
        functions.get(Stage.AWAIT_COPY).addEnvironment(Names.ENV_COPY_WAIT_SECONDS,
                Long.toString(props.workflowOptions().copyTimeout().toSeconds().longValue()));

        NagSuppressions.addResourceSuppressions(this, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-L1")
                .reason("java21 is the runtime the handlers and their cold-start benchmark are measured on; "
                        + "java25 follows after measuring it")
                .build(), NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("Wildcard resources only where AWS offers no narrower ARN: log streams get generated "
                        + "names; ec2:Describe*, X-Ray and organizations:ListAccounts have no resource-level "
                        + "permissions; image, snapshot "
                        + "and key ARNs are narrowed by the amishare:managed aws:ResourceTag condition; consumer "
                        + "roles are named per target at run time; share-bucket "
                        + "objects are named per execution and Map Run (shares/*, map-runs/*); the perimeter "
                        + "organization's account, OU and root ARNs name its management account, which the "
                        + "stack does not know, and are narrowed to the organization's id")
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
                    managedOnly(allow(List.of("kms:GetKeyPolicy"), List.of(keys())))), perimeterReads(),
                    // It writes the target list and the baseline, and reads nothing back; and the share's record.
                    shareWrites(), ledgerItems(List.of("dynamodb:PutItem"), SHARES));
            // Every function that grants, revokes or copies checks its own input against the perimeter.
            // The grant stages read the ready targets from the share bucket.
            // Each records its grants in the ledger first, with who asked from the share's record.
            case GRANT_LAUNCH_PERMISSION -> Grants.own(imagePermissions(), perimeterReads(), shareReads(),
                    ledgerItems(List.of("dynamodb:BatchWriteItem"), GRANTS), shareRecordReads());
            case KEY_POLICY -> Grants.own(keyPolicyPermissions(), keyLedgerItems(), perimeterReads(), shareReads(),
                    shareRecordReads());
            case SHARE_SNAPSHOTS -> Grants.own(snapshotPermissions(), perimeterReads(), shareReads(),
                    ledgerItems(List.of("dynamodb:BatchWriteItem"), GRANTS), shareRecordReads());
            // Everything they do in a target account they do as its consumer role; the copy also checks
            // the perimeter (the role is shared, so validate and status may read it too). The readiness
            // check gets its targets in its input, from the Distributed Map.
            case CHECK_TARGETS, VALIDATE_CONSUMER, COPY_IMAGE, COPY_STATUS ->
                    new Grants(consumerAccess, perimeterReads());
            // Select and report read the Maps' results and the target lists and write what they derive.
            case SELECT_READY -> Grants.own(shareReads(), mapResultReads(), shareWrites());
            // The report also moves the share's record to SHARED or FAILED.
            case REPORT -> Grants.own(shareReads(), mapResultReads(), shareWrites(),
                    ledgerItems(List.of("dynamodb:GetItem", "dynamodb:PutItem"), SHARES));
            // Revoke reads the targets to take back from and the baseline to keep.
            // An unshare reads the share's record and its grants from the ledger.
            case REVOKE -> Grants.own(imagePermissions(), snapshotPermissions(), keyPolicyPermissions(),
                    keyLedgerItems(), ledgerItems(List.of("dynamodb:GetItem", "dynamodb:PutItem"), SHARES),
                    perimeterReads(), shareReads());
            // AwaitCopy keeps the copy's task token (a COPY# item of the ledger), then reads the copy's state
            // as the consumer role — so it runs under the copy-waiter role, which target accounts trust
            // beside the consumer-access role — and resumes at once (deleting its item) when the copy is
            // already done. CopyEvent queries the copy's tokens when the forwarded event arrives, reads the
            // copy's state again as each waiter's consumer role, resumes and deletes. Both answer tokens:
            // see bindStateMachine.
            case AWAIT_COPY, COPY_EVENT -> new Grants(copyWaiter, copyWaitItems());
            // Both entry points start executions: see bindStateMachine. The tag's target groups are
            // parameters under one path of this account and region.
            case SHARE_TAG_CHANGED -> Grants.own(List.of(allow(List.of("ssm:GetParameter"), List.of(
                    "arn:" + stack.getPartition() + ":ssm:" + stack.getRegion() + ":" + stack.getAccount()
                            + ":parameter" + Names.TARGET_GROUP_PREFIX + "/*"))));
            case NEW_ACCOUNT -> Grants.own(List.of(allow(List.of("ec2:DescribeImages"), List.of("*"))),
                    perimeterReads());
            // The API starts and reads executions (see bindStateMachine), reads the share records, keeps its
            // idempotency keys and reads the grants an access report compares with what EC2 and KMS say: the
            // same reads of images, snapshots and amishare's key-policy statements as Prepare's.
            case SHARE_API -> Grants.own(apiLedgerItems(), List.of(
                    allow(List.of("ec2:DescribeImages", "ec2:DescribeSnapshots"), List.of("*")),
                    allow(List.of("ec2:DescribeImageAttribute"), List.of(images())),
                    allow(List.of("ec2:DescribeSnapshotAttribute"), List.of(snapshots())),
                    // The report tells customer-managed keys from aws/ebs as Prepare does (DescribeKey).
                    allow(List.of("kms:DescribeKey"), List.of(keys())),
                    managedOnly(allow(List.of("kms:GetKeyPolicy"), List.of(keys())))));
        };
    }

    /** The workflow may answer copy tokens and the entry points may start it: needs the state machine. */
    public void bindStateMachine(StateMachine stateMachine) {
        // Separate policies, not the default ones: each function depends on its default policy, and the
        // state machine on the functions, so a default-policy reference would be a cycle.
        Policy callbacks = Policy.Builder.create(this, "CopyEventCallbacks")
                .statements(List.of(allow(List.of("states:SendTaskSuccess", "states:SendTaskFailure"),
                        List.of(stateMachine.getStateMachineArn()))))
                .build();
        // AwaitCopy and CopyEvent share the copy-waiter role.
        copyWaiter.attachInlinePolicy(callbacks);
        PolicyStatement start = allow(List.of("states:StartExecution"), List.of(stateMachine.getStateMachineArn()));
        // An entry point reads the execution its name already ran, to start a failed share again.
        PolicyStatement describe = allow(List.of("states:DescribeExecution"),
                List.of(executionsOf(Stack.of(this), stateMachine.getStateMachineName())));
        Policy starts = Policy.Builder.create(this, "EntryStarts").statements(List.of(start, describe)).build();
        NagSuppressions.addResourceSuppressions(starts, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("Execution names are chosen per event or API request at run time; the wildcard is only "
                        + "the name part of this state machine's execution ARNs, and the action only reads")
                .build()));
        // The API starts shares and unshares and reads their executions the same way. None of these functions
        // is a state of the workflow, so the state machine's ARN in their environment makes no cycle.
        for (Stage entry : List.of(Stage.SHARE_TAG_CHANGED, Stage.NEW_ACCOUNT, Stage.SHARE_API)) {
            function(entry).getRole().attachInlinePolicy(starts);
            function(entry).addEnvironment("STATE_MACHINE_ARN", stateMachine.getStateMachineArn());
        }
    }

    /** The ARN pattern of every execution of the named state machine in {@code stack}'s account and region. */
    static String executionsOf(Stack stack, String stateMachineName) {
        return "arn:" + stack.getPartition() + ":states:" + stack.getRegion() + ":" + stack.getAccount()
                + ":execution:" + stateMachineName + ":*";
    }

    /**
     * A role that assumes consumer roles, only inside the perimeter: in accounts of its organization
     * ({@code aws:ResourceOrgID}, and {@code aws:ResourceOrgPaths} under its OUs), or in its named accounts.
     */
    private Role sharedRole(String id, String roleName, String description) {
        Role role = Role.Builder.create(this, id)
                .roleName(roleName)
                .description(description)
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        Perimeter perimeter = props.perimeter();
        String partition = stack.getPartition();
        if (perimeter.organizationId() != null) {
            PolicyStatement inOrganization = allow(List.of("sts:AssumeRole"),
                    List.of("arn:" + partition + ":iam::*:role/" + props.consumerRoleName()));
            inOrganization.addCondition("StringEquals", Map.of("aws:ResourceOrgID", perimeter.organizationId()));
            if (!perimeter.organizationalUnitIds().isEmpty()) {
                inOrganization.addCondition("ForAnyValue:StringLike", Map.of("aws:ResourceOrgPaths",
                        perimeter.organizationalUnitIds().stream()
                                .map(ou -> perimeter.organizationId() + "/*/" + ou + "/*").toList()));
            }
            role.addToPrincipalPolicy(inOrganization);
        }
        if (!perimeter.accountIds().isEmpty()) {
            role.addToPrincipalPolicy(allow(List.of("sts:AssumeRole"), perimeter.accountIds().stream()
                    .map(a -> "arn:" + partition + ":iam::" + a + ":role/" + props.consumerRoleName()).toList()));
        }
        return role;
    }

    /** What PerimeterGuard asks Organizations: whether an account is a member, and its OUs. */
    private List<PolicyStatement> perimeterReads() {
        String org = props.perimeter().organizationId();
        if (org == null) {
            return List.of();
        }
        String arn = "arn:" + stack.getPartition() + ":organizations::*:";
        // Many accounts at once are checked by listing the perimeter instead (PerimeterGuard): ListAccounts
        // has no resource type, the OU listings are scoped to the organization's OUs and root.
        return List.of(allow(List.of("organizations:DescribeAccount", "organizations:ListParents"),
                        List.of(arn + "account/" + org + "/*", arn + "ou/" + org + "/*")),
                allow(List.of("organizations:ListAccountsForParent", "organizations:ListChildren"),
                        List.of(arn + "ou/" + org + "/*", arn + "root/" + org + "/*")),
                allow(List.of("organizations:ListAccounts"), List.of("*")));
    }

    /**
     * Reading the executions' objects ({@code shares/<execution>/…}). With {@code s3:ListBucket} on the bucket a
     * missing object is a 404 {@code NoSuchKey}, which ShareStore names {@code ShareDataMissingException};
     * without it S3 answers 403 (S3 API Reference, GetObject, "Permissions") and an expired or never-written
     * object would be reported as a denied permission.
     */
    private List<PolicyStatement> shareReads() {
        return List.of(allow(List.of("s3:GetObject"), List.of(executionObjects())),
                allow(List.of("s3:ListBucket"), List.of(shareBucket.getBucketArn())));
    }

    /** Writing the executions' objects: only under {@code shares/}, never over the Maps' results. */
    private List<PolicyStatement> shareWrites() {
        return List.of(allow(List.of("s3:PutObject"), List.of(executionObjects())));
    }

    private String executionObjects() {
        return shareBucket.arnForObjects(Names.SHARE_DATA_PREFIX + "*");
    }

    /** Reading what the Distributed Maps' ResultWriters wrote: manifests and result files under map-runs/. */
    private List<PolicyStatement> mapResultReads() {
        return List.of(allow(List.of("s3:GetObject"),
                List.of(shareBucket.arnForObjects(Names.MAP_RESULTS_PREFIX + "/*"))));
    }

    /** The ledger's partition-key patterns: share records, grants, key leases (ShareLedger). */
    static final String SHARES = "SHARES";
    static final String GRANTS = "GRANT#*";
    static final String LEASES = "LEASE#*";
    static final String COPY_WAITS = "COPY#*";
    static final String IDEMPOTENCY = "IDEMPOTENCY#*";

    /**
     * Actions on the ledger table's items whose partition key matches one of {@code leadingKeys} only
     * ({@code dynamodb:LeadingKeys}, DynamoDB DeveloperGuide "specifying-conditions"): each function reaches
     * only the kinds of item it keeps, never another's (a copy's task token least of all).
     */
    private List<PolicyStatement> ledgerItems(List<String> actions, String... leadingKeys) {
        return List.of(PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(actions)
                .resources(List.of(ledger.getTableArn()))
                .conditions(Map.of("ForAllValues:StringLike", Map.of("dynamodb:LeadingKeys", List.of(leadingKeys))))
                .build());
    }

    /**
     * Whoever edits key policies takes and releases the key's lease (PutItem, DeleteItem) and records, reads
     * and deletes its grants (BatchWriteItem, Query); a revoke reads and deletes launch and snapshot grants too.
     */
    private List<PolicyStatement> keyLedgerItems() {
        return ledgerItems(List.of("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                "dynamodb:Query"), LEASES, GRANTS);
    }

    /**
     * The copy waiters store (PutItem), find (Query) and forget (DeleteItem) task tokens: only the ledger's
     * {@code COPY#} items, and no other function may touch those: with no other grant matching
     * {@code COPY#}, this role alone can read a token.
     */
    private List<PolicyStatement> copyWaitItems() {
        return ledgerItems(List.of("dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem"), COPY_WAITS);
    }

    /** Reading a share's record (who asked for it, its image), by its id. */
    private List<PolicyStatement> shareRecordReads() {
        return ledgerItems(List.of("dynamodb:GetItem"), SHARES);
    }

    /**
     * The API's ledger items, by partition: the share records ({@code SHARES}), its idempotency keys
     * ({@code IDEMPOTENCY#…}) and the grants an access report reads ({@code GRANT#…}); never a lease or a
     * copy waiter. It writes only idempotency keys, but IAM cannot tell PutItem's partitions from GetItem's
     * in one statement, and a second statement would not narrow it: the partitions are the boundary.
     */
    private List<PolicyStatement> apiLedgerItems() {
        return ledgerItems(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"), SHARES, IDEMPOTENCY,
                GRANTS);
    }

    public Table ledger() {
        return ledger;
    }

    public Bucket shareBucket() {
        return shareBucket;
    }

    /** The environment every function reads its configuration from. */
    private Map<String, String> environment() {
        Map<String, String> env = new java.util.LinkedHashMap<>(props.perimeter().environment());
        env.put(Names.ENV_OWNER_ACCOUNT_ID, stack.getAccount());
        if (props.managementAccountId() != null) {
            env.put(Names.ENV_MANAGEMENT_ACCOUNT_ID, props.managementAccountId());
        }
        if (props.externalId() != null) {
            env.put(Names.ENV_EXTERNAL_ID, props.externalId());
        }
        env.put(Names.ENV_SHARE_BUCKET, shareBucket.getBucketName());
        env.put(Names.ENV_LEDGER_TABLE, ledger.getTableName());
        return env;
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
                .environment(environment())
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

    /**
     * What the functions are built from.
     *
     * @param perimeter where they may share, written into every function's environment
     * @param externalId the external id of the consumer roles' trust policies, or null
     * @param managementAccountId where account-vending events come from, or null
     * @param workflowOptions the workflow's tunables, as the state machine is built with them: how long a
     *     copy's task token is kept follows its copy timeout
     */
    public record StageFunctionsProps(Path functionsJar, String consumerRoleName, Perimeter perimeter,
            String externalId, String managementAccountId, WorkflowOptions workflowOptions) {

        public StageFunctionsProps {
            Objects.requireNonNull(functionsJar, "functionsJar");
            Objects.requireNonNull(consumerRoleName, "consumerRoleName");
            Objects.requireNonNull(perimeter, "perimeter");
            Objects.requireNonNull(workflowOptions, "workflowOptions");
        }
    }
}
