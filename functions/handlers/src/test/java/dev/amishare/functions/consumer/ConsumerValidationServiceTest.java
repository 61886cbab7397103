package dev.amishare.functions.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.ConsumerRoleNotAssumableException;
import dev.amishare.errors.ConsumerValidationFailedException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetRole;
import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.testing.FakeTargetClients;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Image;

class ConsumerValidationServiceTest {

    static final String IMAGE = "ami-0123456789abcdef0";
    static final String OWNER_KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    static final String OWNER_KEY_2 = "arn:aws:kms:us-east-1:111111111111:key/9999abcd-12ab-34cd-56ef-1234567890ab";
    static final List<ShareRequest.Copy> COPY = List.of(new ShareRequest.Copy("eu-west-1", "alias/golden-ami"));

    private final FakeSts sts = new FakeSts("111111111111");
    private final FakeTargetClients target = new FakeTargetClients();
    private final ConsumerValidationService service =
            new ConsumerValidationService(new ConsumerRoles(sts, "ext-42"), target);

    /** What the key-policy stage reports for a key it wrote and read back. */
    static KeyPolicyChange written(String keyArn, boolean verified) {
        return new KeyPolicyChange(keyArn, true, 1, 0, 0, 0, 1200, verified);
    }

    static ConsumerValidationInput input(List<String> keys, List<KeyPolicyChange> changes) {
        return new ConsumerValidationInput(IMAGE, "us-east-1", "111111111111", new TargetRole("222222222222", null),
                keys, changes, COPY, "exec-1");
    }

    /** The AMI is visible to the target's role: launch permission was granted. */
    static void shared(FakeTargetClients target) {
        target.ec2("us-east-1").images.put(IMAGE, Image.builder().imageId(IMAGE).build());
    }

    @Test
    void validate_shouldPassEveryCheck_whenTheImageIsVisibleAndEveryKeyWasVerified() {
        // GIVEN
        shared(target);

        // WHEN
        ConsumerValidationResult result = service.validate(input(List.of(OWNER_KEY),
                List.of(written(OWNER_KEY, true))));

        // THEN the role was assumed with the external id, and the image looked up with its credentials
        assertThat(sts.assumed).singleElement().satisfies(a -> {
            assertThat(a.roleArn()).isEqualTo("arn:aws:iam::222222222222:role/AmiShareConsumer");
            assertThat(a.externalId()).isEqualTo("ext-42");
        });
        assertThat(target.credentialsUsed).containsOnly("ASIAEXAMPLE");
        assertThat(result.roleArn()).isEqualTo("arn:aws:iam::222222222222:role/AmiShareConsumer");
        assertThat(result.checks()).extracting(ConsumerCheck::name).containsExactly(
                "image visible: " + IMAGE + " in us-east-1",
                "owner key lets 222222222222 use it through EC2: " + OWNER_KEY);
        assertThat(result.checks()).allMatch(ConsumerCheck::passed);
        assertThat(target.ec2("us-east-1").closed).isTrue();
        // AND the pre-grant checks are not repeated: no IAM simulation, no key call as the role
        assertThat(target.iam.simulations).isEmpty();
        assertThat(target.kms).isEmpty();
    }

    @Test
    void validate_shouldListEveryFailedCheck_whenTheImageIsHiddenAndAKeyWasNotVerified() {
        // GIVEN the AMI is not visible, the first key held the account on reading back, the second did not
        // WHEN / THEN
        assertThatThrownBy(() -> service.validate(input(List.of(OWNER_KEY, OWNER_KEY_2),
                List.of(written(OWNER_KEY, true), written(OWNER_KEY_2, false)))))
                .isInstanceOfSatisfying(ConsumerValidationFailedException.class, e -> assertThat(e.failedChecks())
                        .containsExactly(
                                "image visible: " + IMAGE + " in us-east-1: FAILED, InvalidAMIID.NotFound: stubbed"
                                        + " InvalidAMIID.NotFound",
                                "owner key lets 222222222222 use it through EC2: " + OWNER_KEY_2
                                        + ": FAILED, the key policy did not hold the account when read back;"
                                        + " was it overwritten?"))
                .hasMessageStartingWith("Target account 222222222222 failed 2 consumer checks: ");
    }

    @Test
    void validate_shouldFailTheKeyCheck_whenTheKeyPolicyStageReportedNothingForTheKey() {
        // GIVEN the image is visible but no key-policy result names the AMI's key
        shared(target);

        // WHEN / THEN
        assertThatThrownBy(() -> service.validate(input(List.of(OWNER_KEY), List.of())))
                .isInstanceOfSatisfying(ConsumerValidationFailedException.class, e -> assertThat(e.failedChecks())
                        .singleElement().asString().startsWith("owner key lets 222222222222 use it through EC2: "
                                + OWNER_KEY + ": FAILED"));
    }

    @Test
    void validate_shouldCheckOnlyTheImage_whenTheAmiIsNotEncrypted() {
        // GIVEN
        shared(target);

        // WHEN
        ConsumerValidationResult result = service.validate(input(List.of(), List.of()));

        // THEN
        assertThat(result.checks()).extracting(ConsumerCheck::name)
                .containsExactly("image visible: " + IMAGE + " in us-east-1");
    }

    @Test
    void validate_shouldRaiseThrottled_whenEc2ThrottlesTheLookup() {
        // GIVEN
        target.ec2("us-east-1").failWithCode = "RequestLimitExceeded";

        // WHEN / THEN throttling says nothing about the target: the workflow retries the check
        assertThatThrownBy(() -> service.validate(input(List.of(), List.of())))
                .isInstanceOf(AwsThrottledException.class);
    }

    @Test
    void validate_shouldRaiseRoleNotAssumable_whenStsDeniesTheRole() {
        // GIVEN
        sts.assumeFailsWithCode = "AccessDenied";

        // WHEN / THEN
        assertThatThrownBy(() -> service.validate(input(List.of(OWNER_KEY), List.of(written(OWNER_KEY, true)))))
                .isInstanceOf(ConsumerRoleNotAssumableException.class)
                .hasMessageContaining("arn:aws:iam::222222222222:role/AmiShareConsumer");
        assertThat(target.credentialsUsed).isEmpty();
    }

    @Test
    void validate_shouldFailBeforeAssumingTheRole_whenInputIsMalformed() {
        // GIVEN
        ConsumerValidationInput bad = new ConsumerValidationInput("ami-1", "us-east-1", "1111",
                new TargetRole("22", null), null, null, List.of(new ShareRequest.Copy("eu-west-1", "nope")), null);

        // WHEN / THEN image id, owner account, target account and key are each named
        assertThatThrownBy(() -> service.validate(bad))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems()).hasSize(4));
        assertThat(sts.assumed).isEmpty();
    }
}
