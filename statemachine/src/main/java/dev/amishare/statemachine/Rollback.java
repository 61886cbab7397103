package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import java.util.List;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.INextable;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.State;
import software.amazon.awscdk.services.stepfunctions.StateMachineFragment;
import software.amazon.awscdk.services.stepfunctions.TaskStateBase;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * The failure path: <b>Roll back?</b> → <b>Revoke grants</b> → <b>Share failed</b>.
 * <p>
 * With {@code rollbackOnFailure: true} on a real run (not a dry run), Revoke removes the launch
 * permission, key-policy statements and snapshot permissions of this request's targets, except the access
 * Prepare found already in place ({@code $.prepared.baseline}, passed as {@code keep}), so only what this
 * execution granted goes. A failed revoke is kept in {@code $.rollbackError} and the execution still fails
 * with the original error. Every grant and the target fan-out {@link #protect protect} themselves with this
 * fragment; Prepare grants nothing and fails straight to {@link #failed()}.
 */
final class Rollback extends StateMachineFragment {

    private final Choice start;
    private final Fail failed;

    Rollback(Construct scope, String id, IFunction revoke) {
        super(scope, id);
        failed = Fail.Builder.create(this, "Share failed")
                .comment("Ends the execution with the caught error and cause.")
                .errorPath("$.error.Error")
                .causePath("$.error.Cause")
                .build();

        LambdaInvoke revokeGrants = Tasks.stage(this, Stage.REVOKE, revoke, Throttling.KMS_POLICY, Payloads.of(
                "imageId", Payloads.Prepared.imageId(),
                "principals", Payloads.Prepared.principals(),
                "keyArns", Payloads.Prepared.keyArns(),
                "snapshotIds", Payloads.Prepared.snapshotIds(),
                // Rollback undoes a real run; a dry run granted nothing and never reaches here.
                "dryRun", false,
                // What the targets had before this execution stays: rollback takes back only what it granted.
                "keep", JsonPath.objectAt("$.prepared.baseline"),
                "executionId", Payloads.Prepared.executionId()), "$.rollback");
        // A failed revoke must not hide the error that caused it: keep it aside and fail with the original.
        revokeGrants.addCatch(failed, CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.rollbackError")
                .build());
        revokeGrants.next(failed);

        start = Choice.Builder.create(this, "Roll back?").build()
                .when(Condition.and(
                        Condition.booleanEquals("$.prepared.request.rollbackOnFailure", true),
                        Condition.booleanEquals("$.prepared.request.dryRun", false)), revokeGrants)
                .otherwise(failed);
    }

    /** Sends every error of {@code state} (after its retries) here, with the error in {@code $.error}. */
    void protect(TaskStateBase state) {
        state.addCatch(start, caught());
    }

    /** The same for a Map state. */
    void protect(software.amazon.awscdk.services.stepfunctions.Map state) {
        state.addCatch(start, caught());
    }

    /** Where a failure before any grant goes: no rollback, the execution fails with the error. */
    Fail failed() {
        return failed;
    }

    static CatchProps caught() {
        return CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.error").build();
    }

    @Override
    public State getStartState() {
        return start;
    }

    @Override
    public List<INextable> getEndStates() {
        return List.of();
    }
}
