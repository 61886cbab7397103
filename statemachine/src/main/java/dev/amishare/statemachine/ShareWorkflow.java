package dev.amishare.statemachine;

import dev.amishare.errors.AwsThrottledException;
import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.constructs.Construct;

/**
 * The sharing workflow, one task per stage, read top to bottom like the sharing procedure. So far it
 * grants launch permission; the key-policy, snapshot, validation and copy stages join as they land.
 */
public final class ShareWorkflow extends Construct {

    /** The error type the Lambda Java runtime reports for a throttled AWS call: the class's full name. */
    static final String THROTTLED = AwsThrottledException.class.getName();

    private final StateMachine stateMachine;

    public ShareWorkflow(Construct scope, String id, ShareWorkflowProps props) {
        super(scope, id);

        LambdaInvoke grant = LambdaInvoke.Builder.create(this, "Grant launch permission")
                .lambdaFunction(props.grantLaunchPermission())
                .payloadResponseOnly(true)
                .resultPath("$.launchPermission")
                .build();
        // EC2's ModifyImageAttribute bucket refills at 5 requests/s: back off from 2 s, with full jitter.
        grant.addRetry(RetryProps.builder()
                .errors(List.of(THROTTLED))
                .interval(Duration.seconds(2))
                .backoffRate(2)
                .maxAttempts(5)
                .jitterStrategy(JitterType.FULL)
                .build());

        stateMachine = StateMachine.Builder.create(this, "StateMachine")
                .stateMachineType(StateMachineType.STANDARD)
                .definitionBody(DefinitionBody.fromChainable(grant.next(new Succeed(this, "Shared"))))
                .tracingEnabled(true)
                .logs(LogOptions.builder().destination(props.logGroup()).level(LogLevel.ALL).includeExecutionData(true).build())
                .build();
    }

    public StateMachine stateMachine() {
        return stateMachine;
    }

    /** What the workflow is built from. */
    public record ShareWorkflowProps(IFunction grantLaunchPermission, ILogGroup logGroup) {

        public ShareWorkflowProps {
            Objects.requireNonNull(grantLaunchPermission, "grantLaunchPermission");
            Objects.requireNonNull(logGroup, "logGroup");
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builder of {@link ShareWorkflowProps}. */
        public static final class Builder {
            private IFunction grantLaunchPermission;
            private ILogGroup logGroup;

            public Builder grantLaunchPermission(IFunction function) {
                this.grantLaunchPermission = function;
                return this;
            }

            public Builder logGroup(ILogGroup logGroup) {
                this.logGroup = logGroup;
                return this;
            }

            public ShareWorkflowProps build() {
                return new ShareWorkflowProps(grantLaunchPermission, logGroup);
            }
        }
    }
}
