package dev.amishare.functions.ledger;

import dev.amishare.contract.Perimeter;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.keypolicy.KeyPolicyDocument;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.testing.FakeDynamoDb;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;

/** What the ledger and key-policy tests share: keys, accounts, a settable clock, services over fakes. */
final class Ledgers {

    static final String KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    static final String KEY_2 = "arn:aws:kms:us-east-1:111111111111:key/9999abcd-12ab-34cd-56ef-1234567890ab";
    static final String IMAGE_X = "ami-0123456789abcdef0";
    static final String IMAGE_Y = "ami-0fedcba9876543210";
    static final List<String> ACCOUNTS = List.of("222222222222", "333333333333", "444444444444", "555555555555",
            "666666666666", "777777777777", "888888888888", "999999999999");

    private Ledgers() {
    }

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-02T10:00:00Z"));

        void advanceSeconds(long seconds) {
            now.updateAndGet(t -> t.plusSeconds(seconds));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    static ShareLedger ledger(DynamoDbClient ddb, Clock clock) {
        AtomicInteger token = new AtomicInteger();
        return new ShareLedger(ddb, FakeDynamoDb.TABLE, clock, () -> "token-" + token.incrementAndGet());
    }

    /**
     * A key-policy service as a function builds it, one per writer (a perimeter guard caches per invocation).
     * Targets are named inline, so the share bucket is never read.
     */
    static KeyPolicyService service(KmsClient kms, ShareLedger ledger) {
        PerimeterGuard guard = new PerimeterGuard(Perimeter.ofAccounts(ACCOUNTS.toArray(String[]::new)), null);
        return new KeyPolicyService(kms, guard, new ShareStore(null, "unread"), ledger);
    }

    static KeyPolicyInput input(List<String> keys, String account, String imageId, String executionId) {
        return new KeyPolicyInput(keys, Principals.ofAccounts(List.of(account)), null, false, executionId, imageId);
    }

    static KeyPolicyInput input(List<String> keys, List<String> accounts, String imageId, String executionId) {
        return new KeyPolicyInput(keys, Principals.ofAccounts(accounts), null, false, executionId, imageId);
    }

    /** The accounts amishare's statements in {@code policy} hold, of those asked about. */
    static List<String> held(String policy, String keyArn, List<String> accounts) {
        return KeyPolicyDocument.parse(policy, keyArn).held(Principals.ofAccounts(accounts)).unchanged;
    }
}
