package dev.amishare.functions.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.contract.ConsumerActions;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.testing.FakeTargetClients;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.GetAllowedImagesSettingsResponse;
import software.amazon.awssdk.services.ec2.model.ImageCriterion;
import software.amazon.awssdk.services.kms.model.KeyManagerType;
import software.amazon.awssdk.services.kms.model.KeyState;

class ReadinessServiceTest {

    static final String IMAGE = "ami-0123456789abcdef0";
    static final String OWNER = "111111111111";
    static final String OWNER_KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    static final String SOURCE_IMAGE = "arn:aws:ec2:us-east-1::image/" + IMAGE;
    static final String DEST_KEY = "arn:aws:kms:eu-west-1:222222222222:key/5555abcd-12ab-34cd-56ef-1234567890ab";
    static final String ROLE_222 = "arn:aws:iam::222222222222:role/AmiShareConsumer";
    static final List<ShareRequest.Copy> COPY = List.of(new ShareRequest.Copy("eu-west-1", "alias/golden-ami"));

    private final FakeSts sts = new FakeSts(OWNER);
    private final FakeTargetClients target = new FakeTargetClients();
    private final ReadinessService service = new ReadinessService(new ConsumerRoles(sts, "ext-42"), target);

    static final ReadinessContext CONTEXT = new ReadinessContext(IMAGE, "golden-2026-11", "us-east-1", OWNER,
            List.of(OWNER_KEY), "AmiShareConsumer", "exec-1");

    static CheckTargetsInput batch(ShareRequest.Target... targets) {
        return new CheckTargetsInput(CONTEXT, List.of(targets));
    }

    static ShareRequest.Target copying(String account) {
        return new ShareRequest.Target(account, COPY);
    }

    /** A target whose role may do everything a share needs, with its destination key enabled. */
    static void ready(FakeTargetClients target) {
        target.kms("eu-west-1").key(DEST_KEY, KeyManagerType.CUSTOMER, "alias/golden-ami");
        target.iam.allowed.addAll(List.of("ec2:DescribeImages", "ec2:RunInstances", "ec2:CopyImage", "ec2:CreateTags"));
        target.iam.allowed.addAll(ConsumerActions.keyActions());
    }

    private Readiness only(CheckTargetsResult result) {
        assertThat(result.targets()).hasSize(1);
        return result.targets().get(0);
    }

    @Test
    void check_shouldReportReady_whenEveryCheckPasses() {
        // GIVEN
        ready(target);

        // WHEN
        Readiness r = only(service.check(batch(copying("222222222222"))));

        // THEN the role was assumed with the external id and every check ran with its credentials
        assertThat(r).isEqualTo(new Readiness("222222222222", true, List.of()));
        assertThat(sts.assumed).singleElement().satisfies(a -> {
            assertThat(a.roleArn()).isEqualTo(ROLE_222);
            assertThat(a.externalId()).isEqualTo("ext-42");
        });
        assertThat(target.credentialsUsed).isNotEmpty().containsOnly("ASIAEXAMPLE");
        assertThat(target.ec2("us-east-1").allowedImagesCalls).isEqualTo(1);
        assertThat(target.iam.closed).isTrue();
        assertThat(target.iam.simulations).allSatisfy(s -> assertThat(s.policySourceArn()).isEqualTo(ROLE_222));
        // AND nothing was granted: readiness only reads
        assertThat(target.ec2("us-east-1").imageModifications).isEmpty();
        assertThat(target.kms("eu-west-1").puts).isEmpty();
    }

    @Test
    void check_shouldReportNotReadyWithTheReason_whenTheRoleCannotBeAssumed() {
        // GIVEN STS denies the consumer role (missing role, trust policy without the owner, wrong external id)
        ready(target);
        sts.assumeFailsWithCode = "AccessDenied";

        // WHEN
        Readiness r = only(service.check(batch(copying("222222222222"))));

        // THEN not ready, with the reason naming the role, and nothing checked as the role
        assertThat(r.accountId()).isEqualTo("222222222222");
        assertThat(r.ready()).isFalse();
        assertThat(r.reasons()).singleElement().asString()
                .startsWith("Cannot assume consumer role " + ROLE_222)
                .contains("AccessDenied");
        assertThat(target.credentialsUsed).isEmpty();
        assertThat(target.iam.simulations).isEmpty();
    }

    @Test
    void check_shouldJudgeEachTargetOnItsOwn_whenOneTargetOfTheBatchIsNotReady() {
        // GIVEN a batch of three, of which 333 has no consumer role
        ready(target);
        sts.deniedRoles.add("arn:aws:iam::333333333333:role/AmiShareConsumer");

        // WHEN
        CheckTargetsResult result = service.check(batch(copying("222222222222"),
                new ShareRequest.Target("333333333333", null), new ShareRequest.Target("444444444444", null)));

        // THEN one readiness per item, in batch order
        assertThat(result.targets()).extracting(Readiness::accountId, Readiness::ready).containsExactly(
                org.assertj.core.groups.Tuple.tuple("222222222222", true),
                org.assertj.core.groups.Tuple.tuple("333333333333", false),
                org.assertj.core.groups.Tuple.tuple("444444444444", true));
        assertThat(sts.assumed).hasSize(3);
    }

    @Test
    void check_shouldListEveryDeniedAction_whenIamDeniesTheRole() {
        // GIVEN a role that may neither copy nor create grants on the owner key
        ready(target);
        target.iam.allowed.remove("ec2:CopyImage");
        target.iam.allowed.remove("kms:CreateGrant");
        target.iam.allowed.add("kms:CreateGrant on " + DEST_KEY);

        // WHEN
        Readiness r = only(service.check(batch(copying("222222222222"))));

        // THEN not ready, each denied action with the resource it was simulated on and IAM's decision
        assertThat(r.ready()).isFalse();
        assertThat(r.reasons()).containsExactly(
                "iam allows ec2:CopyImage on " + SOURCE_IMAGE + ": FAILED, implicitDeny",
                "iam allows ec2:CopyImage on arn:aws:ec2:eu-west-1::image/*: FAILED, implicitDeny",
                "iam allows kms:CreateGrant on " + OWNER_KEY + ": FAILED, implicitDeny");
    }

    @Test
    void check_shouldSimulateEc2ActionsOnTheirResources_whenTheTargetCopies() {
        // GIVEN
        ready(target);

        // WHEN
        service.check(batch(copying("222222222222")));

        // THEN launching and copying on the shared image, the copy on the new images of its region, tagging
        // as part of CopyImage (ec2:CreateAction), as EC2 authorizes them
        assertThat(target.iam.simulations).filteredOn(s -> s.actionNames().get(0).startsWith("ec2:"))
                .extracting(s -> s.actionNames().get(0) + " " + s.resourceArns())
                .containsExactly("ec2:DescribeImages []",
                        "ec2:RunInstances [" + SOURCE_IMAGE + "]",
                        "ec2:CopyImage [" + SOURCE_IMAGE + "]",
                        "ec2:CopyImage [arn:aws:ec2:eu-west-1::image/*]",
                        "ec2:CreateTags [arn:aws:ec2:eu-west-1::image/*]");
        assertThat(target.iam.simulations).filteredOn(s -> s.actionNames().get(0).equals("ec2:CreateTags"))
                .singleElement().satisfies(s -> assertThat(s.contextEntries()).anySatisfy(c -> {
                    assertThat(c.contextKeyName()).isEqualTo("ec2:CreateAction");
                    assertThat(c.contextKeyValues()).containsExactly("CopyImage");
                }));
    }

    @Test
    void check_shouldSimulateKeyUseViaEc2InTheKeysRegion_whenCheckingKeys() {
        // GIVEN a role that may use keys only via EC2 (kms:ViaService, as the consumer stack grants it)
        ready(target);

        // WHEN
        service.check(batch(copying("222222222222")));

        // THEN the owner key and the destination key (resolved from its alias) are simulated with EC2 of
        // their own region as kms:ViaService; the EC2 simulations carry none
        assertThat(target.iam.simulations).filteredOn(s -> s.actionNames().get(0).startsWith("kms:"))
                .extracting(s -> s.resourceArns().get(0)).containsExactly(OWNER_KEY, DEST_KEY);
        assertThat(target.iam.simulations).filteredOn(s -> s.actionNames().get(0).startsWith("kms:"))
                .allSatisfy(s -> assertThat(s.contextEntries()).anySatisfy(c -> {
                    assertThat(c.contextKeyName()).isEqualTo("kms:ViaService");
                    assertThat(c.contextKeyValues()).containsExactly(
                            "ec2." + s.resourceArns().get(0).split(":")[3] + ".amazonaws.com");
                }));
        assertThat(target.iam.simulations).filteredOn(s -> s.actionNames().get(0).startsWith("ec2:"))
                .allSatisfy(s -> assertThat(s.contextEntries())
                        .noneMatch(c -> c.contextKeyName().equals("kms:ViaService")));
    }

    @Test
    void check_shouldSkipCopyChecks_whenTheTargetOnlyLaunches() {
        // GIVEN a launch-only target whose role may not copy
        ready(target);
        target.iam.allowed.removeAll(List.of("ec2:CopyImage", "ec2:CreateTags"));

        // WHEN
        Readiness r = only(service.check(batch(new ShareRequest.Target("222222222222", null))));

        // THEN ready: neither copying nor a destination key was checked
        assertThat(r.ready()).isTrue();
        assertThat(target.iam.simulations).extracting(s -> s.actionNames().get(0))
                .doesNotContain("ec2:CopyImage", "ec2:CreateTags");
        assertThat(target.kms("eu-west-1").describedKeys).isEmpty();
    }

    @Test
    void check_shouldReportNotReady_whenTheDestinationKeyIsDisabled() {
        // GIVEN the target's own key for the copy is disabled
        ready(target);
        target.kms("eu-west-1").keys.replaceAll((id, k) -> k.toBuilder().keyState(KeyState.DISABLED).build());

        // WHEN
        Readiness r = only(service.check(batch(copying("222222222222"))));

        // THEN
        assertThat(r.ready()).isFalse();
        assertThat(r.reasons()).containsExactly(
                "destination key usable: alias/golden-ami in eu-west-1: FAILED, key state is Disabled");
    }

    @Test
    void check_shouldReportNotReady_whenAllowedAmisIsEnabledWithoutTheOwner() {
        // GIVEN the target allows only images of Amazon and of another account
        ready(target);
        target.ec2("us-east-1").allowedImages = GetAllowedImagesSettingsResponse.builder().state("enabled")
                .imageCriteria(ImageCriterion.builder().imageProviders("amazon", "999999999999").build()).build();

        // WHEN
        Readiness r = only(service.check(batch(copying("222222222222"))));

        // THEN not ready, telling what to add
        assertThat(r.ready()).isFalse();
        assertThat(r.reasons()).singleElement().asString()
                .startsWith("allowed AMIs admit images of 111111111111 in us-east-1: FAILED")
                .contains("add it to imageProviders");
    }

    @Test
    void check_shouldReportReady_whenAllowedAmisIsEnabledAndACriterionAdmitsTheOwnerAndName() {
        // GIVEN criteria for the owner account and a name pattern that matches the AMI's name
        ready(target);
        target.ec2("us-east-1").allowedImages = GetAllowedImagesSettingsResponse.builder().state("enabled")
                .imageCriteria(ImageCriterion.builder().imageProviders("amazon").build(),
                        ImageCriterion.builder().imageProviders(OWNER).imageNames("golden-*").build())
                .build();

        // WHEN
        Readiness r = only(service.check(batch(copying("222222222222"))));

        // THEN
        assertThat(r.ready()).isTrue();
    }

    @Test
    void check_shouldReportNotReady_whenTheOnlyCriterionForTheOwnerNamesOtherImages() {
        // GIVEN the owner account is admitted only for images named "base-*"
        ready(target);
        target.ec2("us-east-1").allowedImages = GetAllowedImagesSettingsResponse.builder().state("enabled")
                .imageCriteria(ImageCriterion.builder().imageProviders(OWNER).imageNames("base-*").build()).build();

        // WHEN
        Readiness r = only(service.check(batch(copying("222222222222"))));

        // THEN
        assertThat(r.ready()).isFalse();
    }

    @Test
    void check_shouldReportReady_whenAllowedAmisIsInAuditMode() {
        // GIVEN audit mode, which only reports, with no criterion for the owner
        ready(target);
        target.ec2("us-east-1").allowedImages = GetAllowedImagesSettingsResponse.builder().state("audit-mode")
                .imageCriteria(ImageCriterion.builder().imageProviders("amazon").build()).build();

        // WHEN
        Readiness r = only(service.check(batch(copying("222222222222"))));

        // THEN
        assertThat(r.ready()).isTrue();
        assertThat(r.reasons()).isEmpty();
    }

    @Test
    void check_shouldThrowThrottled_whenStsThrottlesTheAssumption() {
        // GIVEN
        ready(target);
        sts.assumeFailsWithCode = "Throttling";

        // WHEN / THEN the batch fails for Step Functions to retry; no target is judged
        assertThatThrownBy(() -> service.check(batch(copying("222222222222"))))
                .isInstanceOf(AwsThrottledException.class);
    }

    @Test
    void check_shouldThrowThrottled_whenIamThrottlesTheSimulation() {
        // GIVEN
        ready(target);
        target.iam.failWithCode = "Throttling";

        // WHEN / THEN
        assertThatThrownBy(() -> service.check(batch(copying("222222222222"))))
                .isInstanceOf(AwsThrottledException.class)
                .hasMessageContaining("iam:SimulatePrincipalPolicy");
    }

    @Test
    void check_shouldThrowThrottled_whenEc2ThrottlesTheAllowedImagesCall() {
        // GIVEN
        ready(target);
        target.ec2("us-east-1").failWithCode = "RequestLimitExceeded";

        // WHEN / THEN
        assertThatThrownBy(() -> service.check(batch(copying("222222222222"))))
                .isInstanceOf(AwsThrottledException.class)
                .hasMessageContaining("ec2:GetAllowedImagesSettings");
    }

    @Test
    void check_shouldReportNotReady_whenTheRoleMayNotSimulateItsPolicies() {
        // GIVEN IAM refuses the simulation itself
        ready(target);
        target.iam.failWithCode = "AccessDenied";

        // WHEN
        Readiness r = only(service.check(batch(new ShareRequest.Target("222222222222", null))));

        // THEN every simulated action counts as failed, with the error
        assertThat(r.ready()).isFalse();
        assertThat(r.reasons()).isNotEmpty()
                .allSatisfy(reason -> assertThat(reason).contains(": FAILED, AccessDenied: stubbed AccessDenied"));
    }

    @Test
    void check_shouldFailBeforeAssumingAnyRole_whenTheBatchIsMalformed() {
        // GIVEN a malformed image id, a short account and a bad destination key
        CheckTargetsInput bad = new CheckTargetsInput(
                new ReadinessContext("ami-1", null, "us-east-1", OWNER, List.of(), "AmiShareConsumer", null),
                List.of(new ShareRequest.Target("22", List.of(new ShareRequest.Copy("eu-west-1", "nope")))));

        // WHEN / THEN
        assertThatThrownBy(() -> service.check(bad))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems())
                        .hasSize(3)
                        .anySatisfy(p -> assertThat(p).startsWith("BatchInput.imageId"))
                        .anySatisfy(p -> assertThat(p).startsWith("Items[0].accountId"))
                        .anySatisfy(p -> assertThat(p).startsWith("Items[0].copy[0].kmsKeyId")));
        assertThat(sts.assumed).isEmpty();
    }
}
