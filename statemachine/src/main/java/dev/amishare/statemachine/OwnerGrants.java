package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import java.util.List;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.INextable;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.State;
import software.amazon.awscdk.services.stepfunctions.StateMachineFragment;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * What the owner account grants, to the ready targets only (those that passed their readiness checks) and
 * in a number of calls that does not depend on how many there are:
 * <b>Grant launch permission</b> to every ready account, organization and OU (500 per ModifyImageAttribute
 * call) → <b>Encrypted?</b> → <b>Patch key policies</b> of the AMI's customer-managed keys, one read and at
 * most one write per key (an unencrypted AMI has no key and skips it) → <b>Any copy?</b> → <b>Share
 * snapshots</b> with the ready accounts that copy, 500 per ModifySnapshotAttribute call (launching a
 * shared AMI needs no snapshot permission, so launch-only shares skip it). Each stage reads the ready
 * accounts from S3; its result is counts. A failed grant takes the rollback path.
 */
final class OwnerGrants extends StateMachineFragment {

    private final LambdaInvoke grant;
    private final List<INextable> ends;

    OwnerGrants(Construct scope, String id, ShareWorkflowProps props, Rollback rollback) {
        super(scope, id);
        grant = Tasks.stage(this, Stage.GRANT_LAUNCH_PERMISSION, props.function(Stage.GRANT_LAUNCH_PERMISSION),
                Throttling.EC2_MODIFY, Payloads.Prepared.stage(
                        "imageId", Payloads.Prepared.imageId(),
                        "targets", Payloads.Prepared.readyTargets()), "$.launchPermission");

        LambdaInvoke keyPolicy = Tasks.stage(this, Stage.KEY_POLICY, props.function(Stage.KEY_POLICY),
                Throttling.KMS_POLICY, Payloads.Prepared.stage(
                        // The share ledger records each key grant per image (what a revoke of another counts).
                        "imageId", Payloads.Prepared.imageId(),
                        "keyArns", Payloads.Prepared.keyArns(),
                        "targets", Payloads.Prepared.readyTargets()), "$.keyPolicy");
        Pass noKey = Pass.Builder.create(this, "No key policy to patch")
                .comment("An unencrypted AMI has no key; the report lists no key change.")
                .parameters(Payloads.of("keys", List.of(), "dryRun", Payloads.Prepared.dryRun()))
                .resultPath("$.keyPolicy")
                .build();

        LambdaInvoke snapshots = Tasks.stage(this, Stage.SHARE_SNAPSHOTS, props.function(Stage.SHARE_SNAPSHOTS),
                Throttling.EC2_MODIFY, Payloads.Prepared.stage(
                        "snapshotIds", Payloads.Prepared.snapshotIds(),
                        "targets", Payloads.Prepared.readyTargets()), "$.snapshots");
        Pass noSnapshot = Pass.Builder.create(this, "No snapshot to share")
                .comment("Launching a shared AMI needs no snapshot permission; only copying does.")
                .parameters(Payloads.of("snapshots", List.of(), "dryRun", Payloads.Prepared.dryRun()))
                .resultPath("$.snapshots")
                .build();

        Choice anyCopy = Choice.Builder.create(this, "Any copy?").build()
                .when(Condition.numberGreaterThan("$.ready.copyingCount", 0), snapshots)
                .otherwise(noSnapshot);
        Choice encrypted = Choice.Builder.create(this, "Encrypted?").build()
                .when(Condition.booleanEquals("$.prepared.encrypted", true), keyPolicy.next(anyCopy))
                .otherwise(noKey.next(anyCopy));
        grant.next(encrypted);

        for (LambdaInvoke stage : List.of(grant, keyPolicy, snapshots)) {
            rollback.protect(stage);
        }
        ends = List.of(snapshots, noSnapshot);
    }

    @Override
    public State getStartState() {
        return grant;
    }

    @Override
    public List<INextable> getEndStates() {
        return ends;
    }
}
