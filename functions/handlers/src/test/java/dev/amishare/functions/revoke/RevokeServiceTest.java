package dev.amishare.functions.revoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.launch.GrantLaunchPermissionInput;
import dev.amishare.functions.launch.GrantLaunchPermissionService;
import dev.amishare.functions.snapshots.SnapshotPermissionInput;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.RecordingKms;
import java.util.List;
import org.junit.jupiter.api.Test;

class RevokeServiceTest {

    static final String IMAGE = "ami-0123456789abcdef0";
    static final String KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    static final String SNAP = "snap-11111111";
    static final String OU = "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-cdef3456";
    static final String POLICY = """
            {"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow",
             "Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}]}""";

    private final FakeEc2 ec2 = new FakeEc2();
    private final RecordingKms kms = new RecordingKms();
    private final KeyPolicyService keys = new KeyPolicyService(kms);
    private final SnapshotPermissionService snapshots = new SnapshotPermissionService(ec2);
    private final RevokeService service = new RevokeService(ec2, snapshots, keys);

    RevokeServiceTest() {
        kms.policies.put(KEY, POLICY);
    }

    /** Runs the three grant stages for 222 and 333 (copying) and the OU. */
    private void share() {
        new GrantLaunchPermissionService(ec2).grant(new GrantLaunchPermissionInput(IMAGE,
                List.of("222222222222", "333333333333"), null, List.of(OU), false, null));
        keys.grant(new KeyPolicyInput(List.of(KEY), List.of("222222222222", "333333333333"), null, List.of(OU), false,
                null));
        snapshots.grant(new SnapshotPermissionInput(List.of(SNAP), List.of("222222222222", "333333333333"), false, null));
    }

    private static RevokeInput input(List<String> accounts, List<String> ous, boolean dryRun) {
        return new RevokeInput(IMAGE, accounts, null, ous, List.of(KEY), List.of(SNAP), dryRun, "exec-1");
    }

    @Test
    void revoke_shouldUndoEveryGrant_whenAllTargetsAreRevoked() throws Exception {
        // GIVEN a complete share
        share();

        // WHEN
        RevokeResult result = service.revoke(input(List.of("222222222222", "333333333333"), List.of(OU), false));

        // THEN launch, snapshot and key access are all gone, and the key policy is as before
        assertThat(result.launchPermissionsRemoved()).containsExactly("222222222222", "333333333333", OU);
        assertThat(ec2.launchPermissions.get(IMAGE)).isEmpty();
        assertThat(ec2.volumePermissions.get(SNAP)).isEmpty();
        assertThat(result.snapshots().get(0).removed()).containsExactly("222222222222", "333333333333");
        assertThat(result.keys().get(0).removed())
                .containsExactly("222222222222", "333333333333", "o-a1b2c3d4e5/*/ou-ab12-cdef3456/*");
        ObjectMapper mapper = new ObjectMapper();
        assertThat(mapper.readTree(kms.policies.get(KEY))).isEqualTo(mapper.readTree(POLICY));
    }

    @Test
    void revoke_shouldKeepOtherTargets_whenOneAccountIsRevoked() {
        // GIVEN
        share();

        // WHEN
        service.revoke(input(List.of("222222222222"), List.of(), false));

        // THEN
        assertThat(ec2.launchPermissions.get(IMAGE)).containsExactlyInAnyOrder("333333333333", OU);
        assertThat(ec2.volumePermissions.get(SNAP)).containsExactly("333333333333");
        assertThat(kms.policies.get(KEY)).contains("arn:aws:iam::333333333333:root")
                .doesNotContain("arn:aws:iam::222222222222:root");
    }

    @Test
    void revoke_shouldWriteNothing_whenRunTwice() {
        // GIVEN a share revoked once
        share();
        service.revoke(input(List.of("222222222222", "333333333333"), List.of(OU), false));
        int imageWrites = ec2.imageModifications.size();
        int snapshotWrites = ec2.snapshotModifications.size();
        int keyWrites = kms.puts.size();

        // WHEN
        RevokeResult again = service.revoke(input(List.of("222222222222", "333333333333"), List.of(OU), false));

        // THEN
        assertThat(again.launchPermissionsRemoved()).isEmpty();
        assertThat(again.launchPermissionsAbsent()).containsExactly("222222222222", "333333333333", OU);
        assertThat(ec2.imageModifications).hasSize(imageWrites);
        assertThat(ec2.snapshotModifications).hasSize(snapshotWrites);
        assertThat(kms.puts).hasSize(keyWrites);
    }

    @Test
    void revoke_shouldChangeNothing_whenDryRun() {
        // GIVEN
        share();
        String policy = kms.policies.get(KEY);

        // WHEN
        RevokeResult result = service.revoke(input(List.of("222222222222"), List.of(), true));

        // THEN it reports and leaves everything
        assertThat(result.dryRun()).isTrue();
        assertThat(result.launchPermissionsRemoved()).containsExactly("222222222222");
        assertThat(result.keys().get(0).removed()).containsExactly("222222222222");
        assertThat(ec2.launchPermissions.get(IMAGE)).contains("222222222222");
        assertThat(ec2.volumePermissions.get(SNAP)).contains("222222222222");
        assertThat(kms.policies.get(KEY)).isSameAs(policy);
    }

    @Test
    void revoke_shouldFailBeforeAnyCall_whenInputIsMalformed() {
        // GIVEN
        RevokeInput bad = new RevokeInput("ami-1", List.of("22"), null, null, List.of("alias/x"), List.of("snap-1"),
                false, null);

        // WHEN / THEN
        assertThatThrownBy(() -> service.revoke(bad))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems()).hasSize(4));
        assertThat(ec2.calls).isZero();
        assertThat(kms.reads).isZero();
    }
}
