package dev.amishare.functions.snapshots;

import dev.amishare.functions.testing.FakeDynamoDb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.contract.Perimeter;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.Perimeters;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SnapshotPermissionServiceTest {

    private static final String SNAP_1 = "snap-11111111";
    private static final String SNAP_2 = "snap-0123456789abcdef0";

    private final FakeEc2 ec2 = new FakeEc2();
    private final FakeS3 s3 = new FakeS3();
    private final SnapshotPermissionService service =
            new SnapshotPermissionService(ec2, Perimeters.testGuard(), s3.store(), FakeDynamoDb.ledger());

    private static SnapshotPermissionInput input(List<String> accounts, boolean dryRun) {
        return new SnapshotPermissionInput(List.of(SNAP_1, SNAP_2), accounts, dryRun, "exec-1");
    }

    @Test
    void grant_shouldAddEveryCopyingAccountToEverySnapshot_whenNoneHasPermission() {
        // WHEN
        SnapshotPermissionResult result = service.grant(input(List.of("222222222222", "333333333333"), false));

        // THEN one call per snapshot
        assertThat(result.snapshots()).extracting(SnapshotPermissionChange::added).containsExactly(2, 2);
        assertThat(result.snapshots()).extracting(SnapshotPermissionChange::calls).containsExactly(1, 1);
        assertThat(ec2.snapshotModifications).hasSize(2);
        assertThat(ec2.volumePermissions.get(SNAP_2)).containsExactly("222222222222", "333333333333");
    }

    @Test
    void grant_shouldReportAlreadyPresentAndNotWrite_whenRunTwice() {
        // GIVEN
        service.grant(input(List.of("222222222222"), false));

        // WHEN
        SnapshotPermissionResult second = service.grant(input(List.of("222222222222"), false));

        // THEN
        assertThat(second.snapshots()).allSatisfy(c -> {
            assertThat(c.added()).isZero();
            assertThat(c.alreadyPresent()).isEqualTo(1);
            assertThat(c.calls()).isZero();
        });
        assertThat(ec2.snapshotModifications).hasSize(2);
    }

    @Test
    void grant_shouldSplitIntoCallsOf500_whenThereAre1001Accounts() {
        // GIVEN 1001 copying accounts
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            accounts.add(String.format("%012d", 100000000000L + i));
        }

        SnapshotPermissionService service = new SnapshotPermissionService(ec2,
                new PerimeterGuard(new Perimeter(null, null, accounts), null), s3.store(), FakeDynamoDb.ledger());

        // WHEN
        SnapshotPermissionResult result =
                service.grant(new SnapshotPermissionInput(List.of(SNAP_1), accounts, false, null));

        // THEN
        assertThat(result.snapshots().get(0).added()).isEqualTo(1001);
        assertThat(result.snapshots().get(0).calls()).isEqualTo(3);
        assertThat(ec2.snapshotModifications).extracting(r -> r.createVolumePermission().add().size())
                .containsExactly(500, 500, 1);
        assertThat(ec2.volumePermissions.get(SNAP_1)).hasSize(1001);
    }

    @Test
    void grant_shouldChangeNothing_whenDryRun() {
        // WHEN
        SnapshotPermissionResult result = service.grant(input(List.of("222222222222"), true));

        // THEN
        assertThat(result.dryRun()).isTrue();
        assertThat(result.snapshots().get(0).added()).isEqualTo(1);
        assertThat(result.snapshots().get(0).calls()).isZero();
        assertThat(ec2.snapshotModifications).isEmpty();
    }

    @Test
    void grant_shouldMakeNoCall_whenNoTargetCopies() {
        // WHEN
        SnapshotPermissionResult result = service.grant(input(List.of(), false));

        // THEN
        assertThat(result.snapshots()).isEmpty();
        assertThat(ec2.calls).isZero();
    }

    @Test
    void revoke_shouldRemoveOnlyTheGivenAccounts_whenOthersKeepPermission() {
        // GIVEN
        ec2.volumePermissions.put(SNAP_1, new LinkedHashSet<>(Set.of("222222222222", "444444444444")));

        // WHEN
        SnapshotPermissionResult result = service.revoke(
                new SnapshotPermissionInput(List.of(SNAP_1), List.of("222222222222", "333333333333"), false, null));

        // THEN
        assertThat(result.snapshots().get(0).removed()).isEqualTo(1);
        assertThat(result.snapshots().get(0).absent()).isEqualTo(1);
        assertThat(ec2.volumePermissions.get(SNAP_1)).containsExactly("444444444444");
    }

    @Test
    void grant_shouldFailBeforeAnyCall_whenIdsAreMalformed() {
        assertThatThrownBy(() -> service.grant(new SnapshotPermissionInput(List.of("vol-1"), List.of("1"), false, null)))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems()).hasSize(2));
        assertThat(ec2.calls).isZero();
    }

    @Test
    void grant_shouldRaiseRetryableError_whenEc2Throttles() {
        ec2.failWithCode = "RequestLimitExceeded";
        assertThatThrownBy(() -> service.grant(input(List.of("222222222222"), false)))
                .isInstanceOf(AwsThrottledException.class);
    }

    @Test
    void grant_shouldShareOnlyWithTheCopyingTargets_whenTheTargetsAreAnS3List() {
        // GIVEN ready targets in S3: 222 copies, 333 only launches
        S3Location at = s3.seed("shares/exec-1/ready.json", List.of(
                new ShareRequest.Target("222222222222", List.of(new ShareRequest.Copy("eu-west-1", "alias/golden"))),
                new ShareRequest.Target("333333333333", null)));
        SnapshotPermissionInput in = new SnapshotPermissionInput(List.of(SNAP_1), null, new TargetSet(at, 2, null, null),
                false, "exec-1");

        // WHEN
        SnapshotPermissionResult result = service.grant(in);

        // THEN only the copying account may create volumes from the snapshot
        assertThat(result.snapshots().get(0).added()).isEqualTo(1);
        assertThat(ec2.volumePermissions.get(SNAP_1)).containsExactly("222222222222");
    }
}
