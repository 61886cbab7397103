package dev.amishare.functions.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.functions.model.TargetRole;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.ConsumerRoleNotAssumableException;
import dev.amishare.errors.ConsumerValidationFailedException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.testing.FakeTargetClients;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.kms.model.KeyManagerType;

class ConsumerValidationServiceTest {

    static final String IMAGE = "ami-0123456789abcdef0";
    static final String OWNER_KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    static final String SOURCE_IMAGE = "arn:aws:ec2:us-east-1::image/" + IMAGE;
    static final String DEST_KEY = "arn:aws:kms:eu-west-1:222222222222:key/5555abcd-12ab-34cd-56ef-1234567890ab";

    private final FakeSts sts = new FakeSts("111111111111");
    private final FakeTargetClients target = new FakeTargetClients();
    private final ConsumerValidationService service = new ConsumerValidationService(new ConsumerRoles(sts, "ext-42"), target);

    static ConsumerValidationInput input(List<ShareRequest.Copy> copy) {
        return new ConsumerValidationInput(IMAGE, "us-east-1", "111111111111", new TargetRole("222222222222", null), List.of(OWNER_KEY),
                copy, "exec-1");
    }

    static final List<ShareRequest.Copy> COPY = List.of(new ShareRequest.Copy("eu-west-1", "alias/golden-ami"));

    /** A target that can do everything: AMI visible, keys reachable, IAM allowing every action. */
    static void ready(FakeTargetClients target) {
        target.ec2("us-east-1").images.put(IMAGE, Image.builder().imageId(IMAGE).build());
        target.kms("us-east-1").key(OWNER_KEY, KeyManagerType.CUSTOMER);
        target.kms("eu-west-1").key(DEST_KEY, KeyManagerType.CUSTOMER, "alias/golden-ami");
        target.iam.allowed.addAll(List.of("ec2:DescribeImages", "ec2:RunInstances", "ec2:CopyImage", "ec2:CreateTags"));
        target.iam.allowed.addAll(ConsumerValidationService.KEY_ACTIONS);
    }

    @Test
    void validate_shouldPassEveryCheck_whenTheTargetIsReady() {
        // GIVEN
        ready(target);

        // WHEN
        ConsumerValidationResult result = service.validate(input(COPY));

        // THEN the role was assumed with the external id, and every check ran with its credentials
        assertThat(sts.assumed).hasSize(1);
        assertThat(sts.assumed.get(0).roleArn()).isEqualTo("arn:aws:iam::222222222222:role/AmiShareConsumer");
        assertThat(sts.assumed.get(0).externalId()).isEqualTo("ext-42");
        assertThat(target.credentialsUsed).containsOnly("ASIAEXAMPLE");
        assertThat(result.roleArn()).isEqualTo("arn:aws:iam::222222222222:role/AmiShareConsumer");
        assertThat(result.checks()).allMatch(ConsumerCheck::passed);
        assertThat(result.checks()).extracting(ConsumerCheck::name).contains(
                "image visible: " + IMAGE + " in us-east-1",
                "owner key usable: " + OWNER_KEY,
                "destination key usable: alias/golden-ami in eu-west-1",
                "iam allows ec2:DescribeImages",
                "iam allows ec2:RunInstances on " + SOURCE_IMAGE,
                "iam allows ec2:CopyImage on " + SOURCE_IMAGE,
                "iam allows ec2:CopyImage on arn:aws:ec2:eu-west-1::image/*",
                "iam allows ec2:CreateTags on arn:aws:ec2:eu-west-1::image/*",
                "iam allows kms:ReEncryptFrom on " + OWNER_KEY,
                "iam allows kms:GenerateDataKeyWithoutPlaintext on " + DEST_KEY);
        assertThat(result.checks()).hasSize(3 + 5 + 2 * 6);
        assertThat(target.ec2("us-east-1").closed).isTrue();
        assertThat(target.iam.closed).isTrue();
        assertThat(target.iam.simulations).allSatisfy(
                r -> assertThat(r.policySourceArn()).isEqualTo("arn:aws:iam::222222222222:role/AmiShareConsumer"));
    }

    @Test
    void validate_shouldSimulateKeyUseViaEc2InTheKeysRegion_whenCheckingKeys() {
        // GIVEN a target whose consumer role may use keys only via EC2 (kms:ViaService, consumer stack)
        ready(target);

        // WHEN
        service.validate(input(COPY));

        // THEN each key simulation carries EC2 of the key's region as kms:ViaService; the EC2 ones none
        assertThat(target.iam.simulations).filteredOn(r -> r.actionNames().get(0).startsWith("kms:")).hasSize(2)
                .allSatisfy(r -> assertThat(r.contextEntries()).anySatisfy(c -> {
                    assertThat(c.contextKeyName()).isEqualTo("kms:ViaService");
                    assertThat(c.contextKeyValues()).containsExactly(
                            "ec2." + r.resourceArns().get(0).split(":")[3] + ".amazonaws.com");
                }));
        assertThat(target.iam.simulations).filteredOn(r -> r.actionNames().get(0).startsWith("ec2:")).allSatisfy(r ->
                assertThat(r.contextEntries()).noneMatch(c -> c.contextKeyName().equals("kms:ViaService")));
    }

    @Test
    void validate_shouldSimulateEc2ActionsOnTheirResources_whenTheTargetCopies() {
        // GIVEN a consumer role allowed EC2 actions only on images (as the consumer stack grants them)
        ready(target);

        // WHEN
        service.validate(input(COPY));

        // THEN launching and copying are simulated on the shared image, the copy on the new images of its
        // region, and tagging as part of CopyImage (ec2:CreateAction), as EC2 authorizes them
        assertThat(target.iam.simulations).filteredOn(r -> r.actionNames().get(0).startsWith("ec2:"))
                .extracting(r -> r.actionNames().get(0) + " " + r.resourceArns())
                .containsExactly("ec2:DescribeImages []",
                        "ec2:RunInstances [" + SOURCE_IMAGE + "]",
                        "ec2:CopyImage [" + SOURCE_IMAGE + "]",
                        "ec2:CopyImage [arn:aws:ec2:eu-west-1::image/*]",
                        "ec2:CreateTags [arn:aws:ec2:eu-west-1::image/*]");
        assertThat(target.iam.simulations).filteredOn(r -> r.actionNames().get(0).equals("ec2:CreateTags"))
                .singleElement().satisfies(r -> assertThat(r.contextEntries()).anySatisfy(c -> {
                    assertThat(c.contextKeyName()).isEqualTo("ec2:CreateAction");
                    assertThat(c.contextKeyValues()).containsExactly("CopyImage");
                }));
    }

    @Test
    void validate_shouldListEveryFailedCheck_whenImageIsHiddenAndIamMissesActions() {
        // GIVEN the AMI is not visible and the role may not CopyImage nor CreateGrant on the owner key
        ready(target);
        target.ec2("us-east-1").images.clear();
        target.iam.allowed.remove("ec2:CopyImage");
        target.iam.allowed.remove("kms:CreateGrant");
        target.iam.allowed.add("kms:CreateGrant on " + DEST_KEY);

        // WHEN / THEN
        assertThatThrownBy(() -> service.validate(input(COPY)))
                .isInstanceOfSatisfying(ConsumerValidationFailedException.class, e -> assertThat(e.failedChecks())
                        .containsExactly(
                                "image visible: " + IMAGE + " in us-east-1: FAILED, InvalidAMIID.NotFound: stubbed"
                                        + " InvalidAMIID.NotFound",
                                "iam allows ec2:CopyImage on " + SOURCE_IMAGE + ": FAILED, implicitDeny",
                                "iam allows ec2:CopyImage on arn:aws:ec2:eu-west-1::image/*: FAILED, implicitDeny",
                                "iam allows kms:CreateGrant on " + OWNER_KEY + ": FAILED, implicitDeny"))
                .hasMessageStartingWith("Target account 222222222222 failed 4 consumer checks: ");
    }

    @Test
    void validate_shouldSkipCopyChecks_whenTheTargetOnlyLaunches() {
        // GIVEN a launch-only target whose role may not copy
        ready(target);
        target.iam.allowed.removeAll(List.of("ec2:CopyImage", "ec2:CreateTags"));

        // WHEN
        ConsumerValidationResult result = service.validate(input(List.of()));

        // THEN
        assertThat(result.checks()).extracting(ConsumerCheck::name)
                .contains("iam allows ec2:RunInstances on " + SOURCE_IMAGE)
                .noneMatch(n -> n.startsWith("iam allows ec2:CopyImage") || n.startsWith("iam allows ec2:CreateTags"))
                .noneMatch(n -> n.startsWith("destination key"));
    }

    @Test
    void validate_shouldFailTheKeyCheck_whenTheOwnerKeyPolicyDeniesTheTarget() {
        // GIVEN KMS answers AccessDeniedException for the owner key
        ready(target);
        target.kms("us-east-1").failWithCode = "AccessDeniedException";

        // WHEN / THEN the key's IAM checks are skipped (no ARN), the key check names the error
        assertThatThrownBy(() -> service.validate(input(List.of())))
                .isInstanceOfSatisfying(ConsumerValidationFailedException.class, e -> assertThat(e.failedChecks())
                        .containsExactly("owner key usable: " + OWNER_KEY + ": FAILED, AccessDeniedException: stubbed"
                                + " AccessDeniedException"));
    }

    @Test
    void validate_shouldRaiseRoleNotAssumable_whenStsDeniesTheRole() {
        // GIVEN
        sts.assumeFailsWithCode = "AccessDenied";

        // WHEN / THEN
        assertThatThrownBy(() -> service.validate(input(COPY)))
                .isInstanceOf(ConsumerRoleNotAssumableException.class)
                .hasMessageContaining("arn:aws:iam::222222222222:role/AmiShareConsumer");
        assertThat(target.credentialsUsed).isEmpty();
    }

    @Test
    void validate_shouldFailBeforeAssumingTheRole_whenInputIsMalformed() {
        // GIVEN
        ConsumerValidationInput bad = new ConsumerValidationInput("ami-1", "us-east-1", "1111", new TargetRole("22", null),
                null, List.of(new ShareRequest.Copy("eu-west-1", "nope")), null);

        // WHEN / THEN image id, owner account, target account and key are each named
        assertThatThrownBy(() -> service.validate(bad))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems()).hasSize(4));
        assertThat(sts.assumed).isEmpty();
    }
}
