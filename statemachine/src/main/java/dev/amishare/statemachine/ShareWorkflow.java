package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import software.amazon.awscdk.services.stepfunctions.Chain;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * The sharing workflow, chained from its fragments in the order a share happens:
 *
 * <ol>
 *   <li><b>Unshare?</b>: an input naming {@code unshare} takes one share back instead ({@link Unshare}).</li>
 *   <li><b>Prepare share</b>: check the request, list the OUs' accounts it copies into, read the AMI, its
 *       snapshots and keys and the access the targets already have; write the target list to S3. It grants
 *       nothing, so its failure ends the execution at once.</li>
 *   <li>{@link TargetChecks}: every target's readiness as its consumer role, before any grant; only the
 *       ready ones go on, the others are reported "not ready" with every reason and get nothing.</li>
 *   <li>{@link OwnerGrants}: launch permission, key policies, snapshot permissions for the ready targets,
 *       in a number of calls independent of how many there are.</li>
 *   <li>{@link TargetFanOut}: per ready target, a child execution: validation as its consumer role and
 *       its copies ({@link CopyAndAwait}).</li>
 *   <li><b>Write share report</b>: one outcome per target to S3, and the bounded summary, which is the
 *       execution's output when the failures are within the request's tolerance; otherwise the
 *       execution fails with {@code TargetsFailedException} ({@link Rollback}).</li>
 * </ol>
 *
 * <h2>Retries</h2>
 * Only what is transient is retried, with bounded exponential backoff and full jitter (see {@link Throttling}):
 * amishare's {@code TransientException}s by fully-qualified name, as the Lambda Java runtime reports them
 * (throttling tuned per task to the API's token bucket, AWS-side failures, a new copy not listed yet), and
 * Lambda's own service errors. Quota, validation, permission and every other {@code TerminalException} are
 * never retried: the same input would fail the same way.
 *
 * <h2>Size</h2>
 * A Standard execution keeps at most 25,000 history events and 256 KB per state. Here neither grows with
 * the number of targets: the target list, the ready targets, the Maps' results and the report live in
 * S3, each Map's result is its Map Run and manifest location, and the grant stages return counts. The
 * parent takes about 40 events for any number of targets; each target's events are in its own child
 * execution.
 */
public final class ShareWorkflow extends Construct {

    private final StateMachine stateMachine;

    public ShareWorkflow(Construct scope, String id, ShareWorkflowProps props) {
        super(scope, id);
        Rollback rollback = new Rollback(this, "Rollback", props.function(Stage.REVOKE));

        LambdaInvoke prepare = Tasks.first(this, Stage.PREPARE, props.function(Stage.PREPARE), Throttling.READS,
                Payloads.of("request", JsonPath.objectAt("$"), "executionId", JsonPath.stringAt("$$.Execution.Name")));
        // The state from here on: {prepared, checks, ready, launchPermission, keyPolicy, snapshots, results, summary}.
        prepare.addCatch(rollback.failed(), Rollback.caught());

        TargetChecks checks = new TargetChecks(this, "Checks", props);
        OwnerGrants grants = new OwnerGrants(this, "OwnerGrants", props, rollback);
        TargetFanOut fanOut = new TargetFanOut(this, "Targets", props);

        LambdaInvoke report = Tasks.stage(this, Stage.REPORT, props.function(Stage.REPORT), Throttling.READS,
                Payloads.of(
                        "imageId", Payloads.Prepared.imageId(),
                        "executionId", Payloads.Prepared.executionId(),
                        "dryRun", Payloads.Prepared.dryRun(),
                        "toleratedFailurePercentage",
                        JsonPath.numberAt("$.prepared.request.toleratedFailurePercentage"),
                        "targets", Payloads.Prepared.targets(),
                        "notReady", JsonPath.objectAt("$.ready.notReady"),
                        "results", JsonPath.objectAt("$.results")), "$.summary");
        fanOut.onMapFailure(report);
        // The report is the record of what was granted; a report that cannot be written fails the share.
        report.addCatch(rollback.failed(), Rollback.caught());

        Pass nothingToGrant = Pass.Builder.create(this, "Nothing to grant")
                .comment("No account is ready and the request names no organization or OU.")
                .result(Result.fromObject(Payloads.of()))
                .resultPath("$.results")
                .build();
        Choice anyToGrant = Choice.Builder.create(this, "Anybody to grant?").build()
                .when(Condition.booleanEquals("$.ready.anyToGrant", true), grants)
                .otherwise(nothingToGrant.next(report));

        Pass summary = Pass.Builder.create(this, "Share summary")
                .comment("The output of the execution: counts, the failed targets, the report's S3 URI.")
                .outputPath("$.summary")
                .build();
        Choice withinTolerance = Choice.Builder.create(this, "Within tolerance?").build()
                .when(Condition.booleanEquals("$.summary.withinTolerance", true),
                        summary.next(new Succeed(this, "Shared")))
                .otherwise(rollback.targetsFailed());

        Unshare unshare = new Unshare(this, "Unshare", props.function(Stage.REVOKE));
        Choice unshareAsked = Choice.Builder.create(this, "Unshare?").build()
                .when(Unshare.asked(), unshare)
                .otherwise(prepare);
        prepare.next(checks).next(anyToGrant);
        Chain definition = Chain.start(unshareAsked);
        grants.next(fanOut).next(report).next(withinTolerance);

        stateMachine = StateMachine.Builder.create(this, "StateMachine")
                .stateMachineType(StateMachineType.STANDARD)
                .definitionBody(DefinitionBody.fromChainable(definition))
                .tracingEnabled(true)
                // Errors only and no execution data: payloads carry task tokens (Await copy's input) and
                // the report; the execution history keeps them for those allowed to read it.
                .logs(LogOptions.builder().destination(props.logGroup()).level(LogLevel.ERROR)
                        .includeExecutionData(false).build())
                .build();
        // No bucket grant here: each Distributed Map's ItemReader and ResultWriter grant the role exactly
        // the S3 actions they use, on the share bucket (ShareBucketTest); a grantReadWrite would add deletes.
    }

    public StateMachine stateMachine() {
        return stateMachine;
    }
}
