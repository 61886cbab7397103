package dev.amishare.functions.launch;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.testing.Perimeters;
import dev.amishare.functions.model.Principals;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.AwsAccessDeniedException;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.errors.InvalidShareRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

class GrantLaunchPermissionServiceTest {

    private static final String IMAGE = "ami-0123456789abcdef0";
    private static final String ORG = "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5";
    private static final String OU = "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-cdef3456";

    private final RecordingEc2 ec2 = new RecordingEc2();
    private final GrantLaunchPermissionService service = new GrantLaunchPermissionService(ec2, Perimeters.testGuard());

    private static GrantLaunchPermissionInput input(List<String> accounts, Boolean dryRun) {
        return new GrantLaunchPermissionInput(IMAGE, Principals.ofAccounts(accounts), dryRun, "exec-1");
    }

    @Test
    void grant_shouldAddEveryAccount_whenNoneHasPermission() {
        // GIVEN an AMI nobody else may launch
        // WHEN
        LaunchPermissionResult result = service.grant(input(List.of("222222222222", "333333333333"), null));

        // THEN one call adds both accounts
        assertThat(result.added()).containsExactly("222222222222", "333333333333");
        assertThat(result.alreadyPresent()).isEmpty();
        assertThat(ec2.modifications).hasSize(1);
        assertThat(ec2.modifications.get(0).launchPermission().add())
                .extracting(LaunchPermission::userId)
                .containsExactly("222222222222", "333333333333");
    }

    @Test
    void grant_shouldReportAlreadyPresentAndNotWrite_whenRunTwice() {
        // GIVEN a first grant
        service.grant(input(List.of("222222222222"), null));

        // WHEN the same grant runs again
        LaunchPermissionResult second = service.grant(input(List.of("222222222222"), null));

        // THEN nothing is added and no second write is made
        assertThat(second.added()).isEmpty();
        assertThat(second.alreadyPresent()).containsExactly("222222222222");
        assertThat(ec2.modifications).hasSize(1);
    }

    @Test
    void grant_shouldAddOnlyTheMissingAccount_whenOneIsPresent() {
        // GIVEN 222 already has access
        ec2.permissions.add(LaunchPermission.builder().userId("222222222222").build());

        // WHEN
        LaunchPermissionResult result = service.grant(input(List.of("222222222222", "333333333333"), null));

        // THEN
        assertThat(result.added()).containsExactly("333333333333");
        assertThat(result.alreadyPresent()).containsExactly("222222222222");
        assertThat(ec2.modifications.get(0).launchPermission().add()).extracting(LaunchPermission::userId)
                .containsExactly("333333333333");
    }

    @Test
    void grant_shouldGrantOrganizationAndOu_whenArnsAreGiven() {
        // GIVEN organization and OU targets
        GrantLaunchPermissionInput in = new GrantLaunchPermissionInput(IMAGE, new Principals(null, List.of(ORG), List.of(OU)), false, null);

        // WHEN
        LaunchPermissionResult result = service.grant(in);

        // THEN
        assertThat(result.added()).containsExactly(ORG, OU);
        assertThat(ec2.modifications.get(0).launchPermission().add())
                .extracting(LaunchPermission::organizationArn, LaunchPermission::organizationalUnitArn)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ORG, null), org.assertj.core.groups.Tuple.tuple(null, OU));
    }

    @Test
    void grant_shouldChangeNothing_whenDryRun() {
        // WHEN
        LaunchPermissionResult result = service.grant(input(List.of("222222222222"), true));

        // THEN it reports the change it would make, and makes none
        assertThat(result.dryRun()).isTrue();
        assertThat(result.added()).containsExactly("222222222222");
        assertThat(ec2.modifications).isEmpty();
    }

    @Test
    void grant_shouldFailBeforeAnyAwsCall_whenImageIdAndAccountsAreMalformed() {
        // GIVEN a malformed image id, a short account id and a duplicate
        GrantLaunchPermissionInput in = new GrantLaunchPermissionInput(
                "ami-XYZ", new Principals(List.of("2222", "333333333333", "333333333333"), List.of("o-123"), null), false,
                null);

        // WHEN / THEN every problem is listed and EC2 is never called
        assertThatThrownBy(() -> service.grant(in))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems())
                        .hasSize(4)
                        .anySatisfy(p -> assertThat(p).startsWith("imageId: 'ami-XYZ'"))
                        .anySatisfy(p -> assertThat(p).startsWith("principals.accountIds[0]: '2222'"))
                        .anySatisfy(p -> assertThat(p).startsWith("principals.accountIds[2]: duplicate 333333333333"))
                        .anySatisfy(p -> assertThat(p).startsWith("principals.organizationArns[0]: 'o-123'")));
        assertThat(ec2.describeCalls).isZero();
        assertThat(ec2.modifications).isEmpty();
    }

    @Test
    void grant_shouldFail_whenThereIsNoTarget() {
        assertThatThrownBy(() -> service.grant(input(List.of(), false)))
                .isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("at least one target is required");
        assertThat(ec2.describeCalls).isZero();
    }

    @Test
    void grant_shouldRaiseImageNotFound_whenEc2DoesNotKnowTheImage() {
        ec2.failWithCode = "InvalidAMIID.NotFound";
        assertThatThrownBy(() -> service.grant(input(List.of("222222222222"), false)))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining(IMAGE).hasMessageContaining("us-east-1");
    }

    @Test
    void grant_shouldRaiseRetryableError_whenEc2Throttles() {
        ec2.failWithCode = "RequestLimitExceeded";
        assertThatThrownBy(() -> service.grant(input(List.of("222222222222"), false)))
                .isInstanceOf(AwsThrottledException.class);
    }

    @Test
    void grant_shouldRaiseAccessDenied_whenTheRoleLacksPermission() {
        ec2.failWithCode = "UnauthorizedOperation";
        assertThatThrownBy(() -> service.grant(input(List.of("222222222222"), false)))
                .isInstanceOf(AwsAccessDeniedException.class)
                .hasMessageContaining("ec2:DescribeImageAttribute");
    }
}
