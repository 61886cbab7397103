package dev.amishare.functions.revoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.launch.GrantLaunchPermissionInput;
import dev.amishare.functions.launch.GrantLaunchPermissionService;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import dev.amishare.functions.snapshots.SnapshotPermissionInput;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.FakeDynamoDb;
import dev.amishare.functions.ledger.ShareLedger;
import dev.amishare.functions.testing.Perimeters;
import dev.amishare.functions.testing.RecordingKms;
import java.util.List;
import java.util.Map;
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
    private final FakeS3 s3 = new FakeS3();
    private final FakeDynamoDb ddb = new FakeDynamoDb();
    private final ShareLedger ledger = new ShareLedger(ddb, FakeDynamoDb.TABLE);
    private final KeyPolicyService keys = new KeyPolicyService(kms, Perimeters.testGuard(), s3.store(), ledger);
    private final SnapshotPermissionService snapshots =
            new SnapshotPermissionService(ec2, Perimeters.testGuard(), s3.store(), ledger);
    private final RevokeService service = new RevokeService(ec2, snapshots, keys, Perimeters.testGuard(), s3.store(),
            ledger);

    RevokeServiceTest() {
        kms.policies.put(KEY, POLICY);
    }

    /** Runs the three grant stages for 222 and 333 (copying) and the OU. */
    private void share() {
        new GrantLaunchPermissionService(ec2, Perimeters.testGuard(), s3.store(), ledger).grant(
                new GrantLaunchPermissionInput(IMAGE,
                        new Principals(List.of("222222222222", "333333333333"), null, List.of(OU)), null, false, null));
        keys.grant(new KeyPolicyInput(List.of(KEY),
                new Principals(List.of("222222222222", "333333333333"), null, List.of(OU)), null, false, null));
        snapshots.grant(new SnapshotPermissionInput(List.of(SNAP), List.of("222222222222", "333333333333"), false, null));
    }

    private static RevokeInput input(List<String> accounts, List<String> ous, boolean dryRun) {
        return new RevokeInput(IMAGE, new Principals(accounts, null, ous), null, List.of(KEY), List.of(SNAP), dryRun,
                null, null, "exec-1");
    }

    @Test
    void revoke_shouldUndoEveryGrant_whenAllTargetsAreRevoked() throws Exception {
        // GIVEN a complete share
        share();

        // WHEN
        RevokeResult result = service.revoke(input(List.of("222222222222", "333333333333"), List.of(OU), false));

        // THEN launch, snapshot and key access are all gone, and the key policy is as before
        assertThat(result.launchPermissionsRemoved()).isEqualTo(3);
        assertThat(result.launchPermissionsAbsent()).isZero();
        assertThat(ec2.launchPermissions.get(IMAGE)).isEmpty();
        assertThat(ec2.volumePermissions.get(SNAP)).isEmpty();
        assertThat(result.snapshots().get(0).removed()).isEqualTo(2);
        assertThat(result.keys().get(0).removed()).isEqualTo(3);
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
        assertThat(kms.policies.get(KEY)).contains("\"kms:CallerAccount\":[\"333333333333\"]")
                .doesNotContain("222222222222");
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
        assertThat(again.launchPermissionsRemoved()).isZero();
        assertThat(again.launchPermissionsAbsent()).isEqualTo(3);
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
        assertThat(result.launchPermissionsRemoved()).isEqualTo(1);
        assertThat(result.keys().get(0).removed()).isEqualTo(1);
        assertThat(ec2.launchPermissions.get(IMAGE)).contains("222222222222");
        assertThat(ec2.volumePermissions.get(SNAP)).contains("222222222222");
        assertThat(kms.policies.get(KEY)).isSameAs(policy);
    }

    @Test
    void revoke_shouldLeaveAccessHeldBefore_whenGivenWhatToKeep() {
        // GIVEN a share for 222, 333 and the OU, of which 222 (launch, key, snapshot) and the OU (launch
        // only) already had access before the execution
        share();
        AccessBaseline keep = new AccessBaseline(List.of("222222222222", OU), Map.of(KEY, List.of("222222222222")),
                Map.of(SNAP, List.of("222222222222")));

        // WHEN
        RevokeResult result = service.revoke(new RevokeInput(IMAGE,
                new Principals(List.of("222222222222", "333333333333"), null, List.of(OU)), null, List.of(KEY),
                List.of(SNAP), false, keep, null, "exec-1"));

        // THEN what was kept stays, and everything else this share granted is gone
        assertThat(ec2.launchPermissions.get(IMAGE)).containsExactlyInAnyOrder("222222222222", OU);
        assertThat(result.launchPermissionsRemoved()).isEqualTo(1);
        assertThat(ec2.volumePermissions.get(SNAP)).containsExactly("222222222222");
        assertThat(result.snapshots().get(0).removed()).isEqualTo(1);
        assertThat(result.keys().get(0).removed()).isEqualTo(2);
        assertThat(kms.policies.get(KEY)).contains("\"kms:CallerAccount\":[\"222222222222\"]")
                .doesNotContain("333333333333", "ou-ab12-cdef3456");
    }

    @Test
    void revoke_shouldNotTouchAResource_whenEveryPrincipalOnItIsKept() {
        // GIVEN 222 had everything before the execution
        share();
        int keyWrites = kms.puts.size();
        int snapshotWrites = ec2.snapshotModifications.size();
        AccessBaseline keep = new AccessBaseline(List.of("222222222222"), Map.of(KEY, List.of("222222222222")),
                Map.of(SNAP, List.of("222222222222")));

        // WHEN
        RevokeResult result = service.revoke(new RevokeInput(IMAGE, Principals.ofAccounts(List.of("222222222222")),
                null, List.of(KEY), List.of(SNAP), false, keep, null, "exec-1"));

        // THEN nothing is written and nothing is reported removed
        assertThat(result.launchPermissionsRemoved()).isZero();
        assertThat(result.keys()).isEmpty();
        assertThat(result.snapshots()).isEmpty();
        assertThat(kms.puts).hasSize(keyWrites);
        assertThat(ec2.snapshotModifications).hasSize(snapshotWrites);
        assertThat(ec2.launchPermissions.get(IMAGE)).contains("222222222222");
    }

    @Test
    void read_shouldTakeKeepInTheBaselinesShape_whenGivenAsJson() {
        // GIVEN the baseline as Prepare writes it, passed on by the workflow as keep
        String json = """
                {"imageId":"ami-0123456789abcdef0","principals":{"accountIds":["222222222222"]},"keyArns":["%s"],
                 "snapshotIds":["%s"],"dryRun":false,"executionId":"exec-1",
                 "keep":{"launchPermission":["222222222222"],"keys":{"%s":["222222222222"]},
                         "snapshots":{"%s":[]}}}""".formatted(KEY, SNAP, KEY, SNAP);

        // WHEN
        RevokeInput input = Json.read(json, RevokeInput.class);

        // THEN
        assertThat(input.keep()).isEqualTo(new AccessBaseline(List.of("222222222222"),
                Map.of(KEY, List.of("222222222222")), Map.of(SNAP, List.of())));
        // AND an operator's call without keep keeps nothing, as before
        String withoutKeep = json.substring(0, json.indexOf(",\n \"keep\"")) + "}";
        assertThat(Json.read(withoutKeep, RevokeInput.class).keep()).isEqualTo(AccessBaseline.NONE);
    }

    @Test
    void revoke_shouldFailBeforeAnyCall_whenInputIsMalformed() {
        // GIVEN
        RevokeInput bad = new RevokeInput("ami-1", Principals.ofAccounts(List.of("22")), null, List.of("alias/x"),
                List.of("snap-1"), false, null, null, null);

        // WHEN / THEN
        assertThatThrownBy(() -> service.revoke(bad))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems()).hasSize(4));
        assertThat(ec2.calls).isZero();
        assertThat(kms.reads).isZero();
    }

    @Test
    void revoke_shouldTakeTheTargetsAndTheBaselineFromS3_whenTheRollbackPassesLocations() {
        // GIVEN a complete share, the failed granted targets (222 only) in S3 as the report wrote them, and the
        // baseline Prepare wrote: the OU had launch permission before the execution
        share();
        S3Location rollback = s3.seed("shares/exec-1/rollback.json",
                List.of(new ShareRequest.Target("222222222222", null)));
        S3Location baseline = s3.seed("shares/exec-1/baseline.json",
                new AccessBaseline(List.of(OU), Map.of(), Map.of()));
        RevokeInput in = new RevokeInput(IMAGE, new Principals(null, null, List.of(OU)),
                new TargetSet(rollback, 1, null, null), List.of(KEY), List.of(SNAP), false, null, baseline, "exec-1");

        // WHEN
        RevokeResult result = service.revoke(in);

        // THEN 222 loses everything, 333 (not in the list) keeps it, the OU's earlier launch permission stays
        assertThat(result.launchPermissionsRemoved()).isEqualTo(1);
        assertThat(ec2.launchPermissions.get(IMAGE)).containsExactlyInAnyOrder("333333333333", OU);
        assertThat(ec2.volumePermissions.get(SNAP)).containsExactly("333333333333");
        assertThat(kms.policies.get(KEY)).contains("\"kms:CallerAccount\":[\"333333333333\"]")
                .doesNotContain("222222222222");
    }
}
