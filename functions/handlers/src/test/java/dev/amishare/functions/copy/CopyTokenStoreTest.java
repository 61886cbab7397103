package dev.amishare.functions.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.AwsUnavailableException;
import dev.amishare.functions.testing.FakeDynamoDb;
import dev.amishare.functions.testing.Stubs;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

class CopyTokenStoreTest {

    private static final String ACCOUNT = "222222222222";
    private static final String REGION = "eu-west-1";
    private static final String COPY = "ami-00000000000000001";
    private static final String PK = "COPY#222222222222#eu-west-1#" + COPY;
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final Duration WAIT = Duration.ofHours(8);

    private final FakeDynamoDb ddb = new FakeDynamoDb();
    private final CopyTokenStore tokens = store(NOW);

    private CopyTokenStore store(Instant now) {
        return new CopyTokenStore(ddb, FakeDynamoDb.TABLE, WAIT, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static CopyTokenStore.Waiter waiter(String token, String executionId) {
        return new CopyTokenStore.Waiter(token, executionId, "AmiShareConsumer");
    }

    @Test
    void put_shouldWriteOneItemPerCopyAndExecutionExpiringAfterTheWait_whenAnExecutionAwaitsACopy() {
        // WHEN
        tokens.put(ACCOUNT, REGION, COPY, waiter("token-1", "run-1"));

        // THEN the item is keyed by copy and execution, with what the resumer needs and the wait plus margin
        var item = ddb.item(PK, "run-1");
        assertThat(item.get("taskToken").s()).isEqualTo("token-1");
        assertThat(item.get("executionId").s()).isEqualTo("run-1");
        assertThat(item.get("roleName").s()).isEqualTo("AmiShareConsumer");
        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(
                NOW.plus(WAIT).plus(CopyTokenStore.MARGIN).getEpochSecond()));
    }

    @Test
    void get_shouldReturnEveryWaiter_whenTwoExecutionsAwaitTheSameCopy() {
        // GIVEN two executions awaiting the same copy (more than one Query page: the fake pages by 2)
        tokens.put(ACCOUNT, REGION, COPY, waiter("token-a", "run-a"));
        tokens.put(ACCOUNT, REGION, COPY, waiter("token-b", "run-b"));
        tokens.put(ACCOUNT, REGION, COPY, waiter("token-c", "run-c"));
        tokens.put(ACCOUNT, REGION, "ami-00000000000000002", waiter("token-other", "run-a"));

        // WHEN
        var waiters = tokens.get(ACCOUNT, REGION, COPY);

        // THEN none overwrote another, and another copy's waiter is not among them
        assertThat(waiters).containsExactly(waiter("token-a", "run-a"), waiter("token-b", "run-b"),
                waiter("token-c", "run-c"));
        assertThat(ddb.count("Query")).isEqualTo(2);
    }

    @Test
    void put_shouldReplaceThatExecutionsToken_whenARecheckBringsANewOne() {
        // GIVEN run-1 waits with its first token, run-2 with its own
        tokens.put(ACCOUNT, REGION, COPY, waiter("token-1", "run-1"));
        tokens.put(ACCOUNT, REGION, COPY, waiter("token-2", "run-2"));

        // WHEN run-1's re-check stores a new token an hour later
        store(NOW.plus(Duration.ofHours(1))).put(ACCOUNT, REGION, COPY, waiter("token-1b", "run-1"));

        // THEN run-1 has one item, with the new token and a later expiry; run-2's is untouched
        assertThat(ddb.sortKeys(PK)).containsExactly("run-1", "run-2");
        assertThat(tokens.get(ACCOUNT, REGION, COPY)).containsExactly(waiter("token-1b", "run-1"),
                waiter("token-2", "run-2"));
        assertThat(ddb.item(PK, "run-1").get("expiresAt").n()).isEqualTo(Long.toString(
                NOW.plus(Duration.ofHours(1)).plus(WAIT).plus(CopyTokenStore.MARGIN).getEpochSecond()));
    }

    @Test
    void get_shouldIgnoreAWaiter_whenItsItemHasExpiredButIsNotSweptYet() {
        // GIVEN an execution that stopped while waiting (its item left to time to live) and a later one
        tokens.put(ACCOUNT, REGION, COPY, waiter("token-old", "run-old"));
        Instant later = NOW.plus(WAIT).plus(CopyTokenStore.MARGIN).plusSeconds(1);
        store(later).put(ACCOUNT, REGION, COPY, waiter("token-new", "run-new"));

        // WHEN read after the first item's expiry
        var waiters = store(later).get(ACCOUNT, REGION, COPY);

        // THEN only the live waiter
        assertThat(waiters).containsExactly(waiter("token-new", "run-new"));
    }

    @Test
    void get_shouldKeepAWaiter_whenReadAtTheSecondItExpires() {
        // GIVEN
        tokens.put(ACCOUNT, REGION, COPY, waiter("token-1", "run-1"));

        // WHEN / THEN expiresAt is the last second the item counts
        assertThat(store(NOW.plus(WAIT).plus(CopyTokenStore.MARGIN)).get(ACCOUNT, REGION, COPY)).hasSize(1);
    }

    @Test
    void get_shouldReadConsistently_whenQueryingTheCopy() {
        // GIVEN a client that records the request
        QueryRequest[] seen = new QueryRequest[1];
        CopyTokenStore store = new CopyTokenStore(new DynamoDbClient() {
            @Override
            public QueryResponse query(QueryRequest request) {
                seen[0] = request;
                return ddb.query(request);
            }

            @Override
            public String serviceName() {
                return "dynamodb";
            }

            @Override
            public void close() {
            }
        }, FakeDynamoDb.TABLE, null, Clock.fixed(NOW, ZoneOffset.UTC));

        // WHEN
        assertThat(store.get(ACCOUNT, REGION, COPY)).isEmpty();

        // THEN an event right after the put must see it
        assertThat(seen[0].consistentRead()).isTrue();
        assertThat(seen[0].expressionAttributeValues().get(":pk").s()).isEqualTo(PK);
    }

    @Test
    void delete_shouldForgetOnlyThatExecution_whenAnotherAwaitsTheSameCopy() {
        // GIVEN
        tokens.put(ACCOUNT, REGION, COPY, waiter("token-1", "run-1"));
        tokens.put(ACCOUNT, REGION, COPY, waiter("token-2", "run-2"));

        // WHEN run-1's token is forgotten, twice (the event and the re-check can both resume)
        tokens.delete(ACCOUNT, REGION, COPY, "run-1");
        tokens.delete(ACCOUNT, REGION, COPY, "run-1");

        // THEN
        assertThat(tokens.get(ACCOUNT, REGION, COPY)).containsExactly(waiter("token-2", "run-2"));
    }

    @Test
    void put_shouldRefuse_whenTheStoreWasNotGivenTheWait() {
        // GIVEN a store configured without the wait (the copy-event function's)
        CopyTokenStore resumeOnly = new CopyTokenStore(ddb, FakeDynamoDb.TABLE, null);

        // WHEN / THEN
        assertThatThrownBy(() -> resumeOnly.put(ACCOUNT, REGION, COPY, waiter("token-1", "run-1")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("AMISHARE_COPY_WAIT_SECONDS");
        assertThat(ddb.count("PutItem")).isZero();
    }

    @Test
    void constructor_shouldRefuse_whenTheTableIsNotNamed() {
        // WHEN / THEN
        assertThatThrownBy(() -> new CopyTokenStore(ddb, null, WAIT))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("AMISHARE_LEDGER_TABLE");
    }

    @Test
    void putAndGet_shouldRaiseTheRetryableErrors_whenDynamoDbThrottlesOrDoesNotAnswer() {
        // GIVEN a table that throttles, and one that never answers
        DynamoDbClient throttling = new Failing(Stubs.error("ThrottlingException"));
        DynamoDbClient silent = new Failing(SdkClientException.builder()
                .message("connect timed out").cause(new IOException("connect timed out")).build());

        // WHEN / THEN
        assertThatThrownBy(() -> new CopyTokenStore(throttling, FakeDynamoDb.TABLE, WAIT)
                .put(ACCOUNT, REGION, COPY, waiter("token-1", "run-1")))
                .isInstanceOf(AwsThrottledException.class).hasMessageContaining("dynamodb:PutItem");
        assertThatThrownBy(() -> new CopyTokenStore(silent, FakeDynamoDb.TABLE, WAIT)
                .get(ACCOUNT, REGION, COPY))
                .isInstanceOf(AwsUnavailableException.class);
    }

    /** A client whose every put and query fails with {@code failure}. */
    private record Failing(RuntimeException failure) implements DynamoDbClient {
        @Override
        public PutItemResponse putItem(PutItemRequest request) {
            throw failure;
        }

        @Override
        public QueryResponse query(QueryRequest request) {
            throw failure;
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    }
}
