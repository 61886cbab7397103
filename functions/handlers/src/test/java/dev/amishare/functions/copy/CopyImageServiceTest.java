package dev.amishare.functions.copy;

import dev.amishare.functions.testing.Perimeters;
import dev.amishare.functions.common.ConsumerRoles;
import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.model.TargetRole;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.ConsumerRoleNotAssumableException;
import dev.amishare.errors.CopyImageRejectedException;
import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.testing.FakeTargetClients;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.CopyImageRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;

class CopyImageServiceTest {

    static final String SOURCE = "ami-0123456789abcdef0";

    private final FakeSts sts = new FakeSts("111111111111");
    private final FakeTargetClients target = new FakeTargetClients();
    private final CopyImageService service = new CopyImageService(new ConsumerRoles(sts, "ext-42"), target, Perimeters.testGuard());

    static CopyImageInput input(String region, String key, boolean dryRun) {
        return new CopyImageInput(SOURCE, "us-east-1", "111111111111", "golden-2026-11",
                new TargetRole("222222222222", null), region, key, dryRun, "exec-1");
    }

    @Test
    void copy_shouldStartAnEncryptedCopyUnderTheTargetKey_whenNoCopyExists() {
        // WHEN
        CopyImageResult result = service.copy(input("eu-west-1", "alias/golden-ami", false));

        // THEN the copy is made in the target's region, as its role, re-encrypted and tagged
        FakeEc2 ec2 = target.ec2("eu-west-1");
        assertThat(ec2.copies).hasSize(1);
        CopyImageRequest request = ec2.copies.get(0);
        assertThat(request.sourceImageId()).isEqualTo(SOURCE);
        assertThat(request.sourceRegion()).isEqualTo("us-east-1");
        assertThat(request.name()).isEqualTo("golden-2026-11");
        assertThat(request.encrypted()).isTrue();
        assertThat(request.kmsKeyId()).isEqualTo("alias/golden-ami");
        assertThat(request.copyImageTags()).isFalse();
        assertThat(request.clientToken()).hasSize(64)
                .isEqualTo(CopyImageService.clientToken(SOURCE, "222222222222", "eu-west-1", "alias/golden-ami"));
        assertThat(request.tagSpecifications()).singleElement().satisfies(t -> {
            assertThat(t.resourceType()).isEqualTo(ResourceType.IMAGE);
            assertThat(t.tags()).extracting(Tag::key, Tag::value).contains(
                    org.assertj.core.groups.Tuple.tuple("amishare:source-image", SOURCE),
                    org.assertj.core.groups.Tuple.tuple("amishare:source-account", "111111111111"));
        });
        assertThat(sts.assumed.get(0).roleArn()).isEqualTo("arn:aws:iam::222222222222:role/AmiShareConsumer");
        assertThat(sts.assumed.get(0).externalId()).isEqualTo("ext-42");
        assertThat(ec2.closed).isTrue();
        assertThat(result).isEqualTo(new CopyImageResult("222222222222", "eu-west-1", "alias/golden-ami",
                "ami-00000000000000001", "pending"));
    }

    @Test
    void copy_shouldReturnTheEarlierCopy_whenRunAgain() {
        // GIVEN a first run
        CopyImageResult first = service.copy(input("eu-west-1", "alias/golden-ami", false));

        // WHEN the same copy runs again
        CopyImageResult second = service.copy(input("eu-west-1", "alias/golden-ami", false));

        // THEN no second copy
        assertThat(target.ec2("eu-west-1").copies).hasSize(1);
        assertThat(second.imageId()).isEqualTo(first.imageId());
    }

    @Test
    void copy_shouldStartANewCopyWithAFreshClientToken_whenTheEarlierCopyFailed() {
        // GIVEN a first copy that EC2 then failed
        CopyImageResult first = service.copy(input("eu-west-1", "alias/golden-ami", false));
        FakeEc2 ec2 = target.ec2("eu-west-1");
        ec2.images.put(first.imageId(), ec2.images.get(first.imageId()).toBuilder()
                .state(software.amazon.awssdk.services.ec2.model.ImageState.FAILED).build());

        // WHEN the copy runs again (a replay)
        CopyImageResult second = service.copy(input("eu-west-1", "alias/golden-ami", false));

        // THEN a second copy is started, with another client token (the first one would return the failed image),
        // still tagged with the copy's identity so the next replay finds it
        String identity = CopyImageService.clientToken(SOURCE, "222222222222", "eu-west-1", "alias/golden-ami");
        assertThat(ec2.copies).hasSize(2);
        assertThat(second.imageId()).isNotEqualTo(first.imageId());
        assertThat(second.state()).isEqualTo("pending");
        assertThat(ec2.copies.get(1).clientToken()).hasSize(64).isNotEqualTo(identity)
                .isEqualTo(CopyImageService.attemptToken(identity, 1));
        assertThat(ec2.copies.get(1).tagSpecifications().get(0).tags())
                .contains(Tag.builder().key("amishare:copy-token").value(identity).build());

        // and a third run returns the new copy instead of starting another
        CopyImageResult third = service.copy(input("eu-west-1", "alias/golden-ami", false));
        assertThat(ec2.copies).hasSize(2);
        assertThat(third.imageId()).isEqualTo(second.imageId());
    }

    @Test
    void clientToken_shouldBeStableAndDistinct_whenAnyPartOfTheCopyDiffers() {
        // WHEN
        String token = CopyImageService.clientToken(SOURCE, "222222222222", "eu-west-1", "alias/a");

        // THEN
        assertThat(token).isEqualTo(CopyImageService.clientToken(SOURCE, "222222222222", "eu-west-1", "alias/a"))
                .matches("[0-9a-f]{64}");
        assertThat(token)
                .isNotEqualTo(CopyImageService.clientToken(SOURCE, "333333333333", "eu-west-1", "alias/a"))
                .isNotEqualTo(CopyImageService.clientToken(SOURCE, "222222222222", "us-east-1", "alias/a"))
                .isNotEqualTo(CopyImageService.clientToken(SOURCE, "222222222222", "eu-west-1", "alias/b"));
    }

    @Test
    void copy_shouldChangeNothing_whenDryRun() {
        // WHEN
        CopyImageResult result = service.copy(input("eu-west-1", "alias/golden-ami", true));

        // THEN
        assertThat(result.state()).isEqualTo("dryRun");
        assertThat(result.imageId()).isNull();
        assertThat(sts.assumed).isEmpty();
    }

    @Test
    void copy_shouldRaiseImageNotFound_whenTheTargetCannotSeeTheSource() {
        target.ec2("eu-west-1").copyFailsWithCode = "InvalidAMIID.NotFound";
        assertThatThrownBy(() -> service.copy(input("eu-west-1", "alias/golden-ami", false)))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining(SOURCE);
    }

    @Test
    void copy_shouldRaiseRejected_whenEc2RefusesTheKey() {
        target.ec2("eu-west-1").copyFailsWithCode = "InvalidParameterValue";
        assertThatThrownBy(() -> service.copy(input("eu-west-1", "alias/golden-ami", false)))
                .isInstanceOf(CopyImageRejectedException.class)
                .hasMessageContaining("222222222222")
                .hasMessageContaining("eu-west-1");
    }

    @Test
    void copy_shouldRaiseRetryableError_whenEc2Throttles() {
        target.ec2("eu-west-1").copyFailsWithCode = "RequestLimitExceeded";
        assertThatThrownBy(() -> service.copy(input("eu-west-1", "alias/golden-ami", false)))
                .isInstanceOf(AwsThrottledException.class);
    }

    @Test
    void copy_shouldRaiseRoleNotAssumable_whenStsDenies() {
        sts.assumeFailsWithCode = "AccessDenied";
        assertThatThrownBy(() -> service.copy(input("eu-west-1", "alias/golden-ami", false)))
                .isInstanceOf(ConsumerRoleNotAssumableException.class);
    }

    @Test
    void copy_shouldFailBeforeAnyCall_whenInputIsMalformed() {
        assertThatThrownBy(() -> service.copy(input("Europe", "not a key", false)))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems()).hasSize(2));
        assertThat(sts.assumed).isEmpty();
    }
}
