package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import dev.amishare.errors.CopyFailedException;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.stepfunctions.Chain;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.INextable;
import software.amazon.awscdk.services.stepfunctions.IntegrationPattern;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Map;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.State;
import software.amazon.awscdk.services.stepfunctions.StateMachineFragment;
import software.amazon.awscdk.services.stepfunctions.TaskInput;
import software.amazon.awscdk.services.stepfunctions.Timeout;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * One target's copies: <b>For each region</b> the target asked for, in parallel (EC2 throttles per account
 * and region): <b>Copy image</b> → <b>Dry run?</b> → <b>Await copy</b> (or <b>Nothing to await</b>) →
 * <b>Copy report</b>.
 *
 * <h2>Waiting for a copy without polling</h2>
 * EC2 emits "EC2 AMI State Change" ({@code available} / {@code failed}) in the account and region of the
 * copy. The consumer stack forwards it to the owner account's event bus, whose rule invokes
 * {@code CopyEventHandler}. <b>Await copy</b> invokes {@code AwaitCopyHandler} with
 * {@code waitForTaskToken}: it stores the task token under (account, region, image id) and the execution
 * in the share ledger, then reads the copy's state once; a copy already {@code available} or {@code failed} (it
 * finished before the token was stored, or the event was lost) resumes the task at once. Storing before
 * reading closes the race: an event that arrives after the read finds the token, one that arrived before
 * is covered by the read. {@code CopyEventHandler} answers SendTaskSuccess with a CopyStatusResult, or
 * SendTaskFailure with {@link CopyFailedException}'s name for {@code failed}, to every execution awaiting
 * the copy, and deletes their tokens.
 * <p>
 * EventBridge delivers best effort, so the wait has a safety net: nobody sends heartbeats, so
 * {@code HeartbeatSeconds} (the re-check interval) ends a silent wait with {@code States.HeartbeatTimeout},
 * which is retried: the handler runs again, stores a new token in place of its last and re-reads the state. The retry count
 * bounds the whole wait to about the copy timeout; {@code TimeoutSeconds} caps a single wait at the same
 * value should anything ever send heartbeats. A polling Wait/Choice loop would cost two state transitions
 * and a Lambda call per poll for copies that take tens of minutes; the task token costs one per re-check.
 */
final class CopyAndAwait extends StateMachineFragment {

    private final Map regions;

    CopyAndAwait(Construct scope, String id, ShareWorkflowProps props) {
        super(scope, id);
        LambdaInvoke copy = Tasks.stage(this, Stage.COPY_IMAGE, props.function(Stage.COPY_IMAGE),
                Throttling.COPY_IMAGE, Payloads.Iteration.withExecutionId(
                        "sourceImageId", Payloads.Iteration.field("imageId"),
                        "sourceRegion", Payloads.Iteration.field("sourceRegion"),
                        "ownerAccountId", Payloads.Iteration.field("ownerAccountId"),
                        "imageName", Payloads.Iteration.field("imageName"),
                        "targetRole", Payloads.Iteration.targetRole(),
                        "region", Payloads.Iteration.field("copy.region"),
                        "kmsKeyId", Payloads.Iteration.field("copy.kmsKeyId"),
                        "dryRun", Payloads.Iteration.dryRun()), "$.started");

        long recheck = props.options().recheckSeconds();
        long timeout = props.options().timeoutSeconds();
        LambdaInvoke await = LambdaInvoke.Builder.create(this, Stage.AWAIT_COPY.stateName())
                .comment("Resumed by CopyEventHandler on EC2's AMI state change, or at once when the copy is done.")
                .lambdaFunction(props.function(Stage.AWAIT_COPY))
                .integrationPattern(IntegrationPattern.WAIT_FOR_TASK_TOKEN)
                .retryOnServiceExceptions(false)
                .payload(TaskInput.fromObject(Payloads.Iteration.withExecutionId(
                        "taskToken", JsonPath.getTaskToken(),
                        "targetRole", Payloads.Iteration.targetRole(),
                        "region", Payloads.Iteration.field("started.region"),
                        "imageId", Payloads.Iteration.field("started.imageId"))))
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
        Tasks.retry(await, Throttling.READS);

        Pass dryRunCopy = Pass.Builder.create(this, "Nothing to await")
                .comment("A dry run starts no copy.")
                .result(Result.fromObject(Payloads.of("state", "dryRun")))
                .resultPath("$.status")
                .build();
        Pass copyReport = Pass.Builder.create(this, "Copy report")
                .comment("The copy as started (account, region, key, image id) with its final state and reason.")
                .parameters(Payloads.of("copy", JsonPath.jsonMerge(JsonPath.objectAt("$.started"),
                        JsonPath.objectAt("$.status"))))
                .outputPath("$.copy")
                .build();
        Choice dryRun = Choice.Builder.create(this, "Dry run?").build()
                .when(Condition.stringEquals("$.started.state", "dryRun"), dryRunCopy.next(copyReport))
                .otherwise(await.next(copyReport));

        regions = Map.Builder.create(this, "For each region")
                .comment("Regions of one target copy in parallel: EC2 throttles per account and region.")
                .itemsPath("$.target.copy")
                .itemSelector(Payloads.of(
                        "copy", JsonPath.objectAt("$$.Map.Item.Value"),
                        "targetRole", Payloads.Iteration.targetRole(),
                        "imageId", Payloads.Iteration.field("imageId"),
                        "sourceRegion", Payloads.Iteration.field("sourceRegion"),
                        "ownerAccountId", Payloads.Iteration.field("ownerAccountId"),
                        "imageName", Payloads.Iteration.field("imageName"),
                        "dryRun", Payloads.Iteration.dryRun(),
                        "executionId", Payloads.Iteration.executionId()))
                .resultPath("$.copies")
                .build();
        regions.itemProcessor(Chain.start(copy).next(dryRun));
    }

    @Override
    public State getStartState() {
        return regions;
    }

    @Override
    public List<INextable> getEndStates() {
        return List.of(regions);
    }
}
