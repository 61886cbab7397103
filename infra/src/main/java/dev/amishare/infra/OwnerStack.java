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
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import dev.amishare.contract.Perimeter;
import dev.amishare.contract.Stage;
import dev.amishare.statemachine.ShareWorkflow;
import dev.amishare.statemachine.ShareWorkflowProps;
import dev.amishare.statemachine.WorkflowOptions;
import software.constructs.Construct;

/**
 * The stack deployed into the account that owns the golden AMIs: every stage function with its own
 * least-privilege role, the sharing workflow, and the entry points that start it (EventBridge rules on
 * tag changes and account vending, the REST API). The consumer stacks forward their copies' AMI events
 * to this account's copy-event bus.
 * <p>
 * <b>Fail closed.</b> The stack refuses to synthesize without a sharing perimeter rather than deploy one
 * that shares with nobody: a deployment that cannot share is a misconfiguration every request would hit at
 * run time, long after whoever deployed it has moved on, while a failed synth stops them at once with what
 * to set. The functions refuse an empty perimeter all the same, should one be deployed by other means.
 */
public final class OwnerStack extends Stack {

    private final StageFunctions functions;
    private final CopyEventBus copyEvents;
    private final StateMachine stateMachine;
    private final ShareApi api;

    public OwnerStack(Construct scope, String id, OwnerStackProps props) {
        super(scope, id, props.stackProps());

        WorkflowOptions options = WorkflowOptions.defaults();
        functions = new StageFunctions(this, "Functions", new StageFunctions.StageFunctionsProps(props.functionsJar(),
                props.consumerRoleName(), props.perimeter(), props.externalId(), props.managementAccountId(), options));

        stateMachine = new ShareWorkflow(this, "ShareWorkflow", new ShareWorkflowProps(functions.byStage(),
                functions.shareBucket(),
                LogGroup.Builder.create(this, "ShareWorkflowLogs").retention(RetentionDays.ONE_MONTH).build(),
                options)).stateMachine();
        functions.bindStateMachine(stateMachine);

        // Entry point: a changed amishare:targets tag on one of this account's AMIs. AWS puts the tagged
        // resource's account in the event; only this account's count (the handler checks it again).
        Rule.Builder.create(this, "ShareTagChangedRule")
                .description("amishare: an AMI's " + Names.TAG_TARGETS + " tag changed")
                .eventPattern(EventPatterns.pattern(EventPatterns.SHARE_TAG_CHANGED, List.of(getAccount())))
                .targets(List.of(new LambdaFunction(functions.function(Stage.SHARE_TAG_CHANGED))))
                .build();

        // Entry point: account vending, from the management account only, where Control Tower and
        // Organizations emit these events. Organizations sends its events in us-east-1 only; the rule
        // matches wherever the stack is, so deploy in us-east-1 to receive them. Without a configured
        // management account there is no account-vending entry point at all.
        if (props.managementAccountId() != null) {
            List<String> management = List.of(props.managementAccountId());
            Rule.Builder.create(this, "ControlTowerAccountCreatedRule")
                    .description("amishare: Control Tower created a managed account")
                    .eventPattern(EventPatterns.pattern(EventPatterns.CONTROL_TOWER_ACCOUNT_CREATED, management))
                    .targets(List.of(new LambdaFunction(functions.function(Stage.NEW_ACCOUNT))))
                    .build();
            Rule.Builder.create(this, "OrganizationsAccountCreatedRule")
                    .description("amishare: Organizations created an account")
                    .eventPattern(EventPatterns.pattern(EventPatterns.ORGANIZATIONS_ACCOUNT_CREATED, management))
                    .targets(List.of(new LambdaFunction(functions.function(Stage.NEW_ACCOUNT))))
                    .build();
        }

        // Copies finish in the target accounts; their consumer stacks forward EC2's AMI events to a bus of
        // its own, which admits nothing else (see CopyEventBus).
        copyEvents = new CopyEventBus(this, "CopyEvents", props.perimeter());
        Rule.Builder.create(this, "CopyFinishedRule")
                .description("amishare: a copy's AMI became available or failed (forwarded by consumer stacks)")
                .eventBus(copyEvents.bus())
                .eventPattern(EventPatterns.pattern(EventPatterns.AMI_STATE_CHANGE))
                .targets(List.of(new LambdaFunction(functions.function(Stage.COPY_EVENT))))
                .build();

        // Entry point: the REST API.
        api = new ShareApi(this, "ShareApi", functions.function(Stage.SHARE_API),
                ShareRequestSchema.read(ShareRequestSchema.locate()));

        CfnOutput.Builder.create(this, "StateMachineArn").value(stateMachine.getStateMachineArn()).build();
        CfnOutput.Builder.create(this, "ConsumerAccessRoleArn")
                .description("One of the two principals every consumer stack trusts (validate, copy, status)")
                .value(functions.consumerAccessRole().getRoleArn()).build();
        CfnOutput.Builder.create(this, "CopyWaiterRoleArn")
                .description("The other principal every consumer stack trusts (AwaitCopy)")
                .value(functions.copyWaiterRole().getRoleArn()).build();
        CfnOutput.Builder.create(this, "ApiUrl").value(api.api().urlForPath("/shares")).build();
        CfnOutput.Builder.create(this, "LedgerTableName")
                .description("The share ledger: key-policy leases, grants, share records, copy waiters")
                .value(functions.ledger().getTableName()).build();

        NagSuppressions.addResourceSuppressions(stateMachine, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-SF1")
                .reason("Logs errors only, without execution data: states' inputs and outputs carry copy task "
                        + "tokens (whoever reads one can resume the workflow) and share reports; every state "
                        + "transition stays in the execution history and in X-Ray")
                .build(), NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("CDK's grants for log delivery and X-Ray use '*' (no resource-level permissions) and "
                        + "lambda:InvokeFunction on the stage functions' versions (<arn>:*); the Distributed Maps "
                        + "read their items from and write their results to share-bucket objects named per "
                        + "execution and Map Run (<bucket>/*), and CDK grants them DescribeExecution, "
                        + "StopExecution and RedriveExecution on this state machine's own executions and Map Run "
                        + "children (execution:<name>:*, execution:<name>/*:*), named at run time")
                .build()), true);
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

    public CopyEventBus copyEvents() {
        return copyEvents;
    }

    /**
     * What the owner stack is built from.
     *
     * @param consumerRoleName the role name of the consumer stacks (sts:AssumeRole is limited to it)
     * @param perimeter where amishare may share; required and not empty: without one the stack refuses to
     *     synthesize (see {@link OwnerStack})
     * @param externalId the external id the consumer stacks' trust policies require, or null
     * @param managementAccountId the organization's management account, where account-vending events come
     *     from; null deploys no account-vending entry point
     */
    public record OwnerStackProps(Path functionsJar, StackProps stackProps, String consumerRoleName,
            Perimeter perimeter, String externalId, String managementAccountId) {

        public OwnerStackProps {
            Objects.requireNonNull(functionsJar, "functionsJar");
            stackProps = stackProps == null ? StackProps.builder().build() : stackProps;
            consumerRoleName = consumerRoleName == null ? Names.DEFAULT_CONSUMER_ROLE : consumerRoleName;
            if (perimeter == null || perimeter.isEmpty()) {
                throw new IllegalArgumentException("amishare needs a sharing perimeter: set the CDK context "
                        + "perimeterOrganizationId (and optionally perimeterOrganizationalUnitIds) and/or "
                        + "perimeterAccountIds; see infra/README.md");
            }
            if (managementAccountId != null && !managementAccountId.matches("\\d{12}")) {
                throw new IllegalArgumentException("managementAccountId '" + managementAccountId
                        + "' is not a 12-digit account id");
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builder of {@link OwnerStackProps}. */
        public static final class Builder {
            private Path functionsJar;
            private StackProps stackProps;
            private String consumerRoleName;
            private Perimeter perimeter;
            private String externalId;
            private String managementAccountId;

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

            public Builder perimeter(Perimeter perimeter) {
                this.perimeter = perimeter;
                return this;
            }

            public Builder externalId(String externalId) {
                this.externalId = externalId;
                return this;
            }

            public Builder managementAccountId(String managementAccountId) {
                this.managementAccountId = managementAccountId;
                return this;
            }

            public OwnerStackProps build() {
                return new OwnerStackProps(functionsJar, stackProps, consumerRoleName, perimeter, externalId,
                        managementAccountId);
            }
        }
    }
}
