package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import java.util.List;
import software.amazon.awscdk.services.stepfunctions.Chain;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.DistributedMap;
import software.amazon.awscdk.services.stepfunctions.INextable;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.State;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.StateMachineFragment;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * <b>Any ready account?</b> → <b>For each target</b>, a Distributed Map over the ready targets in S3: one
 * Standard child execution per target (its copies wait minutes to hours, longer than an Express child
 * may run) that runs <b>Validate consumer</b> as the target's role, its copies ({@link CopyAndAwait}) and
 * <b>Target outcome</b>. The Map's results (every child's output, or its error and cause) go to S3; the
 * report reads them there, so neither the parent's history nor its state grows with the targets.
 *
 * <h2>One target never blocks the others</h2>
 * A target whose validation or copy fails fails its own child execution only; the Map tolerates every
 * failed child (100 %) and goes on with the rest, and the report counts them. Whether the share as a whole
 * succeeds is the request's {@code toleratedFailurePercentage}, applied by the report over all targets,
 * the not-ready ones included. Its default is 0 %: a platform team that shares a golden image wants to
 * hear about every target that did not get it, and an execution that ends "FAILED, 3 of 300 targets
 * failed" after doing the other 297 is both safe and visible; a request that accepts stragglers says so.
 */
final class TargetFanOut extends StateMachineFragment {

    private final Choice start;
    private final DistributedMap targets;
    private final List<INextable> ends;

    TargetFanOut(Construct scope, String id, ShareWorkflowProps props) {
        super(scope, id);
        LambdaInvoke validate = Tasks.stage(this, Stage.VALIDATE_CONSUMER, props.function(Stage.VALIDATE_CONSUMER),
                Throttling.READS, Payloads.Iteration.withExecutionId(
                        "imageId", Payloads.Iteration.field("imageId"),
                        "sourceRegion", Payloads.Iteration.field("sourceRegion"),
                        "ownerAccountId", Payloads.Iteration.field("ownerAccountId"),
                        "targetRole", Payloads.Iteration.targetRole(),
                        "ownerKeyArns", Payloads.Iteration.list("ownerKeyArns"),
                        "ownerKeys", Payloads.Iteration.list("ownerKeys"),
                        "copy", Payloads.Iteration.list("target.copy")), "$.validation");

        CopyAndAwait copies = new CopyAndAwait(this, "Copies", props);

        Pass outcome = Pass.Builder.create(this, "Target outcome")
                .comment("The child's output, one entry of the report: the account and its copies.")
                .parameters(Payloads.of(
                        "accountId", Payloads.Iteration.field("target.accountId"),
                        "copies", Payloads.Iteration.list("copies")))
                .build();

        targets = DistributedMap.Builder.create(this, "For each target")
                .comment("Validate each ready target as its consumer role, then copy into its regions.")
                .itemReader(ShareData.items(props.shareBucket(), "$.ready.ready.accounts.key"))
                .itemSelector(Payloads.of(
                        "target", JsonPath.objectAt("$$.Map.Item.Value"),
                        "imageId", Payloads.Prepared.imageId(),
                        "sourceRegion", Payloads.Prepared.sourceRegion(),
                        "ownerAccountId", Payloads.Prepared.ownerAccountId(),
                        "imageName", Payloads.Prepared.imageName(),
                        // The role every stage acts as in this target, built once for the whole child.
                        "targetRole", Payloads.of(
                                "accountId", JsonPath.stringAt("$$.Map.Item.Value.accountId"),
                                "roleName", Payloads.Prepared.consumerRoleName()),
                        "ownerKeyArns", Payloads.Prepared.keyArns(),
                        "ownerKeys", JsonPath.listAt("$.keyPolicy.keys"),
                        "dryRun", Payloads.Prepared.dryRun(),
                        "executionId", Payloads.Prepared.executionId()))
                .mapExecutionType(StateMachineType.STANDARD)
                .maxConcurrency(props.options().maxConcurrentTargets())
                .toleratedFailurePercentage(100)
                .resultWriter(ShareData.results(props.shareBucket(), "targets"))
                .resultPath("$.results")
                .build();
        targets.itemProcessor(Chain.start(validate).next(copies).next(outcome));

        Pass noTarget = Pass.Builder.create(this, "No target to validate")
                .comment("No account was ready (organizations and OUs have no role to validate).")
                .result(Result.fromObject(Payloads.of()))
                .resultPath("$.results")
                .build();

        start = Choice.Builder.create(this, "Any ready account?").build()
                .when(Condition.numberGreaterThan("$.ready.readyCount", 0), targets)
                .otherwise(noTarget);
        ends = List.of(targets, noTarget);
    }

    /**
     * Where the Map goes when it fails as a whole (it cannot read its items or write its results): the
     * report still runs, and counts the targets without a result as unfinished.
     */
    void onMapFailure(software.amazon.awscdk.services.stepfunctions.IChainable next) {
        targets.addCatch(next, software.amazon.awscdk.services.stepfunctions.CatchProps.builder()
                .errors(List.of(software.amazon.awscdk.services.stepfunctions.Errors.ALL))
                .resultPath("$.fanOutError").build());
    }

    @Override
    public State getStartState() {
        return start;
    }

    @Override
    public List<INextable> getEndStates() {
        return ends;
    }
}
