package dev.amishare.functions.ledger;

import static dev.amishare.functions.ledger.Ledgers.ACCOUNTS;
import static dev.amishare.functions.ledger.Ledgers.IMAGE_X;
import static dev.amishare.functions.ledger.Ledgers.KEY;
import static dev.amishare.functions.ledger.Ledgers.KEY_2;
import static dev.amishare.functions.ledger.Ledgers.held;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.errors.KeyPolicyLeaseHeldException;
import dev.amishare.functions.keypolicy.KeyPolicyResult;
import dev.amishare.functions.testing.FakeDynamoDb;
import dev.amishare.functions.testing.RecordingKms;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The measurement of issue 13 as a test: eight executions at once, each adding one account to the same two keys. */
class KeyPolicyConcurrencyTest {

    @Test
    void grant_shouldLeaveEveryAccountInBothPolicies_whenEightExecutionsGrantAtOnce() throws Exception {
        // GIVEN two keys with their default policies and one ledger, as the functions share them
        PolicyKms kms = new PolicyKms().with(KEY, RecordingKms.DEFAULT_POLICY).with(KEY_2, RecordingKms.DEFAULT_POLICY);
        FakeDynamoDb ddb = new FakeDynamoDb();
        ShareLedger ledger = Ledgers.ledger(ddb, Clock.systemUTC());
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger refusals = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(ACCOUNTS.size());
        List<Future<KeyPolicyResult>> results = new ArrayList<>();

        // WHEN eight threads start together, each granting its own account on both keys, and each run refused
        // the lease is run again, as the state machine retries it
        for (int i = 0; i < ACCOUNTS.size(); i++) {
            String account = ACCOUNTS.get(i);
            String execution = "exec-" + i;
            results.add(pool.submit(() -> {
                start.await();
                while (true) {
                    try {
                        return Ledgers.service(kms, ledger)
                                .grant(Ledgers.input(List.of(KEY, KEY_2), account, IMAGE_X, execution));
                    } catch (KeyPolicyLeaseHeldException e) {
                        refusals.incrementAndGet();
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        start.countDown();
        List<KeyPolicyResult> done = new ArrayList<>();
        for (Future<KeyPolicyResult> result : results) {
            done.add(result.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();

        // THEN every execution found its account granted on both keys (added, or already there when a run
        // refused on the second key is retried), and both policies hold all eight
        assertThat(done).allSatisfy(r -> assertThat(r.keys()).allSatisfy(k -> {
            assertThat(k.added() + k.alreadyPresent()).isEqualTo(1);
            assertThat(k.verified()).isTrue();
        }));
        // the last key is edited only by runs that then succeed: each added its account there
        assertThat(done).allSatisfy(r -> assertThat(r.keys().get(1).added()).isEqualTo(1));
        assertThat(held(kms.policy(KEY), KEY, ACCOUNTS)).containsExactlyInAnyOrderElementsOf(ACCOUNTS);
        assertThat(held(kms.policy(KEY_2), KEY_2, ACCOUNTS)).containsExactlyInAnyOrderElementsOf(ACCOUNTS);
        // one write per account and key: no write was lost and had to be repeated
        assertThat(kms.puts()).isEqualTo(2 * ACCOUNTS.size());
        assertThat(ddb.item("LEASE#" + KEY, "LEASE")).isNull();
        assertThat(ddb.item("LEASE#" + KEY_2, "LEASE")).isNull();
        assertThat(ddb.sortKeys("GRANT#" + KEY)).hasSize(ACCOUNTS.size());
        // every refused run took no lease and wrote nothing: each key's lease was taken at least once per account
        assertThat(ddb.count("PutItem")).isGreaterThanOrEqualTo(2 * ACCOUNTS.size() + refusals.get());
    }
}
