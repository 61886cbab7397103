package dev.amishare.infra;

import dev.amishare.contract.ConsumerActions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class ConsumerStackTest {

    private final Template template = Synth.CONSUMER_TEMPLATE;

    private static Map<String, Object> ownerRole(String roleName) {
        return Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                ":iam::111111111111:role/" + roleName)));
    }

    @Test
    void consumerRole_shouldTrustOnlyTheOwnersTwoRolesWithExternalIdAndOrg_whenConfigured() {
        // GIVEN the app's context: owner account, external id and organization
        Map<String, Object> conditions = Map.of("StringEquals", Map.of(
                "sts:ExternalId", "amishare-ext-42",
                "aws:PrincipalOrgID", "o-abcdef1234"));

        // WHEN / THEN the consumer-access role and the copy-waiter role, each only with both conditions
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "RoleName", "AmiShareConsumer",
                "AssumeRolePolicyDocument", Map.of("Statement", List.of(
                        Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                                "Principal", Map.of("AWS", ownerRole("amishare-consumer-access")),
                                "Condition", conditions),
                        Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                                "Principal", Map.of("AWS", ownerRole("amishare-copy-waiter")),
                                "Condition", conditions)))));
    }

    @Test
    void consumerRole_shouldTrustTheGivenOwnerRoles_whenBothArnsAreConfigured() {
        // GIVEN explicit owner role ARNs (e.g. roles renamed in the owner account)
        App app = new App();
        ConsumerStack stack = new ConsumerStack(app, "Explicit", ConsumerStack.ConsumerStackProps.builder()
                .ownerAccountId("111111111111")
                .ownerAccessRoleArn("arn:aws:iam::111111111111:role/custom-access")
                .ownerCopyWaiterRoleArn("arn:aws:iam::111111111111:role/custom-waiter")
                .externalId("ext")
                .build());

        // WHEN
        Template explicit = Template.fromStack(stack);

        // THEN exactly those two, with the external id
        Map<String, Object> conditions = Map.of("StringEquals", Map.of("sts:ExternalId", "ext"));
        explicit.hasResourceProperties("AWS::IAM::Role", Map.of("AssumeRolePolicyDocument", Map.of("Statement",
                List.of(Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                                "Principal", Map.of("AWS", "arn:aws:iam::111111111111:role/custom-access"),
                                "Condition", conditions),
                        Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                                "Principal", Map.of("AWS", "arn:aws:iam::111111111111:role/custom-waiter"),
                                "Condition", conditions)))));
    }

    @Test
    void consumerRole_shouldAllowExactlyValidationAndCopying_whenSynthesized() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", List.of("ec2:DescribeImages",
                                "ec2:GetAllowedImagesSettings"), "Resource", "*")),
                        Match.objectLike(Map.of("Action", "ec2:CopyImage")),
                        Match.objectLike(Map.of("Action", "ec2:RunInstances", "Resource", Map.of("Fn::Join",
                                List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"), ":ec2:*::image/*"))))),
                        Match.objectLike(Map.of("Action", "ec2:CreateTags",
                                "Condition", Match.objectLike(Map.of("StringEquals",
                                        Map.of("ec2:CreateAction", "CopyImage"))))),
                        Match.objectLike(Map.of("Action", "iam:SimulatePrincipalPolicy",
                                "Resource", Map.of("Fn::GetAtt", List.of(
                                        Match.stringLikeRegexp("ConsumerRole.*"), "Arn")))),
                        Match.objectLike(Map.of("Action", "kms:DescribeKey")),
                        Match.objectLike(Map.of("Action", List.of("kms:Decrypt", "kms:ReEncryptFrom",
                                        "kms:ReEncryptTo", "kms:GenerateDataKeyWithoutPlaintext"),
                                "Condition", Map.of("StringLike", Map.of("kms:ViaService", "ec2.*.amazonaws.com")))),
                        Match.objectLike(Map.of("Action", "kms:CreateGrant", "Condition", Map.of(
                                "StringLike", Map.of("kms:ViaService", "ec2.*.amazonaws.com"),
                                "Bool", Map.of("kms:GrantIsForAWSResource", "true")))))))));
    }

    @Test
    void forwardRule_shouldSendAmiStateChangesToTheOwnersCopyEventBusInTheOwnersRegion_whenSynthesized() {
        // GIVEN the app's context: owner account 111111111111 in us-east-1; the stack itself has no region
        // WHEN / THEN the rule targets the bus in us-east-1, not in the region the stack is deployed in
        Object bus = Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                ":events:us-east-1:111111111111:event-bus/amishare-copy-events")));
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "EventPattern", EventPatterns.read(EventPatterns.AMI_STATE_CHANGE),
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", bus,
                        "RoleArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ForwardRole.*"), "Arn")))))));
        // AND EventBridge's role may put events on that bus only
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("ForwardRole.*"))),
                "PolicyDocument", Map.of("Statement", List.of(Map.of(
                        "Action", "events:PutEvents", "Effect", "Allow", "Resource", bus)))));
        org.assertj.core.api.Assertions.assertThat(String.valueOf(
                template.findResources("AWS::Events::Rule").values())).doesNotContain("AWS::Region");
    }

    @Test
    void forwardRule_shouldTargetTheOwnersRegion_whenTheStackIsDeployedInAnotherRegion() {
        // GIVEN a consumer stack for eu-west-1 whose owner runs in us-east-1
        App app = new App();
        ConsumerStack stack = new ConsumerStack(app, "Ireland", ConsumerStack.ConsumerStackProps.builder()
                .ownerAccountId("111111111111")
                .ownerRegion("us-east-1")
                .stackProps(software.amazon.awscdk.StackProps.builder().env(software.amazon.awscdk.Environment
                        .builder().account("222222222222").region("eu-west-1").build()).build())
                .build());

        // WHEN
        Template ireland = Template.fromStack(stack);

        // THEN the target is the us-east-1 bus, and the consumer role is created only where the region is us-east-1
        ireland.hasResourceProperties("AWS::Events::Rule", Map.of("Targets", List.of(Match.objectLike(Map.of(
                "Arn", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                        ":events:us-east-1:111111111111:event-bus/amishare-copy-events"))))))));
        ireland.hasResource("AWS::IAM::Role", Map.of("Condition", "ConsumerRoleInThisRegion",
                "Properties", Match.objectLike(Map.of("RoleName", "AmiShareConsumer"))));
    }

    @Test
    void consumerRole_shouldBeCreatedOnlyInTheOwnersRegion_whenTheStackIsDeployedInSeveralRegions() {
        // GIVEN the app's consumer stack (owner region us-east-1), deployed in every region targets copy into
        // WHEN / THEN the role, its policy and its output exist only where AWS::Region is the owner's region
        // (IAM names are global: a second region's stack would fail on the role's fixed name)
        template.hasCondition("ConsumerRoleInThisRegion", Map.of("Fn::Equals",
                List.of(Map.of("Ref", "AWS::Region"), "us-east-1")));
        template.hasResource("AWS::IAM::Role", Map.of("Condition", "ConsumerRoleInThisRegion",
                "Properties", Match.objectLike(Map.of("RoleName", "AmiShareConsumer"))));
        template.hasResource("AWS::IAM::Policy", Map.of("Condition", "ConsumerRoleInThisRegion",
                "Properties", Match.objectLike(Map.of("Roles", List.of(Map.of("Ref",
                        Match.stringLikeRegexp("ConsumerRole.*")))))));
        template.hasOutput("ConsumerRoleArn", Map.of("Condition", "ConsumerRoleInThisRegion"));
        // AND the forwarding is in every region
        org.assertj.core.api.Assertions.assertThat(template.findResources("AWS::Events::Rule").values())
                .singleElement().satisfies(rule -> org.assertj.core.api.Assertions.assertThat(rule)
                        .doesNotContainKey("Condition"));
        org.assertj.core.api.Assertions.assertThat(template.findResources("AWS::IAM::Role").values())
                .filteredOn(role -> !role.containsKey("Condition")).hasSize(1);
    }

    @Test
    void ownerRegion_shouldBeRefused_whenItIsNotARegionName() {
        // GIVEN / WHEN / THEN a misspelt owner region fails the synth instead of a bus ARN nobody owns
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConsumerStack.ConsumerStackProps.builder()
                        .ownerAccountId("111111111111").ownerRegion("us-east1").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("us-east1");
    }

    @Test
    void template_shouldNotNeedACdkBootstrap_whenDeployedByStackSets() {
        // StackSets deploy the template into accounts that never ran cdk bootstrap.
        org.assertj.core.api.Assertions.assertThat(template.toJSON()).doesNotContainKey("Rules");
        org.assertj.core.api.Assertions.assertThat(String.valueOf(template.toJSON().get("Parameters")))
                .doesNotContain("BootstrapVersion");
    }

    private static Object parameterTrust(String roleName) {
        return Match.objectEquals(Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                "Principal", Map.of("AWS", Map.of("Fn::Join", List.of("", List.of("arn:",
                        Map.of("Ref", "AWS::Partition"), ":iam::", Map.of("Ref", "OwnerAccountId"),
                        ":role/" + roleName))))));
    }

    @Test
    void ownerAccountId_shouldBeATemplateParameter_whenNotConfigured() {
        // GIVEN no owner account in context (a StackSets template)
        App app = new App();
        ConsumerStack stack = new ConsumerStack(app, "StackSet", ConsumerStack.ConsumerStackProps.builder().build());

        // WHEN
        Template template = Template.fromStack(stack);

        // THEN the owner and its region are parameters, both owner roles are derived from the account, the
        // trust has no condition, and the events go to the bus in the owner's region
        template.hasParameter("OwnerAccountId", Map.of("AllowedPattern", "^\\d{12}$"));
        template.hasParameter("OwnerRegion", Map.of("AllowedPattern", "^[a-z]{2}(-[a-z]+)+-\\d+$"));
        template.hasResourceProperties("AWS::Events::Rule", Map.of("Targets", List.of(Match.objectLike(Map.of(
                "Arn", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                        ":events:", Map.of("Ref", "OwnerRegion"), ":", Map.of("Ref", "OwnerAccountId"),
                        ":event-bus/amishare-copy-events"))))))));
        template.hasCondition("ConsumerRoleInThisRegion", Map.of("Fn::Equals",
                List.of(Map.of("Ref", "AWS::Region"), Map.of("Ref", "OwnerRegion"))));
        template.hasResourceProperties("AWS::IAM::Role", Map.of("AssumeRolePolicyDocument", Map.of("Statement",
                List.of(parameterTrust("amishare-consumer-access"), parameterTrust("amishare-copy-waiter")))));
    }

    @Test
    void consumerRole_shouldHoldExactlyWhatValidationSimulates_whenSynthesized() {
        // GIVEN what the validation stage simulates as the consumer role
        java.util.Set<String> simulated = new java.util.TreeSet<>(List.of(ConsumerActions.DESCRIBE_IMAGES,
                ConsumerActions.RUN_INSTANCES, ConsumerActions.COPY_IMAGE, ConsumerActions.CREATE_TAGS));
        simulated.addAll(ConsumerActions.keyActions());

        // WHEN the consumer stack's policy statements are read
        java.util.Set<String> granted = new java.util.TreeSet<>();
        Synth.statements(template).forEach(st -> granted.addAll(Synth.actions(st)));

        // THEN the role holds those and, to run the checks, SimulatePrincipalPolicy on itself and the
        // account's Allowed AMIs settings
        simulated.add("iam:SimulatePrincipalPolicy");
        simulated.add(ConsumerActions.GET_ALLOWED_IMAGES_SETTINGS);
        org.assertj.core.api.Assertions.assertThat(granted).containsAll(simulated);
        org.assertj.core.api.Assertions.assertThat(granted).filteredOn(a -> a.startsWith("ec2:") || a.startsWith("kms:")
                || a.startsWith("iam:")).containsExactlyInAnyOrderElementsOf(simulated);
    }

    @Test
    void consumerRole_shouldCopyOnlyTheOwnersImagesAndTagOnlyAmishareKeys_whenSynthesized() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", "ec2:CopyImage",
                                "Condition", Map.of("StringEquals", Map.of("ec2:Owner", "111111111111")))),
                        Match.objectLike(Map.of("Action", "ec2:CopyImage",
                                "Condition", Map.of("StringEquals", Map.of("aws:ResourceAccount",
                                        Map.of("Ref", "AWS::AccountId"))))))))));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of("Action", "ec2:CreateTags",
                        "Condition", Map.of("StringEquals", Map.of("ec2:CreateAction", "CopyImage"),
                                "ForAllValues:StringEquals", Map.of("aws:TagKeys", dev.amishare.contract.Names.COPY_TAG_KEYS)))))))));
        // no CopyImage without one of the two conditions
        Synth.statements(template).stream().filter(st -> Synth.actions(st).contains("ec2:CopyImage"))
                .forEach(st -> org.assertj.core.api.Assertions.assertThat(st.get("Condition")).isNotNull());
    }
}
