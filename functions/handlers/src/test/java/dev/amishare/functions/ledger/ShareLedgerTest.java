package dev.amishare.functions.ledger;

import static dev.amishare.functions.ledger.Ledgers.IMAGE_X;
import static dev.amishare.functions.ledger.Ledgers.IMAGE_Y;
import static dev.amishare.functions.ledger.Ledgers.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.contract.Names;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.KeyPolicyLeaseHeldException;
import dev.amishare.functions.testing.FakeDynamoDb;
import java.util.EnumSet;
import java.util.List;
import dev.amishare.functions.model.Principals;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShareLedgerTest {

    private final FakeDynamoDb ddb = new FakeDynamoDb();
    private final Ledgers.TestClock clock = new Ledgers.TestClock();
    private final ShareLedger ledger = Ledgers.ledger(ddb, clock);

    @Test
    void acquire_shouldWriteTheLeaseWithOwnerAndExpiry_whenNobodyHoldsIt() {
        // WHEN
        KeyLease lease = ledger.acquire(KEY, "exec-a");

        // THEN one item under LEASE#<key>, owned by the execution's token, expiring after the lease time
        long now = clock.instant().getEpochSecond();
        assertThat(lease.owner()).isEqualTo("exec-a#token-1");
        assertThat(lease.expiresAt()).isEqualTo(now + Names.LEDGER_LEASE_SECONDS);
        var item = ddb.item("LEASE#" + KEY, "LEASE");
        assertThat(item.get("owner").s()).isEqualTo("exec-a#token-1");
        assertThat(item.get("executionId").s()).isEqualTo("exec-a");
        assertThat(item.get(Names.LEDGER_TTL_ATTRIBUTE).n()).isEqualTo(Long.toString(now + Names.LEDGER_LEASE_SECONDS));
    }

    @Test
    void acquire_shouldRefuseNamingTheHolder_whenAnotherExecutionHoldsALiveLease() {
        // GIVEN execution a holds the lease
        KeyLease held = ledger.acquire(KEY, "exec-a");
        clock.advanceSeconds(Names.LEDGER_LEASE_SECONDS);

        // WHEN / THEN b is refused with the retryable error, even at the last second of a's lease
        assertThatThrownBy(() -> ledger.acquire(KEY, "exec-b"))
                .isInstanceOfSatisfying(KeyPolicyLeaseHeldException.class, e -> {
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.keyArn()).isEqualTo(KEY);
                    assertThat(e).hasMessageContaining("execution exec-a").hasMessageContaining("2026-12-02T10:01:15Z");
                });
        assertThat(ddb.item("LEASE#" + KEY, "LEASE").get("owner").s()).isEqualTo(held.owner());
    }

    @Test
    void acquire_shouldTakeTheLeaseOver_whenItHasExpired() {
        // GIVEN a's lease has expired (its holder stopped without releasing it)
        KeyLease stale = ledger.acquire(KEY, "exec-a");
        clock.advanceSeconds(Names.LEDGER_LEASE_SECONDS + 1);

        // WHEN b takes it, and a's late release comes after
        KeyLease taken = ledger.acquire(KEY, "exec-b");
        ledger.release(stale);

        // THEN b holds it: a's release is conditional on a's own token
        assertThat(ddb.item("LEASE#" + KEY, "LEASE").get("owner").s()).isEqualTo(taken.owner());
        assertThatThrownBy(() -> ledger.acquire(KEY, "exec-c")).isInstanceOf(KeyPolicyLeaseHeldException.class);

        // AND once b releases it, the next writer gets it at once
        ledger.release(taken);
        assertThat(ddb.item("LEASE#" + KEY, "LEASE")).isNull();
        assertThat(ledger.acquire(KEY, "exec-c").owner()).startsWith("exec-c#");
    }

    @Test
    void release_shouldNotThrow_whenTheLeaseIsAlreadyGone() {
        // GIVEN a lease released twice
        KeyLease lease = ledger.acquire(KEY, "exec-a");
        ledger.release(lease);

        // WHEN / THEN the second release changes nothing and raises nothing (it runs in a finally)
        ledger.release(lease);
        assertThat(ddb.count("DeleteItem")).isEqualTo(2);
        assertThat(ddb.item("LEASE#" + KEY, "LEASE")).isNull();
    }

    private List<Grant> keyGrants(List<String> principals, String imageId, String shareId) {
        return ledger.grantsOf(Grant.Kind.KEY, KEY, principals, imageId, shareId, shareId, "arn:aws:iam::111111111111:role/ops");
    }

    @Test
    void grants_shouldListEveryGrantByPrincipalAndShare_whenRecordedInBatchesAndReadInPages() {
        // GIVEN 60 accounts granted by share a (three batches of at most 25), one of them by share b too
        List<String> accounts = IntStream.range(0, 60).mapToObj(i -> String.format("2%011d", i)).toList();
        ledger.record(keyGrants(accounts, IMAGE_X, "share-a"));
        ledger.record(keyGrants(List.of(accounts.get(0)), IMAGE_Y, "share-b"));

        // WHEN read back in pages of 2
        List<Grant> grants = ledger.grants(KEY);

        // THEN
        assertThat(ddb.count("BatchWriteItem")).isEqualTo(4);
        assertThat(ddb.count("Query")).isEqualTo(31);
        assertThat(grants).hasSize(61);
        assertThat(grants.stream().filter(g -> g.principal().equals(accounts.get(0))).map(Grant::shareId))
                .containsExactly("share-a", "share-b");
        var item = ddb.item("GRANT#" + KEY, accounts.get(0) + "#share-b");
        assertThat(item.get("kind").s()).isEqualTo("KEY");
        assertThat(item.get("imageId").s()).isEqualTo(IMAGE_Y);
        assertThat(item.get("executionId").s()).isEqualTo("share-b");
        assertThat(item.get("requestedBy").s()).isEqualTo("arn:aws:iam::111111111111:role/ops");
        assertThat(item.get("grantedAt").s()).isEqualTo("2026-12-02T10:00:00Z");
        assertThat(item).doesNotContainKey(Names.LEDGER_TTL_ATTRIBUTE);
    }

    @Test
    void removal_shouldKeepOnlyPrincipalsAnotherShareHolds_whenOneShareIsRevoked() {
        // GIVEN 222 granted by shares a and b, 333 by a only
        ledger.record(keyGrants(List.of("222222222222", "333333333333"), IMAGE_X, "share-a"));
        ledger.record(keyGrants(List.of("222222222222"), IMAGE_Y, "share-b"));

        // WHEN share a's grants to both are planned for removal, then forgotten
        ShareLedger.Removal removal = ShareLedger.removal(ledger.grants(KEY),
                List.of("222222222222", "333333333333"), new GrantScope("share-a", IMAGE_X));
        ledger.forget(removal.ending());

        // THEN 333 loses the key, 222 keeps it for share b, and only share b's item is left
        assertThat(removal.remove()).containsExactly("333333333333");
        assertThat(removal.kept()).containsExactly("222222222222");
        assertThat(ddb.sortKeys("GRANT#" + KEY)).containsExactly("222222222222#share-b");
    }

    @Test
    void removal_shouldEndEveryShareOfTheImage_whenNoShareIsNamed() {
        // GIVEN 222 granted image X by two shares and image Y by a third
        ledger.record(keyGrants(List.of("222222222222"), IMAGE_X, "share-a"));
        ledger.record(keyGrants(List.of("222222222222"), IMAGE_X, "share-b"));
        ledger.record(keyGrants(List.of("222222222222"), IMAGE_Y, "share-c"));

        // WHEN image X is revoked from 222 by an operator, naming no share
        ShareLedger.Removal removal = ShareLedger.removal(ledger.grants(KEY), List.of("222222222222"),
                new GrantScope(null, IMAGE_X));

        // THEN both of X's grants end, and Y's keeps the key
        assertThat(removal.ending()).extracting(Grant::shareId).containsExactly("share-a", "share-b");
        assertThat(removal.remove()).isEmpty();
    }

    @Test
    void record_shouldSendUnprocessedItemsOnceMore_thenReportThrottling() {
        // GIVEN DynamoDB leaves an item of the first batch unprocessed
        ddb.unprocessedBatches = 1;

        // WHEN / THEN the item is sent again at once and written
        ledger.record(keyGrants(List.of("222222222222", "333333333333"), IMAGE_X, "share-a"));
        assertThat(ddb.count("BatchWriteItem")).isEqualTo(2);
        assertThat(ledger.grants(KEY)).extracting(Grant::principal).containsExactly("222222222222", "333333333333");

        // AND when it stays unprocessed, the state machine's backoff takes over
        ddb.unprocessedBatches = 2;
        assertThatThrownBy(() -> ledger.record(keyGrants(List.of("444444444444"), IMAGE_X, "share-a")))
                .isInstanceOf(AwsThrottledException.class).hasMessageContaining("unprocessed");
    }

    private ShareRecord share(String id, ShareRecord.State state) {
        return new ShareRecord(id, IMAGE_X, "us-east-1", Principals.ofAccounts(List.of("222222222222")),
                List.of(KEY), List.of("snap-11111111"), state, "arn:aws:iam::111111111111:role/ops",
                "2026-12-02T10:00:00Z", "2026-12-02T10:00:00Z", null, null);
    }

    @Test
    void putShare_shouldLeaveTheShareAsItIs_whenPrepareIsReplayedAfterTheShareMovedOn() {
        // GIVEN a share recorded and moved to SHARED by its report
        ledger.putShare(share("share-a", ShareRecord.State.RUNNING));
        clock.advanceSeconds(5);
        assertThat(ledger.moveShare("share-a", EnumSet.of(ShareRecord.State.RUNNING), ShareRecord.State.SHARED,
                "{\"total\":1}")).isTrue();

        // WHEN Prepare runs again for it
        ledger.putShare(share("share-a", ShareRecord.State.RUNNING));

        // THEN the share stays SHARED, with its summary and the time it moved
        ShareRecord read = ledger.share("share-a").orElseThrow();
        assertThat(read.state()).isEqualTo(ShareRecord.State.SHARED);
        assertThat(read.summary()).isEqualTo("{\"total\":1}");
        assertThat(read.updatedAt()).isEqualTo("2026-12-02T10:00:05Z");
        assertThat(read.principals().accountIds()).containsExactly("222222222222");
        assertThat(read.keyArns()).containsExactly(KEY);
    }

    @Test
    void moveShare_shouldRefuse_whenTheShareIsNotInAGivenStateOrNotRecorded() {
        // GIVEN an unshared share
        ledger.putShare(share("share-a", ShareRecord.State.UNSHARED));

        // WHEN / THEN neither it nor an unknown share moves
        assertThat(ledger.moveShare("share-a", EnumSet.of(ShareRecord.State.RUNNING), ShareRecord.State.SHARED, null))
                .isFalse();
        assertThat(ledger.moveShare("share-x", EnumSet.of(ShareRecord.State.RUNNING), ShareRecord.State.SHARED, null))
                .isFalse();
        assertThat(ledger.share("share-a").orElseThrow().state()).isEqualTo(ShareRecord.State.UNSHARED);
        assertThat(ledger.share("share-x")).isEmpty();
    }

    @Test
    void shares_shouldListEveryShareInPages_whenAskedPageByPage() {
        // GIVEN three shares
        for (String id : List.of("share-a", "share-b", "share-c")) {
            ledger.putShare(share(id, ShareRecord.State.RUNNING));
        }

        // WHEN listed two at a time
        ShareRecords.Page first = ledger.shares(2, null);
        ShareRecords.Page second = ledger.shares(2, first.next());

        // THEN
        assertThat(first.shares()).extracting(ShareRecord::shareId).containsExactly("share-a", "share-b");
        assertThat(second.shares()).extracting(ShareRecord::shareId).containsExactly("share-c");
        assertThat(second.next()).isNull();
    }

    @Test
    void ledger_shouldRefuseToStart_whenNoTableIsConfigured() {
        assertThatThrownBy(() -> new ShareLedger(ddb, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Names.ENV_LEDGER_TABLE);
    }
}
