package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import dev.amishare.errors.TargetsFailedException;
import java.util.List;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.INextable;
import software.amazon.awscdk.services.stepfunctions.State;
import software.amazon.awscdk.services.stepfunctions.StateMachineFragment;
import software.amazon.awscdk.services.stepfunctions.TaskStateBase;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * The two failure paths, both ending the execution with a named error.
 * <ul>
 * <li><b>A grant failed</b> (after its retries): <b>Roll back?</b> → <b>Revoke grants</b> from the ready
 * targets → <b>Share failed</b> with the grant's error.</li>
 * <li><b>More targets failed than tolerated</b> ({@link #targetsFailed()}): <b>Roll back failed
 * targets?</b> → <b>Revoke failed targets</b>, only those that were granted and then failed (the report's
 * {@code rollback} list; not-ready targets got nothing, succeeded ones keep their share) →
 * <b>Targets failed</b> with {@link TargetsFailedException} and the report's message as cause.</li>
 * </ul>
 * Rollback runs with {@code rollbackOnFailure: true} on a real run (not a dry run) and keeps what the
 * targets had before the execution (Prepare's baseline in S3, passed as {@code keepAt}). A failed revoke
 * is kept in {@code $.rollbackError} and the execution still fails with the original error. Prepare
 * grants nothing and fails straight to {@link #failed()}.
 */
final class Rollback extends StateMachineFragment {

    private final Choice start;
    private final Fail failed;
    private final Choice targetsFailed;

    Rollback(Construct scope, String id, IFunction revoke) {
        super(scope, id);
        failed = Fail.Builder.create(this, "Share failed")
                .comment("Ends the execution with the caught error and cause.")
                .errorPath("$.error.Error")
                .causePath("$.error.Cause")
                .build();
        LambdaInvoke revokeGrants = revoke(revoke, Stage.REVOKE.stateName(), Payloads.Prepared.readyTargets());
        revokeGrants.addCatch(failed, CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.rollbackError")
                .build());
        revokeGrants.next(failed);
        start = rollBack("Roll back?", revokeGrants, failed);

        Fail targets = Fail.Builder.create(this, "Targets failed")
                .comment("More targets failed than the request tolerates; every target was processed.")
                .error(TargetsFailedException.class.getName())
                .causePath("$.summary.message")
                .build();
        LambdaInvoke revokeFailed = revoke(revoke, "Revoke failed targets",
                software.amazon.awscdk.services.stepfunctions.JsonPath.objectAt("$.summary.rollback"));
        revokeFailed.addCatch(targets, CatchProps.builder().errors(List.of(Errors.ALL))
                .resultPath("$.rollbackError").build());
        revokeFailed.next(targets);
        targetsFailed = Choice.Builder.create(this, "Roll back failed targets?").build()
                .when(rollbackAsked(Condition.isPresent("$.summary.rollback.accounts.key")), revokeFailed)
                .otherwise(targets);
    }

    private LambdaInvoke revoke(IFunction revoke, String name, Object targets) {
        return Tasks.stage(this, name, revoke, Throttling.KMS_POLICY, Payloads.of(
                "imageId", Payloads.Prepared.imageId(),
                "targets", targets,
                "keyArns", Payloads.Prepared.keyArns(),
                "snapshotIds", Payloads.Prepared.snapshotIds(),
                // Rollback undoes a real run; a dry run granted nothing and never reaches here.
                "dryRun", false,
                // What the targets had before this execution stays: rollback takes back only what it granted.
                "keepAt", Payloads.Prepared.baseline(),
                "executionId", Payloads.Prepared.executionId(),
                // This execution's share: only its ledger grants end, and nobody loses what another share holds.
                "shareId", Payloads.Prepared.executionId()), "$.rollback");
    }

    private Choice rollBack(String name, State revoke, State otherwise) {
        return Choice.Builder.create(this, name).build()
                .when(rollbackAsked(), revoke)
                .otherwise(otherwise);
    }

    /** The request asks for rollback and is a real run (a dry run granted nothing), and {@code also} holds. */
    private static Condition rollbackAsked(Condition... also) {
        List<Condition> all = new java.util.ArrayList<>(List.of(
                Condition.booleanEquals("$.prepared.request.rollbackOnFailure", true),
                Condition.booleanEquals("$.prepared.request.dryRun", false)));
        all.addAll(List.of(also));
        return Condition.and(all.toArray(Condition[]::new));
    }

    /** Sends every error of {@code state} (after its retries) here, with the error in {@code $.error}. */
    void protect(TaskStateBase state) {
        state.addCatch(start, caught());
    }

    /** Where a failure before any grant goes: no rollback, the execution fails with the error. */
    Fail failed() {
        return failed;
    }

    /** Where the share goes when more targets failed than its request tolerates. */
    Choice targetsFailed() {
        return targetsFailed;
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
