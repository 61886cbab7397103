package dev.amishare.infra;

import dev.amishare.contract.ConsumerActions;
import dev.amishare.contract.Names;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnCondition;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.iam.ArnPrincipal;
import software.amazon.awscdk.services.iam.CompositePrincipal;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/**
 * Deployed into every target account (StackSets, an account-vending pipeline, or by hand): the role
 * amishare assumes there to validate and copy, and the rule that forwards the account's AMI state
 * changes to the owner account, where they finish the workflow's copy waits.
 * <p>
 * EC2 emits a copy's state change in the region of the copy, so the stack is deployed in every region a
 * target copies into; each forwards to the owner's bus in the owner's region. IAM is global: only the
 * stack in the owner's region creates the consumer role (a CloudFormation condition), the others would
 * fail on its fixed name.
 */
public final class ConsumerStack extends Stack {

    private final Role consumerRole;

    public ConsumerStack(Construct scope, String id, ConsumerStackProps props) {
        super(scope, id, props.stackProps());

        // Without a configured owner the account id is a template parameter: StackSets pass it per stack set.
        String owner = props.ownerAccountId() != null ? props.ownerAccountId()
                : CfnParameter.Builder.create(this, "OwnerAccountId")
                        .description("The account that owns the shared AMIs and runs amishare")
                        .allowedPattern("^\\d{12}$")
                        .build().getValueAsString();
        // Two owner roles assume the consumer role: consumer-access (validate, copy, status) and the copy
        // waiter (AwaitCopy). Each ARN defaults to the owner's fixed role name, like the account id above.
        String ownerRegion = props.ownerRegion() != null ? props.ownerRegion()
                : CfnParameter.Builder.create(this, "OwnerRegion")
                        .description("The region of the owner stack: its copy-event bus receives this region's AMI "
                                + "state changes, and the stack in this region creates the consumer role")
                        .allowedPattern(ConsumerStackProps.REGION_PATTERN)
                        .build().getValueAsString();
        String ownerAccessRoleArn = props.ownerAccessRoleArn() != null ? props.ownerAccessRoleArn()
                : ownerRole(owner, Names.CONSUMER_ACCESS_ROLE);
        String ownerCopyWaiterRoleArn = props.ownerCopyWaiterRoleArn() != null ? props.ownerCopyWaiterRoleArn()
                : ownerRole(owner, Names.COPY_WAITER_ROLE);

        Map<String, Object> trustConditions = new HashMap<>();
        if (props.externalId() != null) {
            trustConditions.put("StringEquals", new HashMap<>(Map.of("sts:ExternalId", props.externalId())));
        }
        if (props.organizationId() != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> equals = (Map<String, Object>) trustConditions.computeIfAbsent("StringEquals",
                    k -> new HashMap<>());
            equals.put("aws:PrincipalOrgID", props.organizationId());
        }
        // Both principals carry the same conditions: neither owner role gets in without them.
        IPrincipal trusted = new CompositePrincipal(trusted(ownerAccessRoleArn, trustConditions),
                trusted(ownerCopyWaiterRoleArn, trustConditions));
        consumerRole = Role.Builder.create(this, "ConsumerRole")
                .roleName(props.consumerRoleName())
                .description("amishare: the owner account validates shares and copies AMIs into this account")
                .assumedBy(trusted)
                .build();

        String partition = getPartition();
        String images = "arn:" + partition + ":ec2:*::image/*";
        // DescribeImages has no resource-level permissions.
        consumerRole.addToPrincipalPolicy(StageFunctions.allow(List.of(ConsumerActions.DESCRIBE_IMAGES,
                ConsumerActions.GET_ALLOWED_IMAGES_SETTINGS), List.of("*")));
        // CopyImage is authorized on the source image and on the new one (Service Authorization Reference,
        // Amazon EC2: CopyImage's image resource, with ec2:Owner for the source). The source must be the
        // owner account's: the role copies golden images, not public or anybody else's. The new image is
        // this account's own and in none of the requests' regions yet, so it is named by this account.
        PolicyStatement copySource = StageFunctions.allow(List.of(ConsumerActions.COPY_IMAGE), List.of(images));
        copySource.addCondition("StringEquals", Map.of("ec2:Owner", owner));
        consumerRole.addToPrincipalPolicy(copySource);
        PolicyStatement copyTarget = StageFunctions.allow(List.of(ConsumerActions.COPY_IMAGE), List.of(images));
        copyTarget.addCondition("StringEquals", Map.of("aws:ResourceAccount", getAccount()));
        consumerRole.addToPrincipalPolicy(copyTarget);
        // RunInstances on images only: validation proves with this role that the target may launch the
        // shared AMI (the image-level check EC2 makes). Without instance, volume and network resources the
        // role itself cannot launch anything.
        consumerRole.addToPrincipalPolicy(StageFunctions.allow(List.of(ConsumerActions.RUN_INSTANCES), List.of(images)));
        // Tags only while CopyImage creates the copy (its TagSpecifications), and only amishare's tag keys.
        PolicyStatement tags = StageFunctions.allow(List.of(ConsumerActions.CREATE_TAGS),
                List.of(images, "arn:" + partition + ":ec2:*::snapshot/*"));
        tags.addCondition("StringEquals", Map.of(ConsumerActions.CREATE_TAGS_ACTION_KEY, "CopyImage"));
        tags.addCondition("ForAllValues:StringEquals", Map.of("aws:TagKeys", Names.COPY_TAG_KEYS));
        consumerRole.addToPrincipalPolicy(tags);
        // The validation stage simulates this role's own policies, nothing else.
        consumerRole.addToPrincipalPolicy(StageFunctions.allow(List.of("iam:SimulatePrincipalPolicy"),
                List.of(consumerRole.getRoleArn())));

        // Keys: the owner's (the shared snapshots') and this account's (the copies' destination keys).
        List<String> keys = List.of("arn:" + partition + ":kms:*:" + owner + ":key/*",
                "arn:" + partition + ":kms:*:" + getAccount() + ":key/*");
        // The validation stage calls DescribeKey itself, so no kms:ViaService on it.
        consumerRole.addToPrincipalPolicy(StageFunctions.allow(List.of(ConsumerActions.DESCRIBE_KEY), keys));
        // EC2 uses the keys on the role's behalf while copying and launching: only through EC2.
        PolicyStatement use = StageFunctions.allow(ConsumerActions.KEY_USE, keys);
        use.addCondition("StringLike", Map.of("kms:ViaService", "ec2.*.amazonaws.com"));
        consumerRole.addToPrincipalPolicy(use);
        PolicyStatement grant = StageFunctions.allow(List.of(ConsumerActions.CREATE_GRANT), keys);
        grant.addCondition("StringLike", Map.of("kms:ViaService", "ec2.*.amazonaws.com"));
        grant.addCondition("Bool", Map.of("kms:GrantIsForAWSResource", "true"));
        consumerRole.addToPrincipalPolicy(grant);

        // The role is global: one stack per account creates it, the one in the owner's region; the stacks in
        // the other regions a target copies into only forward events.
        CfnCondition roleHere = CfnCondition.Builder.create(this, "ConsumerRoleInThisRegion")
                .expression(Fn.conditionEquals(Aws.REGION, ownerRegion))
                .build();
        ((CfnResource) consumerRole.getNode().getDefaultChild()).getCfnOptions().setCondition(roleHere);
        ((CfnResource) consumerRole.getNode().findChild("DefaultPolicy").getNode().getDefaultChild())
                .getCfnOptions().setCondition(roleHere);

        // Forward this account's AMI state changes to the owner's bus, in the owner's region whatever region
        // this stack is in (cross-account, cross-region target: EventBridge UserGuide "eb-cross-region",
        // "eb-cross-account"). EventBridge puts them as this role, which the target allows PutEvents on that
        // bus's ARN only; the bus policy admits the account.
        Role forwarder = Role.Builder.create(this, "ForwardRole")
                .assumedBy(new ServicePrincipal("events.amazonaws.com"))
                .description("amishare: EventBridge puts AMI state changes on the owner account's bus")
                .build();
        String ownerBus = "arn:" + partition + ":events:" + ownerRegion + ":" + owner + ":event-bus/"
                + Names.COPY_EVENT_BUS;
        Rule.Builder.create(this, "ForwardAmiStateChangeRule")
                .description("amishare: forwards EC2 AMI State Change events to the owner account")
                .eventPattern(EventPatterns.pattern(EventPatterns.AMI_STATE_CHANGE))
                .targets(List.of(software.amazon.awscdk.services.events.targets.EventBus.Builder.create(
                        EventBus.fromEventBusArn(this, "OwnerBus", ownerBus)).role(forwarder).build()))
                .build();

        CfnOutput.Builder.create(this, "ConsumerRoleArn").value(consumerRole.getRoleArn()).condition(roleHere).build();

        NagSuppressions.addResourceSuppressions(consumerRole, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("ec2:DescribeImages has no resource-level permissions; RunInstances is granted on images "
                        + "only (no instance resources, so the role cannot launch); CopyImage and CreateTags act on "
                        + "images created at run time (CreateTags only with ec2:CreateAction=CopyImage); keys "
                        + "are the owner's and this account's, used only via EC2 (kms:ViaService)")
                .build()), true);
    }

    private String ownerRole(String owner, String roleName) {
        return "arn:" + getPartition() + ":iam::" + owner + ":role/" + roleName;
    }

    private static IPrincipal trusted(String roleArn, Map<String, Object> conditions) {
        ArnPrincipal owned = new ArnPrincipal(roleArn);
        return conditions.isEmpty() ? owned : owned.withConditions(conditions);
    }

    public Role consumerRole() {
        return consumerRole;
    }

    /**
     * What the consumer stack is built from.
     *
     * @param ownerAccountId the owner account; null makes it a template parameter
     * @param ownerRegion the owner stack's region (its copy-event bus); null makes it a template parameter
     * @param ownerAccessRoleArn the owner's consumer-access role; default from the owner account id
     * @param ownerCopyWaiterRoleArn the owner's copy-waiter role (AwaitCopy); default from the owner account id
     * @param consumerRoleName default {@value dev.amishare.contract.Names#DEFAULT_CONSUMER_ROLE}
     * @param externalId required in sts:ExternalId when set
     * @param organizationId required in aws:PrincipalOrgID when set
     */
    public record ConsumerStackProps(StackProps stackProps, String ownerAccountId, String ownerRegion,
            String ownerAccessRoleArn, String ownerCopyWaiterRoleArn, String consumerRoleName, String externalId,
            String organizationId) {

        /** An AWS region name: us-east-1, eu-west-1, us-gov-west-1. */
        static final String REGION_PATTERN = "^[a-z]{2}(-[a-z]+)+-\\d+$";

        public ConsumerStackProps {
            if (ownerRegion != null && !ownerRegion.matches(REGION_PATTERN)) {
                throw new IllegalArgumentException("ownerRegion must be a region name such as us-east-1, not '"
                        + ownerRegion + "'");
            }
            stackProps = stackProps == null ? StackProps.builder().build() : stackProps;
            consumerRoleName = consumerRoleName == null ? Names.DEFAULT_CONSUMER_ROLE : consumerRoleName;
            Objects.requireNonNull(consumerRoleName);
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builder of {@link ConsumerStackProps}. */
        public static final class Builder {
            private StackProps stackProps;
            private String ownerAccountId;
            private String ownerRegion;
            private String ownerAccessRoleArn;
            private String ownerCopyWaiterRoleArn;
            private String consumerRoleName;
            private String externalId;
            private String organizationId;

            public Builder stackProps(StackProps v) {
                stackProps = v;
                return this;
            }

            public Builder ownerAccountId(String v) {
                ownerAccountId = v;
                return this;
            }

            public Builder ownerRegion(String v) {
                ownerRegion = v;
                return this;
            }

            public Builder ownerAccessRoleArn(String v) {
                ownerAccessRoleArn = v;
                return this;
            }

            public Builder ownerCopyWaiterRoleArn(String v) {
                ownerCopyWaiterRoleArn = v;
                return this;
            }

            public Builder consumerRoleName(String v) {
                consumerRoleName = v;
                return this;
            }

            public Builder externalId(String v) {
                externalId = v;
                return this;
            }

            public Builder organizationId(String v) {
                organizationId = v;
                return this;
            }

            public ConsumerStackProps build() {
                return new ConsumerStackProps(stackProps, ownerAccountId, ownerRegion, ownerAccessRoleArn,
                        ownerCopyWaiterRoleArn, consumerRoleName, externalId, organizationId);
            }
        }
    }
}
