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
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    @Test
    void grants_shouldListEveryImageByPrincipal_whenRecordedInBatchesAndReadInPages() {
        // GIVEN 60 accounts granted for image X (three batches of at most 25), one of them for image Y too
        List<String> accounts = IntStream.range(0, 60).mapToObj(i -> String.format("2%011d", i)).toList();
        ledger.recordGrants(KEY, accounts, IMAGE_X, "exec-a");
        ledger.recordGrants(KEY, List.of(accounts.get(0)), IMAGE_Y, "exec-b");

        // WHEN read back in pages of 2
        Map<String, Set<String>> grants = ledger.grants(KEY);

        // THEN
        assertThat(ddb.count("BatchWriteItem")).isEqualTo(4);
        assertThat(ddb.count("Query")).isEqualTo(31);
        assertThat(grants).hasSize(60);
        assertThat(grants.get(accounts.get(0))).containsExactly(IMAGE_X, IMAGE_Y);
        assertThat(grants.get(accounts.get(59))).containsExactly(IMAGE_X);
        var item = ddb.item("KEY#" + KEY, accounts.get(0) + "#" + IMAGE_Y);
        assertThat(item.get("executionId").s()).isEqualTo("exec-b");
        assertThat(item.get("grantedAt").s()).isEqualTo("2026-12-02T10:00:00Z");
        assertThat(item).doesNotContainKey(Names.LEDGER_TTL_ATTRIBUTE);
    }

    @Test
    void forgetGrants_shouldDeleteOnlyThatImagesItems_whenAPrincipalHasSeveral() {
        // GIVEN 222 granted for X and Y, 333 for X
        ledger.recordGrants(KEY, List.of("222222222222", "333333333333"), IMAGE_X, "exec-a");
        ledger.recordGrants(KEY, List.of("222222222222"), IMAGE_Y, "exec-b");

        // WHEN X is forgotten for both
        ledger.forgetGrants(KEY, Map.of("222222222222", List.of(IMAGE_X), "333333333333", List.of(IMAGE_X)));

        // THEN only 222's grant for Y is left
        assertThat(ddb.sortKeys("KEY#" + KEY)).containsExactly("222222222222#" + IMAGE_Y);
        assertThat(ledger.grants(KEY)).containsOnlyKeys("222222222222");
    }

    @Test
    void recordGrants_shouldSendUnprocessedItemsOnceMore_thenReportThrottling() {
        // GIVEN DynamoDB leaves an item of the first batch unprocessed
        ddb.unprocessedBatches = 1;

        // WHEN / THEN the item is sent again at once and written
        ledger.recordGrants(KEY, List.of("222222222222", "333333333333"), IMAGE_X, "exec-a");
        assertThat(ddb.count("BatchWriteItem")).isEqualTo(2);
        assertThat(ledger.grants(KEY)).containsOnlyKeys("222222222222", "333333333333");

        // AND when it stays unprocessed, the state machine's backoff takes over
        ddb.unprocessedBatches = 2;
        assertThatThrownBy(() -> ledger.recordGrants(KEY, List.of("444444444444"), IMAGE_X, "exec-a"))
                .isInstanceOf(AwsThrottledException.class).hasMessageContaining("unprocessed");
    }

    @Test
    void recordGrants_shouldRefuse_whenNoImageIsNamed() {
        assertThatThrownBy(() -> ledger.recordGrants(KEY, List.of("222222222222"), null, "exec-a"))
                .isInstanceOf(NullPointerException.class);
        assertThat(ddb.count("BatchWriteItem")).isZero();
    }

    @Test
    void ledger_shouldRefuseToStart_whenNoTableIsConfigured() {
        assertThatThrownBy(() -> new ShareLedger(ddb, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Names.ENV_LEDGER_TABLE);
    }
}
