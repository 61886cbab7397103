package dev.amishare.statemachine;

import dev.amishare.contract.Stage;
import java.util.Map;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.TaskInput;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * The two ways the workflow calls a stage function: the first stage, whose result becomes the state
 * ({@code {prepared: …}}), and every other stage, whose result is written beside it. Both take the Lambda
 * payload as the task's result (no invocation metadata), are named after {@link Stage#stateName()} and
 * retry what is transient as {@code throttling} says ({@link #retry}).
 */
final class Tasks {

    private Tasks() {
    }

    /** The first stage: its result replaces the input as {@code {"prepared": <result>}}. */
    static LambdaInvoke first(Construct scope, Stage stage, IFunction function, Throttling throttling,
            Map<String, Object> payload) {
        LambdaInvoke task = builder(scope, stage, function, payload)
                .resultSelector(Map.of("prepared", JsonPath.objectAt("$")))
                .build();
        return retry(task, throttling);
    }

    /**
     * Any later stage: its result goes to {@code resultPath}, the rest of the state stays; with a null
     * {@code resultPath} the result is the state (a Map child's last state).
     */
    static LambdaInvoke stage(Construct scope, Stage stage, IFunction function, Throttling throttling,
            Map<String, Object> payload, String resultPath) {
        return stage(scope, stage.stateName(), function, throttling, payload, resultPath);
    }

    /** The same under another state name, for a stage the workflow calls in two places. */
    static LambdaInvoke stage(Construct scope, String stateName, IFunction function, Throttling throttling,
            Map<String, Object> payload, String resultPath) {
        LambdaInvoke.Builder builder = builder(scope, stateName, function, payload);
        if (resultPath != null) {
            builder.resultPath(resultPath);
        }
        return retry(builder.build(), throttling);
    }

    /**
     * Adds {@link Throttling#retries()} to a task built with {@code retryOnServiceExceptions(false)}: the
     * Lambda service errors are among them, with jitter, and must not be retried by CDK's default too.
     */
    static LambdaInvoke retry(LambdaInvoke task, Throttling throttling) {
        throttling.retries().forEach(task::addRetry);
        return task;
    }

    private static LambdaInvoke.Builder builder(Construct scope, Stage stage, IFunction function,
            Map<String, Object> payload) {
        return builder(scope, stage.stateName(), function, payload);
    }

    private static LambdaInvoke.Builder builder(Construct scope, String stateName, IFunction function,
            Map<String, Object> payload) {
        return LambdaInvoke.Builder.create(scope, stateName)
                .lambdaFunction(function)
                .payloadResponseOnly(true)
                .retryOnServiceExceptions(false)
                .payload(TaskInput.fromObject(payload));
    }
}
