package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import java.util.List;
import software.amazon.awscdk.services.stepfunctions.Chain;
import software.amazon.awscdk.services.stepfunctions.INextable;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Map;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.State;
import software.amazon.awscdk.services.stepfunctions.StateMachineFragment;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * <b>For each target</b> (inline Map, {@code MaxConcurrency} from the options): <b>Validate consumer</b> as
 * the target's consumer role, then its copies ({@link CopyAndAwait}), then <b>Keys of target</b> and
 * <b>Snapshots of target</b> (per key and snapshot, whether this target was added or had it already) and
 * <b>Target report</b>.
 * <p>
 * A failing target (validation, copy, a failed copy) fails its iteration and therefore the inline Map,
 * which stops the other iterations: their pending Lambda calls and waits end, but copies EC2 already
 * started keep running in the targets' accounts (they belong to the targets; amishare never deregisters
 * their images). The Map's catch then takes the rollback path, so one bad target fails the whole request
 * visibly instead of producing a half-successful report.
 */
final class TargetFanOut extends StateMachineFragment {

    private final Map targets;

    TargetFanOut(Construct scope, String id, ShareWorkflowProps props, Rollback rollback) {
        super(scope, id);
        LambdaInvoke validate = Tasks.stage(this, Stage.VALIDATE_CONSUMER, props.function(Stage.VALIDATE_CONSUMER),
                Throttling.READS, Payloads.Iteration.withExecutionId(
                        "imageId", Payloads.Iteration.field("imageId"),
                        "sourceRegion", Payloads.Iteration.field("sourceRegion"),
                        "ownerAccountId", Payloads.Iteration.field("ownerAccountId"),
                        "targetRole", Payloads.Iteration.targetRole(),
                        "ownerKeyArns", Payloads.Iteration.list("ownerKeyArns"),
                        "copy", Payloads.Iteration.list("target.copy")), "$.validation");

        CopyAndAwait copies = new CopyAndAwait(this, "Copies", props);

        // What the owner-side stages changed for this target: per key and per snapshot, whether this target
        // was added now or had it already. A one-Pass Map each, as JSONPath cannot filter by a variable.
        Map keys = perTarget("Keys of target", "$.keyPolicy.keys", "keyArn", "$.targetKeys");
        Map snapshots = perTarget("Snapshots of target", "$.snapshots.snapshots", "snapshotId", "$.targetSnapshots");

        Pass targetReport = Pass.Builder.create(this, "Target report")
                .parameters(Payloads.of(
                        "accountId", Payloads.Iteration.field("target.accountId"),
                        "launchPermission", Payloads.of(
                                "added", JsonPath.arrayContains(Payloads.Iteration.list("launchPermission.added"),
                                        Payloads.Iteration.field("target.accountId")),
                                "alreadyPresent", JsonPath.arrayContains(
                                        Payloads.Iteration.list("launchPermission.alreadyPresent"),
                                        Payloads.Iteration.field("target.accountId"))),
                        "keys", Payloads.Iteration.list("targetKeys"),
                        "snapshots", Payloads.Iteration.list("targetSnapshots"),
                        "roleArn", Payloads.Iteration.field("validation.roleArn"),
                        "checks", Payloads.Iteration.list("validation.checks"),
                        "copies", Payloads.Iteration.list("copies")))
                .build();

        targets = Map.Builder.create(this, "For each target")
                .comment("Validate each target as its consumer role, then copy into its regions.")
                .itemsPath("$.prepared.request.targets")
                .maxConcurrency(props.options().maxConcurrentTargets())
                .itemSelector(Payloads.of(
                        "target", JsonPath.objectAt("$$.Map.Item.Value"),
                        "imageId", Payloads.Prepared.imageId(),
                        "sourceRegion", Payloads.Prepared.sourceRegion(),
                        "ownerAccountId", Payloads.Prepared.ownerAccountId(),
                        "imageName", JsonPath.stringAt("$.prepared.imageName"),
                        // The role every stage acts as in this target, built once for the whole iteration.
                        "targetRole", Payloads.of(
                                "accountId", JsonPath.stringAt("$$.Map.Item.Value.accountId"),
                                "roleName", JsonPath.stringAt("$.prepared.request.consumerRoleName")),
                        "ownerKeyArns", Payloads.Prepared.keyArns(),
                        "dryRun", Payloads.Prepared.dryRun(),
                        "executionId", Payloads.Prepared.executionId(),
                        // Only for the target report's per-target flags.
                        "launchPermission", JsonPath.objectAt("$.launchPermission"),
                        "keyPolicy", JsonPath.objectAt("$.keyPolicy"),
                        "snapshots", JsonPath.objectAt("$.snapshots")))
                .resultPath("$.targets")
                .build();
        targets.itemProcessor(Chain.start(validate).next(copies).next(keys).next(snapshots).next(targetReport));
        rollback.protect(targets);
    }

    /**
     * A Map over an owner-side result list ({@code itemsPath}, entries with {@code added} and
     * {@code alreadyPresent} account lists) that keeps, per entry, its id and whether the iteration's target
     * is among them.
     */
    private Map perTarget(String name, String itemsPath, String idField, String resultPath) {
        Map map = Map.Builder.create(this, name)
                .itemsPath(itemsPath)
                .itemSelector(Payloads.of(
                        idField, JsonPath.stringAt("$$.Map.Item.Value." + idField),
                        "added", JsonPath.arrayContains(JsonPath.listAt("$$.Map.Item.Value.added"),
                                Payloads.Iteration.field("target.accountId")),
                        "alreadyPresent", JsonPath.arrayContains(JsonPath.listAt("$$.Map.Item.Value.alreadyPresent"),
                                Payloads.Iteration.field("target.accountId"))))
                .resultPath(resultPath)
                .build();
        map.itemProcessor(new Pass(this, name + " entry"));
        return map;
    }

    @Override
    public State getStartState() {
        return targets;
    }

    @Override
    public List<INextable> getEndStates() {
        return List.of(targets);
    }
}
