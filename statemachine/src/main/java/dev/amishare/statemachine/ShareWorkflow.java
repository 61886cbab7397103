package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import software.amazon.awscdk.services.stepfunctions.Chain;
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
 *   <li><b>Prepare share</b>: check the request, read the AMI, its snapshots and their keys, and the access
 *       the targets already have. It grants nothing, so its failure ends the execution at once.</li>
 *   <li>{@link OwnerGrants}: launch permission, key policies, snapshot permissions in the owner account.</li>
 *   <li>{@link TargetFanOut}: per target, validation as its consumer role and the copies
 *       ({@link CopyAndAwait}), then the target's report.</li>
 *   <li><b>Share report</b>, the output of the execution, then <b>Shared</b>.</li>
 * </ol>
 * Every error after Prepare (after its retries) takes the {@link Rollback} path.
 *
 * <h2>Retries</h2>
 * Only what is transient is retried, with bounded exponential backoff and full jitter (see {@link Throttling}):
 * amishare's {@code TransientException}s by fully-qualified name, as the Lambda Java runtime reports them
 * (throttling tuned per task to the API's token bucket, AWS-side failures, a new copy not listed yet), and
 * Lambda's own service errors. Quota, validation, permission and every other {@code TerminalException} are
 * never retried: the same input would fail the same way.
 *
 * <h2>Size</h2>
 * A Standard execution keeps at most 25,000 history events and 256 KB per state. One copy costs about 15
 * events (plus 5 per re-check) and one target about 40 before its copies, so a request of a few hundred
 * targets fits; the report carries ids, flags and check reasons only (a few hundred bytes per copy). Larger
 * fleets are better shared with an organization or OU ARN (one principal) or split into several requests.
 */
public final class ShareWorkflow extends Construct {

    private final StateMachine stateMachine;

    public ShareWorkflow(Construct scope, String id, ShareWorkflowProps props) {
        super(scope, id);
        Rollback rollback = new Rollback(this, "Rollback", props.function(Stage.REVOKE));

        LambdaInvoke prepare = Tasks.first(this, Stage.PREPARE, props.function(Stage.PREPARE), Throttling.READS,
                Payloads.of("request", JsonPath.objectAt("$"), "executionId", JsonPath.stringAt("$$.Execution.Name")));
        // The state from here on: {prepared, launchPermission, keyPolicy, snapshots, targets}.
        prepare.addCatch(rollback.failed(), Rollback.caught());

        Pass report = Pass.Builder.create(this, "Share report")
                .comment("The output of the execution: what was granted, validated and copied, per target.")
                .parameters(Payloads.of(
                        "imageId", Payloads.Prepared.imageId(),
                        "sourceRegion", Payloads.Prepared.sourceRegion(),
                        "ownerAccountId", Payloads.Prepared.ownerAccountId(),
                        "dryRun", Payloads.Prepared.dryRun(),
                        "requestedBy", JsonPath.stringAt("$.prepared.request.requestedBy"),
                        "launchPermission", JsonPath.objectAt("$.launchPermission"),
                        "keys", JsonPath.listAt("$.keyPolicy.keys"),
                        "snapshots", JsonPath.listAt("$.snapshots.snapshots"),
                        "targets", JsonPath.listAt("$.targets")))
                .build();

        Chain definition = Chain.start(prepare)
                .next(new OwnerGrants(this, "OwnerGrants", props, rollback))
                .next(new TargetFanOut(this, "Targets", props, rollback))
                .next(report)
                .next(new Succeed(this, "Shared"));

        stateMachine = StateMachine.Builder.create(this, "StateMachine")
                .stateMachineType(StateMachineType.STANDARD)
                .definitionBody(DefinitionBody.fromChainable(definition))
                .tracingEnabled(true)
                // Errors only and no execution data: payloads carry task tokens (Await copy's input) and
                // the report; the execution history keeps them for those allowed to read it.
                .logs(LogOptions.builder().destination(props.logGroup()).level(LogLevel.ERROR)
                        .includeExecutionData(false).build())
                .build();
    }

    public StateMachine stateMachine() {
        return stateMachine;
    }
}
