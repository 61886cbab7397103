package dev.amishare.statemachine;

import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.CopyFailedException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.stepfunctions.Chain;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.IntegrationPattern;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.TaskInput;
import software.amazon.awscdk.services.stepfunctions.Timeout;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * The sharing workflow, read top to bottom like the sharing procedure:
 *
 * <ol>
 *   <li><b>Prepare share</b>: check the request, read the AMI, its snapshots and their keys.</li>
 *   <li><b>Grant launch permission</b> to every target account, organization and OU.</li>
 *   <li><b>Encrypted?</b> → <b>Patch key policies</b> of the AMI's customer-managed keys; an unencrypted
 *       AMI has no key to patch and skips it.</li>
 *   <li><b>Any copy?</b> → <b>Share snapshots</b> with the accounts that copy; launch-only shares skip it
 *       (launching needs no snapshot permission).</li>
 *   <li><b>For each target</b> (inline Map, {@code MaxConcurrency} configurable): <b>Validate consumer</b>,
 *       then <b>For each region</b>: <b>Copy image</b> → <b>Dry run?</b> → <b>Await copy</b> → <b>Copy
 *       report</b>; then <b>Keys of target</b> and <b>Snapshots of target</b> (per key and snapshot, whether
 *       this target was added or had it already) and <b>Target report</b>.</li>
 *   <li><b>Share report</b>, the output of the execution, then <b>Shared</b>.</li>
 * </ol>
 *
 * <h2>Waiting for a copy without polling</h2>
 * EC2 emits "EC2 AMI State Change" ({@code available} / {@code failed}) in the account and region of the
 * copy. The consumer stack forwards it to the owner account's event bus, whose rule invokes
 * {@code CopyEventHandler}. <b>Await copy</b> invokes {@code AwaitCopyHandler} with
 * {@code waitForTaskToken}: it stores the task token under (account, region, image id) in SSM Parameter
 * Store, then reads the copy's state once; a copy already {@code available} or {@code failed} (it
 * finished before the token was stored, or the event was lost) resumes the task at once. Storing before
 * reading closes the race: an event that arrives after the read finds the token, one that arrived before
 * is covered by the read. {@code CopyEventHandler} answers SendTaskSuccess with a CopyStatusResult, or
 * SendTaskFailure with {@link CopyFailedException}'s name for {@code failed}, and deletes the token.
 * <p>
 * EventBridge delivers best effort, so the wait has a safety net: nobody sends heartbeats, so
 * {@code HeartbeatSeconds} (the re-check interval) ends a silent wait with {@code States.HeartbeatTimeout},
 * which is retried: the handler runs again, stores a new token and re-reads the state. The retry count
 * bounds the whole wait to about the copy timeout; {@code TimeoutSeconds} caps a single wait at the same
 * value should anything ever send heartbeats. A polling Wait/Choice loop would cost two state transitions
 * and a Lambda call per poll for copies that take tens of minutes; the task token costs one per re-check.
 *
 * <h2>Retries</h2>
 * Only {@link AwsThrottledException} (by its fully-qualified name, as the Lambda Java runtime reports it) is
 * retried, with exponential backoff and full jitter, tuned per task to the API's token bucket (see
 * {@link Throttling}). Validation, permission and every other {@code TerminalException} are never retried:
 * the same input would fail the same way. CDK's LambdaInvoke also retries Lambda's own service errors.
 *
 * <h2>Failure</h2>
 * Every task after Prepare catches {@code States.ALL} (after its retries) into {@code $.error}
 * ({@code Error}, {@code Cause}). With {@code rollbackOnFailure: true} on a real run (not a dry run),
 * <b>Revoke grants</b> removes the launch permission, key-policy statements and snapshot permissions of
 * this request's targets (dryRun false), except the access Prepare found already in place
 * ({@code $.prepared.baseline}, passed as {@code keep}), so only what this execution granted goes; then <b>Share failed</b> ends the execution with the caught error
 * and cause. Prepare grants nothing, so its failure goes straight to <b>Share failed</b>. A failed revoke
 * is kept in {@code $.rollbackError} and the execution still fails with the original error.
 * <p>
 * A failing target (validation, copy, a failed copy) fails its iteration and therefore the inline Map,
 * which stops the other iterations: their pending Lambda calls and waits end, but copies EC2 already
 * started keep running in the targets' accounts (they belong to the targets; amishare never deregisters
 * their images). The Map's catch then takes the same failure path, so one bad target fails the whole
 * request visibly instead of producing a half-successful report.
 *
 * <h2>Size</h2>
 * A Standard execution keeps at most 25,000 history events and 256 KB per state. One copy costs about 15
 * events (plus 5 per re-check) and one target about 40 before its copies, so a request of a few hundred
 * targets fits; the report carries ids, flags and check reasons only (a few hundred bytes per copy). Larger
 * fleets are better shared with an organization or OU ARN (one principal) or split into several requests.
 */
public final class ShareWorkflow extends Construct {

    /** The error type the Lambda Java runtime reports for a throttled AWS call: the class's full name. */
    static final String THROTTLED = AwsThrottledException.class.getName();

    /** The error Await copy fails with when EC2 reports the copy {@code failed}. */
    public static final String COPY_FAILED = CopyFailedException.class.getName();

    private final StateMachine stateMachine;

    public ShareWorkflow(Construct scope, String id, ShareWorkflowProps props) {
        super(scope, id);
        stateMachine = StateMachine.Builder.create(this, "StateMachine")
                .stateMachineType(StateMachineType.STANDARD)
                .definitionBody(DefinitionBody.fromChainable(definition(props)))
                .tracingEnabled(true)
                .logs(LogOptions.builder().destination(props.logGroup()).level(LogLevel.ALL)
                        .includeExecutionData(true).build())
                .build();
    }

    public StateMachine stateMachine() {
        return stateMachine;
    }

    /**
     * Backoff per API, from the token buckets (burst / refill per second) AWS documents. A throttled stage
     * has emptied its bucket; waiting about as long as the bucket needs to refill for the next calls, and
     * jittering fully so that concurrent executions and Map iterations do not retry in lockstep.
     */
    enum Throttling {
        /** DescribeImages 20/s, DescribeSnapshots, KMS DescribeKey 100/s: reads refill fast. */
        READS(1, 5, 20),
        /** ModifyImageAttribute and ModifySnapshotAttribute refill at 5/s after a 100-call burst. */
        EC2_MODIFY(2, 5, 30),
        /**
         * KMS PutKeyPolicy 5/s (and GetKeyPolicy with it); a key can be edited by several executions, so
         * one more attempt than EC2's.
         */
        KMS_POLICY(2, 6, 30),
        /** CopyImage refills at 1/s only: start at 5 s, cap at a minute. */
        COPY_IMAGE(5, 6, 60);

        final int intervalSeconds;
        final int maxAttempts;
        final int maxDelaySeconds;

        Throttling(int intervalSeconds, int maxAttempts, int maxDelaySeconds) {
            this.intervalSeconds = intervalSeconds;
            this.maxAttempts = maxAttempts;
            this.maxDelaySeconds = maxDelaySeconds;
        }

        RetryProps retry() {
            return RetryProps.builder()
                    .errors(List.of(THROTTLED))
                    .interval(Duration.seconds(intervalSeconds))
                    .backoffRate(2)
                    .maxAttempts(maxAttempts)
                    .maxDelay(Duration.seconds(maxDelaySeconds))
                    .jitterStrategy(JitterType.FULL)
                    .build();
        }
    }

    private IChainable definition(ShareWorkflowProps props) {
        Fail failed = Fail.Builder.create(this, "Share failed")
                .comment("Ends the execution with the caught error and cause.")
                .errorPath("$.error.Error")
                .causePath("$.error.Cause")
                .build();

        LambdaInvoke revoke = task("Revoke grants", props.revoke(), Throttling.KMS_POLICY, TaskInput.fromObject(Map.of(
                "imageId", JsonPath.stringAt("$.prepared.request.imageId"),
                "accountIds", JsonPath.listAt("$.prepared.accountIds"),
                "organizationArns", JsonPath.listAt("$.prepared.request.organizationArns"),
                "organizationalUnitArns", JsonPath.listAt("$.prepared.request.organizationalUnitArns"),
                "keyArns", JsonPath.listAt("$.prepared.customerManagedKeyArns"),
                "snapshotIds", JsonPath.listAt("$.prepared.snapshots[*].snapshotId"),
                // Rollback undoes a real run; a dry run granted nothing and never reaches here.
                "dryRun", false,
                // What the targets had before this execution stays: rollback takes back only what it granted.
                "keep", JsonPath.objectAt("$.prepared.baseline"),
                "executionId", JsonPath.stringAt("$.prepared.executionId"))), "$.rollback");
        // A failed revoke must not hide the error that caused it: keep it aside and fail with the original.
        revoke.addCatch(failed, CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.rollbackError").build());
        revoke.next(failed);

        Choice rollback = Choice.Builder.create(this, "Roll back?").build()
                .when(Condition.and(
                        Condition.booleanEquals("$.prepared.request.rollbackOnFailure", true),
                        Condition.booleanEquals("$.prepared.request.dryRun", false)), revoke)
                .otherwise(failed);

        LambdaInvoke prepare = task("Prepare share", props.prepare(), Throttling.READS, TaskInput.fromObject(Map.of(
                "request", JsonPath.objectAt("$"),
                "executionId", JsonPath.stringAt("$$.Execution.Name"))), null);
        // The state from here on: {prepared, launchPermission, keyPolicy, snapshots, targets}.
        prepare.addCatch(failed, CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.error").build());

        LambdaInvoke grant = task("Grant launch permission", props.grantLaunchPermission(), Throttling.EC2_MODIFY,
                TaskInput.fromObject(Map.of(
                        "imageId", JsonPath.stringAt("$.prepared.request.imageId"),
                        "accountIds", JsonPath.listAt("$.prepared.accountIds"),
                        "organizationArns", JsonPath.listAt("$.prepared.request.organizationArns"),
                        "organizationalUnitArns", JsonPath.listAt("$.prepared.request.organizationalUnitArns"),
                        "dryRun", JsonPath.stringAt("$.prepared.request.dryRun"),
                        "executionId", JsonPath.stringAt("$.prepared.executionId"))), "$.launchPermission");

        LambdaInvoke keyPolicy = task("Patch key policies", props.keyPolicy(), Throttling.KMS_POLICY,
                TaskInput.fromObject(Map.of(
                        "keyArns", JsonPath.listAt("$.prepared.customerManagedKeyArns"),
                        "accountIds", JsonPath.listAt("$.prepared.accountIds"),
                        "organizationArns", JsonPath.listAt("$.prepared.request.organizationArns"),
                        "organizationalUnitArns", JsonPath.listAt("$.prepared.request.organizationalUnitArns"),
                        "dryRun", JsonPath.stringAt("$.prepared.request.dryRun"),
                        "executionId", JsonPath.stringAt("$.prepared.executionId"))), "$.keyPolicy");
        Pass noKey = Pass.Builder.create(this, "No key policy to patch")
                .comment("An unencrypted AMI has no key; the report lists no key change.")
                .parameters(Map.of("keys", List.of(), "dryRun", JsonPath.stringAt("$.prepared.request.dryRun")))
                .resultPath("$.keyPolicy")
                .build();

        LambdaInvoke snapshots = task("Share snapshots", props.shareSnapshots(), Throttling.EC2_MODIFY,
                TaskInput.fromObject(Map.of(
                        "snapshotIds", JsonPath.listAt("$.prepared.snapshots[*].snapshotId"),
                        "accountIds", JsonPath.listAt("$.prepared.copyingAccountIds"),
                        "dryRun", JsonPath.stringAt("$.prepared.request.dryRun"),
                        "executionId", JsonPath.stringAt("$.prepared.executionId"))), "$.snapshots");
        Pass noSnapshot = Pass.Builder.create(this, "No snapshot to share")
                .comment("Launching a shared AMI needs no snapshot permission; only copying does.")
                .parameters(Map.of("snapshots", List.of(), "dryRun", JsonPath.stringAt("$.prepared.request.dryRun")))
                .resultPath("$.snapshots")
                .build();

        software.amazon.awscdk.services.stepfunctions.Map targets = forEachTarget(props);

        Pass report = Pass.Builder.create(this, "Share report")
                .comment("The output of the execution: what was granted, validated and copied, per target.")
                .parameters(Map.of(
                        "imageId", JsonPath.stringAt("$.prepared.request.imageId"),
                        "sourceRegion", JsonPath.stringAt("$.prepared.request.sourceRegion"),
                        "ownerAccountId", JsonPath.stringAt("$.prepared.ownerAccountId"),
                        "dryRun", JsonPath.stringAt("$.prepared.request.dryRun"),
                        "launchPermission", JsonPath.objectAt("$.launchPermission"),
                        "keys", JsonPath.listAt("$.keyPolicy.keys"),
                        "snapshots", JsonPath.listAt("$.snapshots.snapshots"),
                        "targets", JsonPath.listAt("$.targets")))
                .build();

        for (LambdaInvoke stage : List.of(grant, keyPolicy, snapshots)) {
            stage.addCatch(rollback, CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.error").build());
        }
        targets.addCatch(rollback, CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.error").build());

        Chain afterSnapshots = Chain.start(targets).next(report).next(new Succeed(this, "Shared"));
        Choice anyCopy = Choice.Builder.create(this, "Any copy?").build()
                .when(Condition.isPresent("$.prepared.copyingAccountIds[0]"), snapshots.next(afterSnapshots))
                .otherwise(noSnapshot.next(afterSnapshots));
        Choice encrypted = Choice.Builder.create(this, "Encrypted?").build()
                .when(Condition.booleanEquals("$.prepared.encrypted", true), keyPolicy.next(anyCopy))
                .otherwise(noKey.next(anyCopy));
        return Chain.start(prepare).next(grant).next(encrypted);
    }

    private software.amazon.awscdk.services.stepfunctions.Map forEachTarget(ShareWorkflowProps props) {
        LambdaInvoke validate = task("Validate consumer", props.validateConsumer(), Throttling.READS,
                TaskInput.fromObject(Map.of(
                        "imageId", JsonPath.stringAt("$.imageId"),
                        "sourceRegion", JsonPath.stringAt("$.sourceRegion"),
                        "accountId", JsonPath.stringAt("$.target.accountId"),
                        "consumerRoleName", JsonPath.stringAt("$.consumerRoleName"),
                        "externalId", JsonPath.stringAt("$.externalId"),
                        "ownerKeyArns", JsonPath.listAt("$.ownerKeyArns"),
                        "copy", JsonPath.listAt("$.target.copy"),
                        "executionId", JsonPath.stringAt("$.executionId"))), "$.validation");

        LambdaInvoke copy = task("Copy image", props.copyImage(), Throttling.COPY_IMAGE, TaskInput.fromObject(Map.ofEntries(
                Map.entry("sourceImageId", JsonPath.stringAt("$.imageId")),
                Map.entry("sourceRegion", JsonPath.stringAt("$.sourceRegion")),
                Map.entry("ownerAccountId", JsonPath.stringAt("$.ownerAccountId")),
                Map.entry("imageName", JsonPath.stringAt("$.imageName")),
                Map.entry("accountId", JsonPath.stringAt("$.accountId")),
                Map.entry("region", JsonPath.stringAt("$.copy.region")),
                Map.entry("kmsKeyId", JsonPath.stringAt("$.copy.kmsKeyId")),
                Map.entry("consumerRoleName", JsonPath.stringAt("$.consumerRoleName")),
                Map.entry("externalId", JsonPath.stringAt("$.externalId")),
                Map.entry("dryRun", JsonPath.stringAt("$.dryRun")),
                Map.entry("executionId", JsonPath.stringAt("$.executionId")))), "$.started");

        long recheck = props.copyRecheckInterval().toSeconds().longValue();
        long timeout = props.copyTimeout().toSeconds().longValue();
        LambdaInvoke await = LambdaInvoke.Builder.create(this, "Await copy")
                .comment("Resumed by CopyEventHandler on EC2's AMI state change, or at once when the copy is done.")
                .lambdaFunction(props.awaitCopy())
                .integrationPattern(IntegrationPattern.WAIT_FOR_TASK_TOKEN)
                .payload(TaskInput.fromObject(Map.of(
                        "taskToken", JsonPath.getTaskToken(),
                        "accountId", JsonPath.stringAt("$.started.accountId"),
                        "region", JsonPath.stringAt("$.started.region"),
                        "imageId", JsonPath.stringAt("$.started.imageId"),
                        "consumerRoleName", JsonPath.stringAt("$.consumerRoleName"),
                        "externalId", JsonPath.stringAt("$.externalId"),
                        "executionId", JsonPath.stringAt("$.executionId"))))
                .heartbeatTimeout(Timeout.duration(Duration.seconds(recheck)))
                .taskTimeout(Timeout.duration(Duration.seconds(timeout)))
                .resultPath("$.status")
                .build();
        // A silent wait (event lost, or never sent) is re-checked: the retry stores a new token and reads the
        // state again. No backoff: the heartbeat interval already spaces the re-checks.
        await.addRetry(RetryProps.builder()
                .errors(List.of(Errors.HEARTBEAT_TIMEOUT))
                .interval(Duration.seconds(1))
                .backoffRate(1)
                .maxAttempts((int) Math.max(1, (timeout + recheck - 1) / recheck))
                .build());
        await.addRetry(Throttling.READS.retry());

        Pass dryRunCopy = Pass.Builder.create(this, "Nothing to await")
                .comment("A dry run starts no copy.")
                .result(Result.fromObject(Map.of("state", "dryRun")))
                .resultPath("$.status")
                .build();
        Pass copyReport = Pass.Builder.create(this, "Copy report")
                .comment("The copy as started (account, region, key, image id) with its final state and reason.")
                .parameters(Map.of("copy", JsonPath.jsonMerge(JsonPath.objectAt("$.started"),
                        JsonPath.objectAt("$.status"))))
                .outputPath("$.copy")
                .build();
        Choice dryRun = Choice.Builder.create(this, "Dry run?").build()
                .when(Condition.stringEquals("$.started.state", "dryRun"), dryRunCopy.next(copyReport))
                .otherwise(await.next(copyReport));

        software.amazon.awscdk.services.stepfunctions.Map regions =
                software.amazon.awscdk.services.stepfunctions.Map.Builder.create(this, "For each region")
                        .comment("Regions of one target copy in parallel: EC2 throttles per account and region.")
                        .itemsPath("$.target.copy")
                        .itemSelector(Map.of(
                                "copy", JsonPath.objectAt("$$.Map.Item.Value"),
                                "accountId", JsonPath.stringAt("$.target.accountId"),
                                "imageId", JsonPath.stringAt("$.imageId"),
                                "sourceRegion", JsonPath.stringAt("$.sourceRegion"),
                                "ownerAccountId", JsonPath.stringAt("$.ownerAccountId"),
                                "imageName", JsonPath.stringAt("$.imageName"),
                                "consumerRoleName", JsonPath.stringAt("$.consumerRoleName"),
                                "externalId", JsonPath.stringAt("$.externalId"),
                                "dryRun", JsonPath.stringAt("$.dryRun"),
                                "executionId", JsonPath.stringAt("$.executionId")))
                        .resultPath("$.copies")
                        .build();
        regions.itemProcessor(Chain.start(copy).next(dryRun));

        // What the owner-side stages changed for this target: per key and per snapshot, whether this target
        // was added now or had it already. A one-Pass Map each, as JSONPath cannot filter by a variable.
        software.amazon.awscdk.services.stepfunctions.Map keys = perTarget("Keys of target", "$.keyPolicy.keys",
                "keyArn", "$.targetKeys");
        software.amazon.awscdk.services.stepfunctions.Map snapshotsOfTarget = perTarget("Snapshots of target",
                "$.snapshots.snapshots", "snapshotId", "$.targetSnapshots");

        Pass targetReport = Pass.Builder.create(this, "Target report")
                .parameters(Map.of(
                        "accountId", JsonPath.stringAt("$.target.accountId"),
                        "launchPermission", Map.of(
                                "added", JsonPath.arrayContains(JsonPath.listAt("$.launchPermission.added"),
                                        JsonPath.stringAt("$.target.accountId")),
                                "alreadyPresent", JsonPath.arrayContains(
                                        JsonPath.listAt("$.launchPermission.alreadyPresent"),
                                        JsonPath.stringAt("$.target.accountId"))),
                        "keys", JsonPath.listAt("$.targetKeys"),
                        "snapshots", JsonPath.listAt("$.targetSnapshots"),
                        "roleArn", JsonPath.stringAt("$.validation.roleArn"),
                        "checks", JsonPath.listAt("$.validation.checks"),
                        "copies", JsonPath.listAt("$.copies")))
                .build();

        software.amazon.awscdk.services.stepfunctions.Map targets =
                software.amazon.awscdk.services.stepfunctions.Map.Builder.create(this, "For each target")
                        .comment("Validate each target as its consumer role, then copy into its regions.")
                        .itemsPath("$.prepared.request.targets")
                        .maxConcurrency(props.maxConcurrentTargets())
                        .itemSelector(Map.ofEntries(
                                Map.entry("target", JsonPath.objectAt("$$.Map.Item.Value")),
                                Map.entry("imageId", JsonPath.stringAt("$.prepared.request.imageId")),
                                Map.entry("sourceRegion", JsonPath.stringAt("$.prepared.request.sourceRegion")),
                                Map.entry("ownerAccountId", JsonPath.stringAt("$.prepared.ownerAccountId")),
                                Map.entry("imageName", JsonPath.stringAt("$.prepared.imageName")),
                                Map.entry("consumerRoleName", JsonPath.stringAt("$.prepared.request.consumerRoleName")),
                                Map.entry("externalId", JsonPath.stringAt("$.prepared.request.externalId")),
                                Map.entry("ownerKeyArns", JsonPath.listAt("$.prepared.customerManagedKeyArns")),
                                Map.entry("dryRun", JsonPath.stringAt("$.prepared.request.dryRun")),
                                Map.entry("executionId", JsonPath.stringAt("$.prepared.executionId")),
                                // Only for the target report's per-target flags.
                                Map.entry("launchPermission", JsonPath.objectAt("$.launchPermission")),
                                Map.entry("keyPolicy", JsonPath.objectAt("$.keyPolicy")),
                                Map.entry("snapshots", JsonPath.objectAt("$.snapshots"))))
                        .resultPath("$.targets")
                        .build();
        targets.itemProcessor(Chain.start(validate).next(regions).next(keys).next(snapshotsOfTarget).next(targetReport));
        return targets;
    }

    /**
     * A Map over an owner-side result list ({@code itemsPath}, entries with {@code added} and
     * {@code alreadyPresent} account lists) that keeps, per entry, its id and whether the iteration's target
     * is among them.
     */
    private software.amazon.awscdk.services.stepfunctions.Map perTarget(String name, String itemsPath, String idField,
            String resultPath) {
        software.amazon.awscdk.services.stepfunctions.Map map =
                software.amazon.awscdk.services.stepfunctions.Map.Builder.create(this, name)
                        .itemsPath(itemsPath)
                        .itemSelector(Map.of(
                                idField, JsonPath.stringAt("$$.Map.Item.Value." + idField),
                                "added", JsonPath.arrayContains(JsonPath.listAt("$$.Map.Item.Value.added"),
                                        JsonPath.stringAt("$.target.accountId")),
                                "alreadyPresent", JsonPath.arrayContains(
                                        JsonPath.listAt("$$.Map.Item.Value.alreadyPresent"),
                                        JsonPath.stringAt("$.target.accountId"))))
                        .resultPath(resultPath)
                        .build();
        map.itemProcessor(new Pass(this, name + " entry"));
        return map;
    }

    /**
     * A stage function called with the Lambda payload as the task's result (no invocation metadata), written
     * to {@code resultPath}, retried on throttling as {@code throttling} says.
     */
    private LambdaInvoke task(String name, IFunction function,
            Throttling throttling, TaskInput payload, String resultPath) {
        LambdaInvoke.Builder builder = LambdaInvoke.Builder.create(this, name)
                .lambdaFunction(function)
                .payloadResponseOnly(true)
                .payload(payload);
        if (resultPath != null) {
            builder.resultPath(resultPath);
        } else {
            builder.resultSelector(Map.of("prepared", JsonPath.objectAt("$")));
        }
        LambdaInvoke task = builder.build();
        task.addRetry(throttling.retry());
        return task;
    }

    /**
     * What the workflow is built from: one function per stage, the log group, and the options. The owner
     * stack creates the functions (with their roles) and passes them here.
     *
     * @param prepare {@code prepare.PrepareHandler}
     * @param grantLaunchPermission {@code launch.GrantLaunchPermissionHandler}
     * @param keyPolicy {@code keypolicy.KeyPolicyHandler}
     * @param shareSnapshots {@code snapshots.ShareSnapshotsHandler}
     * @param validateConsumer {@code consumer.ValidateConsumerHandler}
     * @param copyImage {@code copy.CopyImageHandler}
     * @param awaitCopy {@code copy.AwaitCopyHandler}, invoked with a task token
     * @param revoke {@code revoke.RevokeHandler}, for the rollback
     * @param logGroup where the state machine logs every execution
     * @param maxConcurrentTargets targets validated and copied at once (default 10; an inline Map runs at
     *     most 40 iterations at once anyway)
     * @param copyRecheckInterval how long a copy may be silent before its state is read again (default 15 min)
     * @param copyTimeout how long a copy may take in all (default 8 h)
     */
    public record ShareWorkflowProps(
            IFunction prepare,
            IFunction grantLaunchPermission,
            IFunction keyPolicy,
            IFunction shareSnapshots,
            IFunction validateConsumer,
            IFunction copyImage,
            IFunction awaitCopy,
            IFunction revoke,
            ILogGroup logGroup,
            Integer maxConcurrentTargets,
            Duration copyRecheckInterval,
            Duration copyTimeout) {

        public ShareWorkflowProps {
            Objects.requireNonNull(prepare, "prepare");
            Objects.requireNonNull(grantLaunchPermission, "grantLaunchPermission");
            Objects.requireNonNull(keyPolicy, "keyPolicy");
            Objects.requireNonNull(shareSnapshots, "shareSnapshots");
            Objects.requireNonNull(validateConsumer, "validateConsumer");
            Objects.requireNonNull(copyImage, "copyImage");
            Objects.requireNonNull(awaitCopy, "awaitCopy");
            Objects.requireNonNull(revoke, "revoke");
            Objects.requireNonNull(logGroup, "logGroup");
            maxConcurrentTargets = maxConcurrentTargets == null ? 10 : maxConcurrentTargets;
            if (maxConcurrentTargets < 1 || maxConcurrentTargets > 40) {
                throw new IllegalArgumentException("maxConcurrentTargets must be 1..40 (inline Map limit)");
            }
            copyRecheckInterval = copyRecheckInterval == null ? Duration.minutes(15) : copyRecheckInterval;
            copyTimeout = copyTimeout == null ? Duration.hours(8) : copyTimeout;
            if (copyRecheckInterval.toSeconds().longValue() >= copyTimeout.toSeconds().longValue()) {
                throw new IllegalArgumentException("copyRecheckInterval must be shorter than copyTimeout");
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builder of {@link ShareWorkflowProps}. */
        public static final class Builder {
            private IFunction prepare;
            private IFunction grantLaunchPermission;
            private IFunction keyPolicy;
            private IFunction shareSnapshots;
            private IFunction validateConsumer;
            private IFunction copyImage;
            private IFunction awaitCopy;
            private IFunction revoke;
            private ILogGroup logGroup;
            private Integer maxConcurrentTargets;
            private Duration copyRecheckInterval;
            private Duration copyTimeout;

            public Builder prepare(IFunction function) {
                this.prepare = function;
                return this;
            }

            public Builder grantLaunchPermission(IFunction function) {
                this.grantLaunchPermission = function;
                return this;
            }

            public Builder keyPolicy(IFunction function) {
                this.keyPolicy = function;
                return this;
            }

            public Builder shareSnapshots(IFunction function) {
                this.shareSnapshots = function;
                return this;
            }

            public Builder validateConsumer(IFunction function) {
                this.validateConsumer = function;
                return this;
            }

            public Builder copyImage(IFunction function) {
                this.copyImage = function;
                return this;
            }

            public Builder awaitCopy(IFunction function) {
                this.awaitCopy = function;
                return this;
            }

            public Builder revoke(IFunction function) {
                this.revoke = function;
                return this;
            }

            public Builder logGroup(ILogGroup logGroup) {
                this.logGroup = logGroup;
                return this;
            }

            public Builder maxConcurrentTargets(Integer maxConcurrentTargets) {
                this.maxConcurrentTargets = maxConcurrentTargets;
                return this;
            }

            public Builder copyRecheckInterval(Duration copyRecheckInterval) {
                this.copyRecheckInterval = copyRecheckInterval;
                return this;
            }

            public Builder copyTimeout(Duration copyTimeout) {
                this.copyTimeout = copyTimeout;
                return this;
            }

            public ShareWorkflowProps build() {
                return new ShareWorkflowProps(prepare, grantLaunchPermission, keyPolicy, shareSnapshots,
                        validateConsumer, copyImage, awaitCopy, revoke, logGroup, maxConcurrentTargets,
                        copyRecheckInterval, copyTimeout);
            }
        }
    }
}
