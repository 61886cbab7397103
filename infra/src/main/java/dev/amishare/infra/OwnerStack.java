package dev.amishare.infra;

import dev.amishare.contract.Names;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.events.CfnEventBusPolicy;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import dev.amishare.contract.Stage;
import dev.amishare.statemachine.ShareWorkflow;
import dev.amishare.statemachine.ShareWorkflowProps;
import dev.amishare.statemachine.WorkflowOptions;
import software.constructs.Construct;

/**
 * The stack deployed into the account that owns the golden AMIs: every stage function with its own
 * least-privilege role, the sharing workflow, and the entry points that start it (EventBridge rules on
 * tag changes and account vending, the REST API). The consumer stacks forward their copies' AMI events
 * to this account's default event bus.
 */
public final class OwnerStack extends Stack {

    private final StageFunctions functions;
    private final StateMachine stateMachine;
    private final ShareApi api;

    public OwnerStack(Construct scope, String id, OwnerStackProps props) {
        super(scope, id, props.stackProps());

        functions = new StageFunctions(this, "Functions",
                new StageFunctions.StageFunctionsProps(props.functionsJar(), props.consumerRoleName()));

        stateMachine = new ShareWorkflow(this, "ShareWorkflow", new ShareWorkflowProps(functions.byStage(),
                LogGroup.Builder.create(this, "ShareWorkflowLogs").retention(RetentionDays.ONE_MONTH).build(),
                WorkflowOptions.defaults())).stateMachine();
        functions.bindStateMachine(stateMachine);

        // Entry point: a changed amishare:targets tag on an AMI.
        Rule.Builder.create(this, "ShareTagChangedRule")
                .description("amishare: an AMI's " + Names.TAG_TARGETS + " tag changed")
                .eventPattern(EventPatterns.pattern(EventPatterns.SHARE_TAG_CHANGED))
                .targets(List.of(new LambdaFunction(functions.function(Stage.SHARE_TAG_CHANGED))))
                .build();

        // Entry point: account vending. Organizations sends its events in us-east-1 only; the rule
        // matches wherever the stack is, so deploy in us-east-1 to receive them.
        Rule.Builder.create(this, "ControlTowerAccountCreatedRule")
                .description("amishare: Control Tower created a managed account")
                .eventPattern(EventPatterns.pattern(EventPatterns.CONTROL_TOWER_ACCOUNT_CREATED))
                .targets(List.of(new LambdaFunction(functions.function(Stage.NEW_ACCOUNT))))
                .build();
        Rule.Builder.create(this, "OrganizationsAccountCreatedRule")
                .description("amishare: Organizations created an account")
                .eventPattern(EventPatterns.pattern(EventPatterns.ORGANIZATIONS_ACCOUNT_CREATED))
                .targets(List.of(new LambdaFunction(functions.function(Stage.NEW_ACCOUNT))))
                .build();

        // Copies finish in the target accounts; their consumer stacks forward the AMI events here.
        Rule.Builder.create(this, "CopyFinishedRule")
                .description("amishare: a copy's AMI became available or failed (forwarded by consumer stacks)")
                .eventPattern(EventPatterns.pattern(EventPatterns.AMI_STATE_CHANGE))
                .targets(List.of(new LambdaFunction(functions.function(Stage.COPY_EVENT))))
                .build();
        allowConsumersToForward(props);

        // Entry point: the REST API.
        api = new ShareApi(this, "ShareApi", stateMachine, stateMachine.getStateMachineName(),
                ShareRequestSchema.read(ShareRequestSchema.locate()));

        CfnOutput.Builder.create(this, "StateMachineArn").value(stateMachine.getStateMachineArn()).build();
        CfnOutput.Builder.create(this, "ConsumerAccessRoleArn")
                .description("One of the two principals every consumer stack trusts (validate, copy, status)")
                .value(functions.consumerAccessRole().getRoleArn()).build();
        CfnOutput.Builder.create(this, "CopyWaiterRoleArn")
                .description("The other principal every consumer stack trusts (AwaitCopy)")
                .value(functions.copyWaiterRole().getRoleArn()).build();
        CfnOutput.Builder.create(this, "ApiUrl").value(api.api().urlForPath("/shares")).build();

        NagSuppressions.addResourceSuppressions(stateMachine, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("CDK's grants for log delivery and X-Ray use '*' (no resource-level permissions) and "
                        + "lambda:InvokeFunction on the stage functions' versions (<arn>:*)")
                .build()), true);
    }

    /** The default bus accepts PutEvents from the organization or the listed consumer accounts only. */
    // EventBusName is optional in CloudFormation (default bus), but named here: not every CloudFormation
    // implementation applies that default, and the policy is meant for the default bus only.
    private void allowConsumersToForward(OwnerStackProps props) {
        String bus = "arn:" + getPartition() + ":events:" + getRegion() + ":" + getAccount() + ":event-bus/default";
        if (props.organizationId() != null) {
            CfnEventBusPolicy.Builder.create(this, "ConsumerForwardingFromOrganization")
                    .eventBusName("default")
                    .statementId("amishare-consumers-organization")
                    .statement(Map.of(
                            "Effect", "Allow",
                            "Principal", "*",
                            "Action", "events:PutEvents",
                            "Resource", bus,
                            "Condition", Map.of("StringEquals", Map.of("aws:PrincipalOrgID", props.organizationId()))))
                    .build();
        }
        for (String account : props.consumerAccountIds()) {
            CfnEventBusPolicy.Builder.create(this, "ConsumerForwardingFrom" + account)
                    .eventBusName("default")
                    .statementId("amishare-consumer-" + account)
                    .statement(Map.of(
                            "Effect", "Allow",
                            "Principal", Map.of("AWS", "arn:" + getPartition() + ":iam::" + account + ":root"),
                            "Action", "events:PutEvents",
                            "Resource", bus))
                    .build();
        }
    }

    public StateMachine stateMachine() {
        return stateMachine;
    }

    public StageFunctions functions() {
        return functions;
    }

    public ShareApi api() {
        return api;
    }

    /**
     * What the owner stack is built from.
     *
     * @param consumerRoleName the role name of the consumer stacks (sts:AssumeRole is limited to it)
     * @param organizationId lets every account of this organization forward AMI events, or null
     * @param consumerAccountIds accounts allowed to forward AMI events besides the organization
     */
    public record OwnerStackProps(Path functionsJar, StackProps stackProps, String consumerRoleName,
            String organizationId, List<String> consumerAccountIds) {

        public OwnerStackProps {
            Objects.requireNonNull(functionsJar, "functionsJar");
            stackProps = stackProps == null ? StackProps.builder().build() : stackProps;
            consumerRoleName = consumerRoleName == null ? Names.DEFAULT_CONSUMER_ROLE : consumerRoleName;
            consumerAccountIds = consumerAccountIds == null ? List.of() : List.copyOf(consumerAccountIds);
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builder of {@link OwnerStackProps}. */
        public static final class Builder {
            private Path functionsJar;
            private StackProps stackProps;
            private String consumerRoleName;
            private String organizationId;
            private List<String> consumerAccountIds;

            public Builder functionsJar(Path functionsJar) {
                this.functionsJar = functionsJar;
                return this;
            }

            public Builder stackProps(StackProps stackProps) {
                this.stackProps = stackProps;
                return this;
            }

            public Builder consumerRoleName(String consumerRoleName) {
                this.consumerRoleName = consumerRoleName;
                return this;
            }

            public Builder organizationId(String organizationId) {
                this.organizationId = organizationId;
                return this;
            }

            public Builder consumerAccountIds(List<String> consumerAccountIds) {
                this.consumerAccountIds = consumerAccountIds;
                return this;
            }

            public OwnerStackProps build() {
                return new OwnerStackProps(functionsJar, stackProps, consumerRoleName, organizationId,
                        consumerAccountIds);
            }
        }
    }
}
