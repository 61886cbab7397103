package dev.amishare.statemachine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.contract.Stage;
import java.util.List;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.DistributedMap;
import software.amazon.awscdk.services.stepfunctions.INextable;
import software.amazon.awscdk.services.stepfunctions.ItemBatcher;
import software.amazon.awscdk.services.stepfunctions.ItemBatcherProps;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.State;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.StateMachineFragment;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * Before anything is granted: <b>Any account to check?</b> → <b>Check targets</b>, a Distributed Map over
 * the target list Prepare wrote to S3, in batches of {@link WorkflowOptions#CHECK_BATCH_SIZE}, each an
 * Express child that runs <b>Check readiness</b> as every target's consumer role → <b>Select ready
 * targets</b>, which reads the Map's results from S3 and writes the ready targets for the grants and the
 * per-target Map.
 * <p>
 * The Map tolerates every failed batch (100 %): a batch that still fails after its retries makes its
 * targets "not ready" with the error, it does not stop the other batches. Its result is only the Map
 * Run and the manifest's location, so the state does not grow with the number of targets.
 */
final class TargetChecks extends StateMachineFragment {

    private final Choice start;
    private final LambdaInvoke select;

    TargetChecks(Construct scope, String id, ShareWorkflowProps props) {
        super(scope, id);
        LambdaInvoke check = Tasks.stage(this, Stage.CHECK_TARGETS, props.function(Stage.CHECK_TARGETS),
                Throttling.READS, Payloads.of("BatchInput", JsonPath.objectAt("$.BatchInput"),
                        "Items", JsonPath.listAt("$.Items")), null);

        ObjectNode batchInput = JsonNodeFactory.instance.objectNode()
                .put("imageId.$", "$.prepared.request.imageId")
                .put("imageName.$", "$.prepared.imageName")
                .put("sourceRegion.$", "$.prepared.request.sourceRegion")
                .put("ownerAccountId.$", "$.prepared.ownerAccountId")
                .put("ownerKeyArns.$", "$.prepared.customerManagedKeyArns")
                .put("consumerRoleName.$", "$.prepared.request.consumerRoleName")
                .put("executionId.$", "$.prepared.executionId");
        DistributedMap checks = DistributedMap.Builder.create(this, "Check targets")
                .comment("Every target's readiness as its consumer role, in batches, before any grant.")
                .itemReader(ShareData.items(props.shareBucket(), "$.prepared.targets.accounts.key"))
                .itemBatcher(new ItemBatcher(ItemBatcherProps.builder()
                        .maxItemsPerBatch(WorkflowOptions.CHECK_BATCH_SIZE)
                        .batchInput(batchInput)
                        .build()))
                .mapExecutionType(StateMachineType.EXPRESS)
                .maxConcurrency(props.options().maxConcurrentTargets())
                .toleratedFailurePercentage(100)
                .resultWriter(ShareData.results(props.shareBucket(), "checks"))
                .resultPath("$.checks")
                .build();
        checks.itemProcessor(check);

        Pass noAccount = Pass.Builder.create(this, "No account to check")
                .comment("Only organizations and OUs: they have no consumer role to check.")
                .result(Result.fromObject(Payloads.of()))
                .resultPath("$.checks")
                .build();

        select = Tasks.stage(this, Stage.SELECT_READY, props.function(Stage.SELECT_READY), Throttling.READS,
                Payloads.of("checks", JsonPath.objectAt("$.checks"),
                        "targets", Payloads.Prepared.targets(),
                        "executionId", Payloads.Prepared.executionId()), "$.ready");

        start = Choice.Builder.create(this, "Any account to check?").build()
                .when(Condition.isPresent("$.prepared.targets.accounts.key"), checks.next(select))
                .otherwise(noAccount.next(select));
    }

    @Override
    public State getStartState() {
        return start;
    }

    @Override
    public List<INextable> getEndStates() {
        return List.of(select);
    }
}
