package dev.amishare.functions.launch;

import dev.amishare.functions.testing.FakeDynamoDb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.AwsAccessDeniedException;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.errors.OutsidePerimeterException;
import dev.amishare.errors.ShareDataMissingException;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.Perimeters;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

class GrantLaunchPermissionServiceTest {

    private static final String IMAGE = "ami-0123456789abcdef0";
    private static final String ORG = "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5";
    private static final String OU = "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-cdef3456";

    private final RecordingEc2 ec2 = new RecordingEc2();
    private final FakeS3 s3 = new FakeS3();
    private final GrantLaunchPermissionService service =
            new GrantLaunchPermissionService(ec2, Perimeters.testGuard(), s3.store(), FakeDynamoDb.ledger());

    private static GrantLaunchPermissionInput input(List<String> accounts, Boolean dryRun) {
        return new GrantLaunchPermissionInput(IMAGE, Principals.ofAccounts(accounts), null, dryRun, "exec-1");
    }

    /** The accounts as the workflow passes them: a target list in S3. */
    private TargetSet inS3(List<String> accounts) {
        S3Location at = s3.seed("shares/exec-1/ready.json",
                accounts.stream().map(a -> new ShareRequest.Target(a, null)).toList());
        return new TargetSet(at, accounts.size(), null, null);
    }

    @Test
    void grant_shouldAddEveryAccount_whenNoneHasPermission() {
        // GIVEN an AMI nobody else may launch
        // WHEN
        LaunchPermissionResult result = service.grant(input(List.of("222222222222", "333333333333"), null));

        // THEN one call adds both accounts
        assertThat(result.added()).isEqualTo(2);
        assertThat(result.alreadyPresent()).isZero();
        assertThat(result.calls()).isEqualTo(1);
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
        assertThat(second.added()).isZero();
        assertThat(second.alreadyPresent()).isEqualTo(1);
        assertThat(second.calls()).isZero();
        assertThat(ec2.modifications).hasSize(1);
    }

    @Test
    void grant_shouldAddOnlyTheMissingAccount_whenOneIsPresent() {
        // GIVEN 222 already has access
        ec2.permissions.add(LaunchPermission.builder().userId("222222222222").build());

        // WHEN
        LaunchPermissionResult result = service.grant(input(List.of("222222222222", "333333333333"), null));

        // THEN
        assertThat(result.added()).isEqualTo(1);
        assertThat(result.alreadyPresent()).isEqualTo(1);
        assertThat(ec2.modifications.get(0).launchPermission().add()).extracting(LaunchPermission::userId)
                .containsExactly("333333333333");
    }

    @Test
    void grant_shouldGrantOrganizationAndOu_whenArnsAreGiven() {
        // GIVEN organization and OU targets
        GrantLaunchPermissionInput in = new GrantLaunchPermissionInput(IMAGE, new Principals(null, List.of(ORG), List.of(OU)), null,
                false, null);

        // WHEN
        LaunchPermissionResult result = service.grant(in);

        // THEN
        assertThat(result.added()).isEqualTo(2);
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
        assertThat(result.added()).isEqualTo(1);
        assertThat(result.calls()).isZero();
        assertThat(ec2.modifications).isEmpty();
    }

    @Test
    void grant_shouldFailBeforeAnyAwsCall_whenImageIdAndAccountsAreMalformed() {
        // GIVEN a malformed image id, a short account id and a duplicate
        GrantLaunchPermissionInput in = new GrantLaunchPermissionInput(
                "ami-XYZ", new Principals(List.of("2222", "333333333333", "333333333333"), List.of("o-123"), null), null,
                false, null);

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

    @Test
    void grant_shouldAddInChunksOfAtMost500_whenThereAre1001Accounts() {
        // GIVEN 1,001 target accounts in S3, all inside the perimeter, none with access yet
        List<String> accounts = IntStream.range(0, 1001).mapToObj(i -> String.format("%012d", 100000000000L + i))
                .toList();
        GrantLaunchPermissionService wide = new GrantLaunchPermissionService(ec2,
                PerimeterGuard.allowing(accounts.toArray(String[]::new)), s3.store(), FakeDynamoDb.ledger());
        GrantLaunchPermissionInput in = new GrantLaunchPermissionInput(IMAGE, null, inS3(accounts), false, "exec-1");

        // WHEN
        LaunchPermissionResult result = wide.grant(in);

        // THEN three ModifyImageAttribute calls of 500, 500 and 1 add every account once
        assertThat(result.added()).isEqualTo(1001);
        assertThat(result.calls()).isEqualTo(3);
        assertThat(ec2.modifications).extracting(m -> m.launchPermission().add().size())
                .containsExactly(500, 500, 1);
        assertThat(ec2.modifications).allSatisfy(m -> assertThat(m.launchPermission().add())
                .hasSizeLessThanOrEqualTo(GrantLaunchPermissionService.MAX_PER_CALL));
        assertThat(ec2.modifications.stream().flatMap(m -> m.launchPermission().add().stream())
                .map(LaunchPermission::userId)).containsExactlyElementsOf(accounts);
    }

    @Test
    void grant_shouldGrantTheAccountsInS3AndTheInlinePrincipals_whenBothAreGiven() {
        // GIVEN ready accounts in S3, an organization in the set and an inline account
        TargetSet targets = new TargetSet(inS3(List.of("222222222222", "333333333333")).accounts(), 2,
                List.of(ORG), null);
        GrantLaunchPermissionInput in = new GrantLaunchPermissionInput(IMAGE,
                Principals.ofAccounts(List.of("444444444444")), targets, false, "exec-1");

        // WHEN
        LaunchPermissionResult result = service.grant(in);

        // THEN one call adds the inline account, then the accounts read from S3, then the organization
        assertThat(result.added()).isEqualTo(4);
        assertThat(ec2.modifications).hasSize(1);
        assertThat(ec2.modifications.get(0).launchPermission().add())
                .extracting(LaunchPermission::userId, LaunchPermission::organizationArn)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("444444444444", null),
                        org.assertj.core.groups.Tuple.tuple("222222222222", null),
                        org.assertj.core.groups.Tuple.tuple("333333333333", null),
                        org.assertj.core.groups.Tuple.tuple(null, ORG));
    }

    @Test
    void grant_shouldRefuseBeforeAnyEc2Call_whenAnAccountInS3IsOutsideThePerimeter() {
        // GIVEN 999999999999, outside the test organization, among the targets in S3
        GrantLaunchPermissionInput in = new GrantLaunchPermissionInput(IMAGE, null,
                inS3(List.of("222222222222", "999999999999")), false, "exec-1");

        // WHEN / THEN
        assertThatThrownBy(() -> service.grant(in)).isInstanceOf(OutsidePerimeterException.class)
                .hasMessageContaining("999999999999");
        assertThat(ec2.describeCalls).isZero();
        assertThat(ec2.modifications).isEmpty();
    }

    @Test
    void grant_shouldRaiseShareDataMissing_whenTheTargetListIsNotInS3() {
        // GIVEN a target set naming an object nobody wrote
        TargetSet targets = new TargetSet(new S3Location(FakeS3.BUCKET, "shares/exec-1/ready.json"), 1, null, null);
        GrantLaunchPermissionInput in = new GrantLaunchPermissionInput(IMAGE, null, targets, false, "exec-1");

        // WHEN / THEN
        assertThatThrownBy(() -> service.grant(in)).isInstanceOf(ShareDataMissingException.class)
                .hasMessageContaining("s3://" + FakeS3.BUCKET + "/shares/exec-1/ready.json");
        assertThat(ec2.modifications).isEmpty();
    }
}
