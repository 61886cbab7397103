package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.logs.ILogGroup;

/**
 * What the workflow is built from: the function of every stage that is a workflow state
 * ({@link Stage#inWorkflow()}), the log group and the options. The owner stack creates the functions
 * (with their roles) and passes them here.
 *
 * @param functions one function per workflow stage; others are ignored
 * @param shareBucket where the stages keep target lists and reports, and the Distributed Maps read their items
 *     and write their results
 * @param logGroup where the state machine logs every execution
 * @param options the tunables, {@link WorkflowOptions#defaults()} when null
 */
public record ShareWorkflowProps(Map<Stage, ? extends IFunction> functions, IBucket shareBucket, ILogGroup logGroup,
        WorkflowOptions options) {

    public ShareWorkflowProps {
        Objects.requireNonNull(functions, "functions");
        Objects.requireNonNull(shareBucket, "shareBucket");
        Objects.requireNonNull(logGroup, "logGroup");
        List<Stage> missing = new ArrayList<>();
        for (Stage stage : Stage.values()) {
            if (stage.inWorkflow() && functions.get(stage) == null) {
                missing.add(stage);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no function for workflow stages " + missing);
        }
        functions = new EnumMap<Stage, IFunction>(functions);
        options = options == null ? WorkflowOptions.defaults() : options;
    }

    public IFunction function(Stage stage) {
        return functions.get(stage);
    }
}
