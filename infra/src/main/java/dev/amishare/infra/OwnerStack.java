package dev.amishare.infra;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import dev.amishare.statemachine.ShareWorkflow;
import software.constructs.Construct;

/**
 * The stack deployed into the account that owns the golden AMIs: the stage functions and the
 * sharing workflow. For now the workflow grants launch permission; the other stages join as they land.
 */
public final class OwnerStack extends Stack {

    private final Function grantLaunchPermission;
    private final StateMachine stateMachine;

    public OwnerStack(Construct scope, String id, OwnerStackProps props) {
        super(scope, id, props.stackProps());

        LogGroup logs = LogGroup.Builder.create(this, "GrantLaunchPermissionLogs")
                .retention(RetentionDays.ONE_MONTH)
                .build();
        grantLaunchPermission = Function.Builder.create(this, "GrantLaunchPermission")
                .description("amishare: grants launch permission on an AMI to target accounts")
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler("dev.amishare.functions.launch.GrantLaunchPermissionHandler::handleRequest")
                .code(Code.fromAsset(props.functionsJar().toString()))
                .memorySize(512)
                .timeout(Duration.seconds(30))
                .tracing(Tracing.ACTIVE)
                .logGroup(logs)
                .build();
        // Only the two calls the service makes. EC2 does not support resource-level scoping of
        // DescribeImageAttribute; ModifyImageAttribute is limited to images in this account and region.
        grantLaunchPermission.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ec2:DescribeImageAttribute"))
                .resources(List.of("*"))
                .build());
        grantLaunchPermission.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ec2:ModifyImageAttribute"))
                .resources(List.of("arn:" + getPartition() + ":ec2:" + getRegion() + "::image/*"))
                .build());

        // The other stages' functions, so the full workflow deploys; their permissions are infra's to add.
        stateMachine = new ShareWorkflow(this, "ShareWorkflow", ShareWorkflow.ShareWorkflowProps.builder()
                .prepare(stage(props, "Prepare", "prepare.PrepareHandler"))
                .grantLaunchPermission(grantLaunchPermission)
                .keyPolicy(stage(props, "KeyPolicy", "keypolicy.KeyPolicyHandler"))
                .shareSnapshots(stage(props, "ShareSnapshots", "snapshots.ShareSnapshotsHandler"))
                .validateConsumer(stage(props, "ValidateConsumer", "consumer.ValidateConsumerHandler"))
                .copyImage(stage(props, "CopyImage", "copy.CopyImageHandler"))
                .awaitCopy(stage(props, "AwaitCopy", "copy.AwaitCopyHandler"))
                .revoke(stage(props, "Revoke", "revoke.RevokeHandler"))
                .logGroup(LogGroup.Builder.create(this, "ShareWorkflowLogs").retention(RetentionDays.ONE_MONTH).build())
                .build()).stateMachine();
    }

    private Function stage(OwnerStackProps props, String id, String handler) {
        return Function.Builder.create(this, id)
                .description("amishare: workflow stage " + id)
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler("dev.amishare.functions." + handler + "::handleRequest")
                .code(Code.fromAsset(props.functionsJar().toString()))
                .memorySize(512)
                .timeout(Duration.seconds(60))
                .tracing(Tracing.ACTIVE)
                .build();
    }

    public StateMachine stateMachine() {
        return stateMachine;
    }

    public Function grantLaunchPermission() {
        return grantLaunchPermission;
    }

    /** What the owner stack is built from. */
    public record OwnerStackProps(Path functionsJar, StackProps stackProps) {

        public OwnerStackProps {
            Objects.requireNonNull(functionsJar, "functionsJar");
            stackProps = stackProps == null ? StackProps.builder().build() : stackProps;
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builder of {@link OwnerStackProps}. */
        public static final class Builder {
            private Path functionsJar;
            private StackProps stackProps;

            public Builder functionsJar(Path functionsJar) {
                this.functionsJar = functionsJar;
                return this;
            }

            public Builder stackProps(StackProps stackProps) {
                this.stackProps = stackProps;
                return this;
            }

            public OwnerStackProps build() {
                return new OwnerStackProps(functionsJar, stackProps);
            }
        }
    }
}
