package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import java.util.List;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.INextable;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.State;
import software.amazon.awscdk.services.stepfunctions.StateMachineFragment;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * The unshare path, taken when the input is {@code {"unshare": {"shareId": …, "deregisterCopies": …},
 * "requestedBy": …}} (what {@code DELETE /shares/{id}} starts): <b>Who asks?</b> → <b>Unshare</b>, the revoke
 * function taking back that share's grants by reference (the share's record and grants come from the ledger)
 * → <b>Unshared</b>; a failure after its retries ends in <b>Unshare failed</b> with its error. An execution
 * started by hand without {@code requestedBy} is recorded as started through StartExecution.
 */
final class Unshare extends StateMachineFragment {

    /** What the ledger records as the unsharer when the input names nobody (a console or CLI start). */
    static final String UNNAMED_CALLER = "states:StartExecution";

    private final Choice start;
    private final Succeed unshared;

    Unshare(Construct scope, String id, IFunction revoke) {
        super(scope, id);
        Fail failed = Fail.Builder.create(this, "Unshare failed")
                .comment("Ends the execution with the revoke's error and cause.")
                .errorPath("$.error.Error")
                .causePath("$.error.Cause")
                .build();
        LambdaInvoke unshare = Tasks.stage(this, "Unshare", revoke, Throttling.KMS_POLICY, Payloads.of(
                "unshare", JsonPath.objectAt("$.unshare"),
                "requestedBy", JsonPath.stringAt("$.requestedBy"),
                "executionId", JsonPath.stringAt("$$.Execution.Name")), "$.unshared");
        unshare.addCatch(failed, Rollback.caught());
        unshared = new Succeed(this, "Unshared");
        unshare.next(unshared);
        Pass unnamed = Pass.Builder.create(this, "Nobody named")
                .comment("Started without requestedBy: recorded as started through StartExecution.")
                .result(Result.fromString(UNNAMED_CALLER))
                .resultPath("$.requestedBy")
                .build();
        unnamed.next(unshare);
        start = Choice.Builder.create(this, "Who asks?").build()
                .when(Condition.isPresent("$.requestedBy"), unshare)
                .otherwise(unnamed);
    }

    /** Whether the execution's input asks for an unshare. */
    static Condition asked() {
        return Condition.isPresent("$.unshare");
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
