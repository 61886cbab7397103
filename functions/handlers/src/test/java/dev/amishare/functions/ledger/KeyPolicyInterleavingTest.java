package dev.amishare.functions.ledger;

import static dev.amishare.functions.ledger.Interleaving.DONE;
import static dev.amishare.functions.ledger.Ledgers.IMAGE_X;
import static dev.amishare.functions.ledger.Ledgers.IMAGE_Y;
import static dev.amishare.functions.ledger.Ledgers.KEY;
import static dev.amishare.functions.ledger.Ledgers.held;
import static dev.amishare.functions.ledger.Ledgers.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.KeyPolicyLeaseHeldException;
import dev.amishare.errors.KeyPolicyOverwrittenException;
import dev.amishare.functions.keypolicy.KeyPolicyResult;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.testing.FakeDynamoDb;
import dev.amishare.functions.testing.RecordingKms;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two writers of one key policy, interleaved call by call on fakes ({@link Interleaving}): whatever the
 * order, no principal is lost and none is wrongly removed. A writer refused the lease ends with
 * {@link KeyPolicyLeaseHeldException}, and its retry (the state machine's, here a new run) comes later.
 */
class KeyPolicyInterleavingTest {

    private static final String PUT = "dynamodb:PutItem";
    private static final String DELETE = "dynamodb:DeleteItem";
    private static final String BATCH = "dynamodb:BatchWriteItem";
    private static final String QUERY = "dynamodb:Query";
    private static final String GET_POLICY = "kms:GetKeyPolicy";
    private static final String PUT_POLICY = "kms:PutKeyPolicy";
    private static final List<String> TWO = List.of("222222222222", "333333333333");

    private final FakeDynamoDb ddb = new FakeDynamoDb();
    private final PolicyKms kms = new PolicyKms().with(KEY, RecordingKms.DEFAULT_POLICY);
    private final Ledgers.TestClock clock = new Ledgers.TestClock();
    private final Interleaving schedule = new Interleaving();
    private final ShareLedger ledger = Ledgers.ledger(Gated.dynamoDb(ddb, schedule), clock);

    private KeyPolicyService writer() {
        return Ledgers.service(Gated.kms(kms, schedule), ledger);
    }

    private List<String> inPolicy() {
        return held(kms.policy(KEY), KEY, TWO);
    }

    @Test
    void grantAndGrant_shouldKeepBothAccounts_whenTheSecondWriterComesBetweenTheFirstsReadAndWrite() {
        // GIVEN A, granting 222, has read the policy and not written it yet
        schedule.start("A", () -> writer().grant(input(List.of(KEY), "222222222222", IMAGE_X, "exec-a")));
        schedule.start("B", () -> writer().grant(input(List.of(KEY), "333333333333", IMAGE_Y, "exec-b")));
        assertThat(schedule.step("A", PUT)).isEqualTo(BATCH);
        assertThat(schedule.step("A", BATCH)).isEqualTo(GET_POLICY);
        assertThat(schedule.step("A", GET_POLICY)).isEqualTo(PUT_POLICY);

        // WHEN B, granting 333, tries to edit the same policy
        assertThat(schedule.step("B", PUT)).isEqualTo(DONE);

        // THEN B is refused before reading anything; A writes, reads back and releases
        assertThatThrownBy(() -> schedule.finish("B")).isInstanceOf(KeyPolicyLeaseHeldException.class)
                .hasMessageContaining("exec-a");
        assertThat(schedule.step("A", PUT_POLICY)).isEqualTo(GET_POLICY);
        assertThat(schedule.step("A", GET_POLICY)).isEqualTo(DELETE);
        assertThat(schedule.step("A", DELETE)).isEqualTo(DONE);
        assertThat(((KeyPolicyResult) schedule.finish("A")).keys().get(0).added()).isEqualTo(1);

        // AND B's retry grants 333 on the policy A left: both accounts are there
        schedule.start("B2", () -> writer().grant(input(List.of(KEY), "333333333333", IMAGE_Y, "exec-b")));
        assertThat(((KeyPolicyResult) schedule.finish("B2")).keys().get(0).added()).isEqualTo(1);
        assertThat(inPolicy()).containsExactlyInAnyOrderElementsOf(TWO);
        assertThat(kms.puts()).isEqualTo(2);
        assertThat(ddb.item("LEASE#" + KEY, "LEASE")).isNull();
        assertThat(ddb.sortKeys("GRANT#" + KEY)).containsExactly("222222222222#exec-a", "333333333333#exec-b");
    }

    @Test
    void grantAndRevoke_shouldKeepTheAccount_whenAnotherImageIsGrantedWhileOneIsRevoked() {
        // GIVEN 222 holds the key for image X
        Ledgers.service(kms, ledger).grant(input(List.of(KEY), "222222222222", IMAGE_X, "exec-0"));

        // WHEN A grants image Y to 222 while B revokes image X from 222, and A takes the lease first
        schedule.start("A", () -> writer().grant(input(List.of(KEY), "222222222222", IMAGE_Y, "exec-a")));
        schedule.start("B", () -> writer().revoke(input(List.of(KEY), "222222222222", IMAGE_X, "exec-b")));
        assertThat(schedule.step("A", PUT)).isEqualTo(BATCH);
        assertThat(schedule.step("B", PUT)).isEqualTo(DONE);
        assertThatThrownBy(() -> schedule.finish("B")).isInstanceOf(KeyPolicyLeaseHeldException.class);
        schedule.finish("A");
        schedule.start("B2", () -> writer().revoke(input(List.of(KEY), "222222222222", IMAGE_X, "exec-b")));
        KeyPolicyResult revoked = (KeyPolicyResult) schedule.finish("B2");

        // THEN 222 keeps the key (image Y is still shared with it); only X's grant item is gone
        assertThat(revoked.keys().get(0).removed()).isZero();
        assertThat(inPolicy()).containsExactly("222222222222");
        assertThat(ddb.sortKeys("GRANT#" + KEY)).containsExactly("222222222222#exec-a");
    }

    @Test
    void revokeAndGrant_shouldEndWithTheGrant_whenTheRevokeTakesTheLeaseFirst() {
        // GIVEN 222 holds the key for image X
        Ledgers.service(kms, ledger).grant(input(List.of(KEY), "222222222222", IMAGE_X, "exec-0"));

        // WHEN B revokes X from 222 and has read the ledger (no other image), then A grants Y to 222
        schedule.start("B", () -> writer().revoke(input(List.of(KEY), "222222222222", IMAGE_X, "exec-b")));
        schedule.start("A", () -> writer().grant(input(List.of(KEY), "222222222222", IMAGE_Y, "exec-a")));
        assertThat(schedule.step("B", PUT)).isEqualTo(QUERY);
        assertThat(schedule.step("B", QUERY)).isEqualTo(GET_POLICY);
        assertThat(schedule.step("A", PUT)).isEqualTo(DONE);
        assertThatThrownBy(() -> schedule.finish("A")).isInstanceOf(KeyPolicyLeaseHeldException.class);
        assertThat(((KeyPolicyResult) schedule.finish("B")).keys().get(0).removed()).isEqualTo(1);
        assertThat(inPolicy()).isEmpty();
        schedule.start("A2", () -> writer().grant(input(List.of(KEY), "222222222222", IMAGE_Y, "exec-a")));
        schedule.finish("A2");

        // THEN the grant made after the revoke stands: 222 holds the key for Y
        assertThat(inPolicy()).containsExactly("222222222222");
        assertThat(ddb.sortKeys("GRANT#" + KEY)).containsExactly("222222222222#exec-a");
    }

    @Test
    void rollbackAndGrant_shouldRemoveOnlyWhatNoOtherShareHolds_whenARollbackMeetsARunningShare() {
        // GIVEN execution 2 granted image Y to 222 and 333 and is failing; execution 1 is sharing image X with
        // 222 and holds the lease between its read and its write
        Ledgers.service(kms, ledger).grant(input(List.of(KEY), TWO, IMAGE_Y, "exec-2"));
        schedule.start("share", () -> writer().grant(input(List.of(KEY), "222222222222", IMAGE_X, "exec-1")));
        schedule.start("rollback", () -> writer().revoke(input(List.of(KEY), TWO, IMAGE_Y, "exec-2")));
        schedule.step("share", PUT);
        schedule.step("share", BATCH);
        schedule.step("share", GET_POLICY);

        // WHEN the rollback of execution 2 comes, is refused, and is retried after the share
        assertThat(schedule.step("rollback", PUT)).isEqualTo(DONE);
        assertThatThrownBy(() -> schedule.finish("rollback")).isInstanceOf(KeyPolicyLeaseHeldException.class);
        schedule.finish("share");
        schedule.start("rollback2", () -> writer().revoke(input(List.of(KEY), TWO, IMAGE_Y, "exec-2")));
        KeyPolicyResult rolledBack = (KeyPolicyResult) schedule.finish("rollback2");

        // THEN 333 is removed; 222 stays for image X, which execution 1 shared with it
        assertThat(rolledBack.keys().get(0).removed()).isEqualTo(1);
        assertThat(inPolicy()).containsExactly("222222222222");
        assertThat(ddb.sortKeys("GRANT#" + KEY)).containsExactly("222222222222#exec-1");
    }

    @Test
    void grant_shouldApplyTheChangeOnceMore_whenAWriterOutsideAmishareReplacesThePolicyInBetween() {
        // GIVEN A has written its grant of 222
        schedule.start("A", () -> writer().grant(input(List.of(KEY), "222222222222", IMAGE_X, "exec-a")));
        schedule.step("A", PUT);
        schedule.step("A", BATCH);
        schedule.step("A", GET_POLICY);
        assertThat(schedule.step("A", PUT_POLICY)).isEqualTo(GET_POLICY);

        // WHEN somebody outside amishare puts the old policy back before A reads it back
        kms.with(KEY, RecordingKms.DEFAULT_POLICY);

        // THEN A reads, edits and writes once more, and the read-back holds 222
        assertThat(schedule.step("A", GET_POLICY)).isEqualTo(GET_POLICY);
        assertThat(schedule.step("A", GET_POLICY)).isEqualTo(PUT_POLICY);
        assertThat(schedule.step("A", PUT_POLICY)).isEqualTo(GET_POLICY);
        assertThat(schedule.step("A", GET_POLICY)).isEqualTo(DELETE);
        KeyPolicyResult result = (KeyPolicyResult) schedule.finish("A");
        assertThat(result.keys().get(0).added()).isEqualTo(1);
        assertThat(result.keys().get(0).verified()).isTrue();
        assertThat(kms.puts()).isEqualTo(2);
        assertThat(inPolicy()).containsExactly("222222222222");
    }

    @Test
    void grant_shouldFailNamingTheOverwrite_whenTheOutsideWriterReplacesThePolicyTwice() {
        // GIVEN A has written its grant of 222, and an outside writer replaces the policy after each write
        schedule.start("A", () -> writer().grant(input(List.of(KEY), "222222222222", IMAGE_X, "exec-a")));
        schedule.step("A", PUT);
        schedule.step("A", BATCH);
        schedule.step("A", GET_POLICY);
        schedule.step("A", PUT_POLICY);
        kms.with(KEY, RecordingKms.DEFAULT_POLICY);
        schedule.step("A", GET_POLICY);
        schedule.step("A", GET_POLICY);
        schedule.step("A", PUT_POLICY);
        kms.with(KEY, RecordingKms.DEFAULT_POLICY);

        // WHEN A reads back the second time
        assertThat(schedule.step("A", GET_POLICY)).isEqualTo(DELETE);

        // THEN it gives up with the named, retryable error and still releases the lease
        assertThat(schedule.step("A", DELETE)).isEqualTo(DONE);
        assertThatThrownBy(() -> schedule.finish("A")).isInstanceOfSatisfying(KeyPolicyOverwrittenException.class,
                e -> {
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e).hasMessageContaining(KEY).hasMessageContaining("lacked 1");
                });
        assertThat(kms.puts()).isEqualTo(2);
        assertThat(ddb.item("LEASE#" + KEY, "LEASE")).isNull();
    }

    @Test
    void revoke_shouldTakeTheKeyBackAndEndEveryGrant_whenNoImageIsNamed() {
        // GIVEN 222 holds the key for X and Y
        KeyPolicyService service = Ledgers.service(kms, ledger);
        service.grant(input(List.of(KEY), "222222222222", IMAGE_X, "exec-0"));
        service.grant(input(List.of(KEY), "222222222222", IMAGE_Y, "exec-1"));

        // WHEN the key itself is revoked from 222, naming no image
        KeyPolicyResult result = service.revoke(input(List.of(KEY), "222222222222", null, "exec-2"));

        // THEN 222 is removed and none of its grant items is left
        assertThat(result.keys().get(0).removed()).isEqualTo(1);
        assertThat(inPolicy()).isEmpty();
        assertThat(ddb.sortKeys("GRANT#" + KEY)).isEmpty();
    }

    @Test
    void revoke_shouldReadTheLedgerWithoutLeaseOrWrite_whenDryRun() {
        // GIVEN 222 holds the key for X and Y, 333 for Y only
        KeyPolicyService service = Ledgers.service(kms, ledger);
        service.grant(input(List.of(KEY), "222222222222", IMAGE_X, "exec-0"));
        service.grant(input(List.of(KEY), TWO, IMAGE_Y, "exec-1"));
        int puts = kms.puts();

        // WHEN a dry run of revoking Y from both
        KeyPolicyResult result = service.revoke(new dev.amishare.functions.keypolicy.KeyPolicyInput(List.of(KEY),
                dev.amishare.functions.model.Principals.ofAccounts(TWO), null, true, "exec-2", IMAGE_Y));

        // THEN it says one would be removed (333), and neither the policy, the lease nor the ledger moved
        assertThat(result.keys().get(0).removed()).isEqualTo(1);
        assertThat(kms.puts()).isEqualTo(puts);
        assertThat(ddb.item("LEASE#" + KEY, "LEASE")).isNull();
        assertThat(ddb.sortKeys("GRANT#" + KEY)).hasSize(3);
        assertThat(inPolicy()).containsExactlyInAnyOrderElementsOf(TWO);
    }
}
