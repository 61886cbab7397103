package dev.amishare.functions.ledger;

import static dev.amishare.functions.ledger.Interleaving.DONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.errors.ShareNotFoundException;
import dev.amishare.errors.ShareStillRunningException;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.keypolicy.KeyPolicyDocument;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.launch.GrantLaunchPermissionInput;
import dev.amishare.functions.launch.GrantLaunchPermissionService;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.revoke.RevokeInput;
import dev.amishare.functions.revoke.RevokeService;
import dev.amishare.functions.revoke.UnshareRequest;
import dev.amishare.functions.snapshots.SnapshotPermissionInput;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import dev.amishare.functions.testing.FakeDynamoDb;
import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.Perimeters;
import dev.amishare.functions.testing.RecordingKms;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Rollback and unshare take back one share's grants by reference, on all three resources: a principal that
 * another share still holds keeps its launch permission, snapshot permission and key. The last test
 * interleaves a grant with an unshare call by call on the launch permission, which has no lock.
 */
class ShareScopedRevokeTest {

    private static final String IMAGE = Ledgers.IMAGE_X;
    private static final String KEY = Ledgers.KEY;
    private static final String SNAP = "snap-11111111";
    private static final String X = "222222222222";
    private static final String Y = "333333333333";

    private final FakeEc2 ec2 = new FakeEc2();
    private final RecordingKms kms = new RecordingKms();
    private final FakeDynamoDb ddb = new FakeDynamoDb();
    private final Ledgers.TestClock clock = new Ledgers.TestClock();
    private final Interleaving schedule = new Interleaving();
    private final ShareLedger ledger = Ledgers.ledger(Gated.dynamoDb(ddb, schedule), clock);
    private final ShareStore store = new ShareStore(null, "unread");

    ShareScopedRevokeTest() {
        kms.policies.put(KEY, RecordingKms.DEFAULT_POLICY);
    }

    private RevokeService revoker(Ec2Client ec2) {
        return new RevokeService(ec2, new SnapshotPermissionService(ec2, Perimeters.testGuard(), store, ledger),
                new KeyPolicyService(kms, Perimeters.testGuard(), store, ledger), Perimeters.testGuard(), store,
                ledger);
    }

    private GrantLaunchPermissionService launcher(Ec2Client ec2) {
        return new GrantLaunchPermissionService(ec2, Perimeters.testGuard(), store, ledger);
    }

    /** Share {@code shareId} as the workflow runs it: its record, then the three grants. */
    private void share(String shareId, List<String> accounts, boolean copying) {
        ledger.putShare(new ShareRecord(shareId, IMAGE, "us-east-1", Principals.ofAccounts(accounts), List.of(KEY),
                List.of(SNAP), ShareRecord.State.RUNNING, "arn:aws:iam::111111111111:role/" + shareId,
                clock.instant().toString(), clock.instant().toString(), null, null));
        launcher(ec2).grant(new GrantLaunchPermissionInput(IMAGE, Principals.ofAccounts(accounts), null, false,
                shareId));
        new KeyPolicyService(kms, Perimeters.testGuard(), store, ledger).grant(new KeyPolicyInput(List.of(KEY),
                Principals.ofAccounts(accounts), null, false, shareId, IMAGE));
        if (copying) {
            new SnapshotPermissionService(ec2, Perimeters.testGuard(), store, ledger).grant(
                    new SnapshotPermissionInput(List.of(SNAP), accounts, false, shareId));
        }
    }

    private void ended(String shareId) {
        ledger.moveShare(shareId, EnumSet.of(ShareRecord.State.RUNNING), ShareRecord.State.SHARED, null);
    }

    private RevokeInput rollback(String shareId, List<String> accounts) {
        return new RevokeInput(IMAGE, Principals.ofAccounts(accounts), null, List.of(KEY), List.of(SNAP), false,
                AccessBaseline.NONE, null, shareId, shareId, null, null);
    }

    private static RevokeInput unshare(String shareId) {
        return new RevokeInput(null, null, null, null, null, false, null, null, "unshare-" + shareId, null,
                new UnshareRequest(shareId, false), "arn:aws:iam::111111111111:role/ops");
    }

    private List<String> inKey() {
        return KeyPolicyDocument.parse(kms.policies.get(KEY), KEY).held(Principals.ofAccounts(List.of(X, Y)))
                .unchanged;
    }

    @Test
    void rollback_shouldKeepWhatAnEarlierShareGranted_whenALaterShareOfTheSameAccountFails() {
        // GIVEN share A granted X; share B, asking for X and Y after A succeeded, granted both and failed
        share("share-a", List.of(X), true);
        ended("share-a");
        share("share-b", List.of(X, Y), true);

        // WHEN B rolls back what it granted (Prepare read X as held before, but the ledger alone must decide)
        revoker(ec2).revoke(rollback("share-b", List.of(X, Y)));

        // THEN X keeps launch, snapshot and key access; Y has none; only A's grants are left
        assertThat(ec2.launchPermissions.get(IMAGE)).containsExactly(X);
        assertThat(ec2.volumePermissions.get(SNAP)).containsExactly(X);
        assertThat(inKey()).containsExactly(X);
        assertThat(ddb.sortKeys("GRANT#" + IMAGE)).containsExactly(X + "#share-a");
        assertThat(ddb.sortKeys("GRANT#" + SNAP)).containsExactly(X + "#share-a");
        assertThat(ddb.sortKeys("GRANT#" + KEY)).containsExactly(X + "#share-a");
        assertThat(ledger.share("share-b").orElseThrow().state()).isEqualTo(ShareRecord.State.ROLLED_BACK);
        assertThat(ledger.share("share-a").orElseThrow().state()).isEqualTo(ShareRecord.State.SHARED);
    }

    @Test
    void rollback_shouldEndItsOwnGrantsOfAccessHeldBefore_whenPrepareReadThatAccessInTheBaseline() {
        // GIVEN share A granted X; B's Prepare read X's access as held before, then B granted X and Y and failed
        share("share-a", List.of(X), true);
        ended("share-a");
        share("share-b", List.of(X, Y), true);
        AccessBaseline held = new AccessBaseline(List.of(X), java.util.Map.of(KEY, List.of(X)),
                java.util.Map.of(SNAP, List.of(X)));

        // WHEN B rolls back with that baseline
        revoker(ec2).revoke(new RevokeInput(IMAGE, Principals.ofAccounts(List.of(X, Y)), null, List.of(KEY),
                List.of(SNAP), false, held, null, "share-b", "share-b", null, null));

        // THEN X keeps its access, Y has none, and none of B's grant items is left
        assertThat(ec2.launchPermissions.get(IMAGE)).containsExactly(X);
        assertThat(ec2.volumePermissions.get(SNAP)).containsExactly(X);
        assertThat(inKey()).containsExactly(X);
        for (String resource : List.of(IMAGE, SNAP, KEY)) {
            assertThat(ddb.sortKeys("GRANT#" + resource)).as(resource).containsExactly(X + "#share-a");
        }
    }

    @Test
    void unshare_shouldTakeBackOnlyThatSharesGrants_whenAnotherShareOfTheImageHoldsOneOfItsAccounts() {
        // GIVEN share A for X, share B for X and Y, both ended
        share("share-a", List.of(X), true);
        ended("share-a");
        share("share-b", List.of(X, Y), false);
        ended("share-b");

        // WHEN A is unshared, then unshared again
        revoker(ec2).revoke(unshare("share-a"));
        int writes = ec2.imageModifications.size() + ec2.snapshotModifications.size() + kms.puts.size();
        revoker(ec2).revoke(unshare("share-a"));

        // THEN X keeps launch and key access through B, but not the snapshot, which only A gave it; the second
        // unshare changes nothing
        assertThat(ec2.launchPermissions.get(IMAGE)).containsExactlyInAnyOrder(X, Y);
        assertThat(ec2.volumePermissions.get(SNAP)).isEmpty();
        assertThat(inKey()).containsExactlyInAnyOrder(X, Y);
        assertThat(ddb.sortKeys("GRANT#" + IMAGE)).containsExactly(X + "#share-b", Y + "#share-b");
        assertThat(ddb.sortKeys("GRANT#" + SNAP)).isEmpty();
        assertThat(ledger.share("share-a").orElseThrow().state()).isEqualTo(ShareRecord.State.UNSHARED);
        assertThat(ec2.imageModifications.size() + ec2.snapshotModifications.size() + kms.puts.size())
                .isEqualTo(writes);
    }

    @Test
    void unshare_shouldRefuseAndChangeNothing_whenTheShareIsUnknownStillRunningOrTheInputSaysMore() {
        // GIVEN a running share
        share("share-a", List.of(X), false);
        int writes = ec2.imageModifications.size() + kms.puts.size();

        // WHEN / THEN
        assertThatThrownBy(() -> revoker(ec2).revoke(unshare("share-x"))).isInstanceOf(ShareNotFoundException.class)
                .hasMessageContaining("share-x");
        assertThatThrownBy(() -> revoker(ec2).revoke(unshare("share-a")))
                .isInstanceOf(ShareStillRunningException.class).hasMessageContaining("share-a");
        RevokeInput mixed = new RevokeInput(IMAGE, Principals.ofAccounts(List.of(Y)), null, null, null, false, null,
                null, "unshare-1", null, new UnshareRequest("bad id!", false), null);
        assertThatThrownBy(() -> revoker(ec2).revoke(mixed)).isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("unshare.shareId").hasMessageContaining("imageId")
                .hasMessageContaining("principals");
        assertThat(ec2.imageModifications.size() + kms.puts.size()).isEqualTo(writes);
        assertThat(ec2.launchPermissions.get(IMAGE)).containsExactly(X);
        assertThat(ledger.share("share-a").orElseThrow().state()).isEqualTo(ShareRecord.State.RUNNING);
    }

    @Test
    void unshareAndGrant_shouldLeaveTheLaunchPermission_whenAnotherShareGrantsItBetweenTheUnsharesReadAndRemoval() {
        // GIVEN share A granted X and ended
        share("share-a", List.of(X), false);
        ended("share-a");
        Ec2Client gated = Gated.ec2(ec2, schedule);

        // WHEN A's unshare reads the image's ledger (nobody else holds X) and stops before removing X ...
        schedule.start("unshare", () -> new RevokeService(gated,
                new SnapshotPermissionService(ec2, Perimeters.testGuard(), store, ledger),
                new KeyPolicyService(kms, Perimeters.testGuard(), store, ledger), Perimeters.testGuard(), store,
                ledger).revoke(unshare("share-a")));
        String at = schedule.next("unshare");
        while (!at.equals("ec2:ModifyImageAttribute")) {
            at = schedule.step("unshare", at);
        }
        // ... then share B grants X: its ledger item, then its launch permission (already there, no change)
        schedule.start("grant", () -> launcher(gated).grant(new GrantLaunchPermissionInput(IMAGE,
                Principals.ofAccounts(List.of(X)), null, false, "share-b")));
        assertThat(schedule.step("grant", "ec2:DescribeImageAttribute")).isEqualTo("dynamodb:BatchWriteItem");
        assertThat(schedule.step("grant", "dynamodb:BatchWriteItem")).isEqualTo(DONE);
        schedule.finish("grant");
        // ... and the unshare removes X, forgets A's item, and reads the ledger again
        assertThat(schedule.step("unshare", "ec2:ModifyImageAttribute")).isEqualTo("dynamodb:BatchWriteItem");
        assertThat(schedule.step("unshare", "dynamodb:BatchWriteItem")).isEqualTo("dynamodb:Query");
        assertThat(ec2.launchPermissions.get(IMAGE)).isEmpty();
        assertThat(schedule.step("unshare", "dynamodb:Query")).isEqualTo("ec2:ModifyImageAttribute");
        assertThat(schedule.step("unshare", "ec2:ModifyImageAttribute")).isNotNull();
        schedule.finish("unshare");

        // THEN X has its launch permission back for B, and the ledger holds B's grant only
        assertThat(ec2.launchPermissions.get(IMAGE)).containsExactly(X);
        assertThat(ddb.sortKeys("GRANT#" + IMAGE)).containsExactly(X + "#share-b");
    }
}
