package dev.amishare.functions.ledger;

import dev.amishare.contract.Names;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.KeyPolicyLeaseHeldException;
import dev.amishare.functions.common.AwsErrors;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The owner stack's share ledger ({@value Names#ENV_LEDGER_TABLE}), a DynamoDB table with string keys
 * {@value Names#LEDGER_PARTITION_KEY} and {@value Names#LEDGER_SORT_KEY}. It holds two kinds of item:
 *
 * <h2>Leases: one writer per key policy</h2>
 * KMS PutKeyPolicy replaces the whole policy and takes no version to compare against, so two executions
 * that read, edit and write the same key's policy at once lose each other's principals without any error.
 * A writer therefore first takes the key's lease, item {@code pk = LEASE#<key ARN>, sk = LEASE}, with a
 * conditional PutItem that succeeds only when there is no lease or the lease has expired
 * ({@code attribute_not_exists(pk) OR expiresAt < :now}; DynamoDB DeveloperGuide
 * "Expressions.ConditionExpressions", conditional writes are checked and applied atomically per item). The
 * item carries the holder's token (its execution id and a random UUID) and an expiry
 * {@value Names#LEDGER_LEASE_SECONDS} s ahead, longer than any function that takes a lease may run, so a
 * lease expires only under a holder that is no longer running. The holder releases it in a
 * {@code finally} with a DeleteItem conditional on its own token: a holder whose lease expired and was
 * taken over never deletes the new holder's lease. A held lease is {@link KeyPolicyLeaseHeldException},
 * which the state machine retries with backoff and full jitter. A failed condition is a 400 error that the
 * SDK's standard retry strategy does not retry ({@code ConditionalCheckFailedException} is neither
 * throttling nor a 5xx), so the only retries are the state machine's. The expiry is also the table's
 * time-to-live attribute, so that DynamoDB removes lapsed leases by itself.
 *
 * <h2>Key grants: what a revoke may take back</h2>
 * One item per key, principal and image: {@code pk = KEY#<key ARN>, sk = <principal>#<image id>}, with the
 * execution that last granted it. A principal appears once in the key policy however many AMIs under that
 * key are shared with it, so revoking one AMI must remove it from the policy only when no other image's
 * grant of that key to that principal remains. One item per (key, principal, image) rather than per
 * execution: revoking an AMI takes its launch permission away from the principal whatever execution
 * granted it, so every execution's grant of that image ends with it; a replay of a share overwrites its item
 * instead of adding one. Items are written (and, on revoke, read and deleted) under the key's lease, and
 * written before the policy, so that a revoke of another image never sees a policy that holds a principal
 * for which the grant item is not there yet. No time-to-live: a grant lasts until it is revoked. A grant
 * that names no image (a direct invocation of the key-policy function) is not recorded, as grants made
 * before the ledger existed are not: neither keeps a principal in a policy.
 *
 * @param ddb the owner account's DynamoDB client
 * @param table the ledger table's name
 * @param clock the time leases are taken and compared against
 * @param tokens random parts of lease owner tokens
 */
public record ShareLedger(DynamoDbClient ddb, String table, Clock clock, Supplier<String> tokens) {

    private static final Logger LOG = LogManager.getLogger(ShareLedger.class);

    static final String PK = Names.LEDGER_PARTITION_KEY;
    static final String SK = Names.LEDGER_SORT_KEY;
    static final String EXPIRES_AT = Names.LEDGER_TTL_ATTRIBUTE;
    static final String OWNER = "owner";
    static final String EXECUTION_ID = "executionId";
    static final String PRINCIPAL = "principal";
    static final String IMAGE_ID = "imageId";
    static final String GRANTED_AT = "grantedAt";
    static final String LEASE_SK = "LEASE";
    /** BatchWriteItem takes at most 25 requests (DynamoDB APIReference "API_BatchWriteItem"). */
    static final int BATCH = 25;

    public ShareLedger {
        Objects.requireNonNull(ddb, "ddb");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(tokens, "tokens");
        if (table == null || table.isEmpty()) {
            throw new IllegalStateException(Names.ENV_LEDGER_TABLE + " is not set: the owner stack names its "
                    + "share ledger table there");
        }
    }

    public ShareLedger(DynamoDbClient ddb, String table) {
        this(ddb, table, Clock.systemUTC(), () -> UUID.randomUUID().toString());
    }

    static String leaseKey(String keyArn) {
        return "LEASE#" + keyArn;
    }

    static String grantsKey(String keyArn) {
        return "KEY#" + keyArn;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /**
     * Takes the lease on {@code keyArn}'s policy for {@code executionId}.
     *
     * @throws KeyPolicyLeaseHeldException when another writer holds a lease that has not expired
     */
    public KeyLease acquire(String keyArn, String executionId) {
        long now = clock.instant().getEpochSecond();
        String owner = (executionId == null ? "direct" : executionId) + "#" + tokens.get();
        long expiresAt = now + Names.LEDGER_LEASE_SECONDS;
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(PK, s(leaseKey(keyArn)));
        item.put(SK, s(LEASE_SK));
        item.put(OWNER, s(owner));
        if (executionId != null) {
            item.put(EXECUTION_ID, s(executionId));
        }
        item.put(EXPIRES_AT, n(expiresAt));
        try {
            ddb.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(#pk) OR #expiresAt < :now")
                    .expressionAttributeNames(Map.of("#pk", PK, "#expiresAt", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":now", n(now)))
                    // Who holds it, for the error, without a second read.
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> held = e.hasItem() ? e.item() : Map.of();
            AttributeValue holder = held.get(EXECUTION_ID);
            AttributeValue heldUntil = held.get(EXPIRES_AT);
            throw new KeyPolicyLeaseHeldException(keyArn, holder == null ? null : holder.s(),
                    heldUntil == null ? 0 : Long.parseLong(heldUntil.n()), e);
        } catch (AwsServiceException e) {
            throw AwsErrors.common("dynamodb:PutItem", e);
        } catch (SdkClientException e) {
            throw AwsErrors.noAnswer("dynamodb:PutItem", e);
        }
        LOG.info("took the lease on the key policy of {} until {}", keyArn, Instant.ofEpochSecond(expiresAt));
        return new KeyLease(keyArn, owner, expiresAt);
    }

    /**
     * Gives the lease back. Never throws: it runs in a {@code finally} whose own error must not hide the
     * edit's, and a lease that cannot be deleted lapses by itself.
     */
    public void release(KeyLease lease) {
        try {
            ddb.deleteItem(r -> r.tableName(table)
                    .key(Map.of(PK, s(leaseKey(lease.keyArn())), SK, s(LEASE_SK)))
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", OWNER))
                    .expressionAttributeValues(Map.of(":owner", s(lease.owner()))));
        } catch (ConditionalCheckFailedException e) {
            LOG.warn("the lease on the key policy of {} was no longer ours when released (it expired at {}): "
                    + "left to its holder", lease.keyArn(), Instant.ofEpochSecond(lease.expiresAt()));
        } catch (RuntimeException e) {
            LOG.warn("could not release the lease on the key policy of {}; it lapses at {}: {}", lease.keyArn(),
                    Instant.ofEpochSecond(lease.expiresAt()), e.toString());
        }
    }

    /** Records that {@code imageId}'s share gave each principal use of {@code keyArn}. */
    public void recordGrants(String keyArn, Collection<String> principals, String imageId, String executionId) {
        String image = Objects.requireNonNull(imageId, "imageId");
        String now = clock.instant().toString();
        List<WriteRequest> writes = new ArrayList<>();
        for (String principal : new TreeSet<>(principals)) {
            Map<String, AttributeValue> item = new LinkedHashMap<>();
            item.put(PK, s(grantsKey(keyArn)));
            item.put(SK, s(principal + "#" + image));
            item.put(PRINCIPAL, s(principal));
            item.put(IMAGE_ID, s(image));
            if (executionId != null) {
                item.put(EXECUTION_ID, s(executionId));
            }
            item.put(GRANTED_AT, s(now));
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        write(writes);
    }

    /**
     * Every image whose grant of {@code keyArn} the ledger holds, by principal. Strongly consistent: read
     * under the lease, it must see what the previous holder wrote just before releasing it.
     */
    public Map<String, Set<String>> grants(String keyArn) {
        Map<String, Set<String>> grants = new HashMap<>();
        Map<String, AttributeValue> from = null;
        do {
            Map<String, AttributeValue> start = from;
            QueryResponse page;
            try {
                page = ddb.query(r -> r.tableName(table).consistentRead(true)
                        .keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", PK))
                        .expressionAttributeValues(Map.of(":pk", s(grantsKey(keyArn))))
                        .exclusiveStartKey(start));
            } catch (AwsServiceException e) {
                throw AwsErrors.common("dynamodb:Query", e);
            } catch (SdkClientException e) {
                throw AwsErrors.noAnswer("dynamodb:Query", e);
            }
            for (Map<String, AttributeValue> item : page.items()) {
                grants.computeIfAbsent(item.get(PRINCIPAL).s(), p -> new TreeSet<>()).add(item.get(IMAGE_ID).s());
            }
            from = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (from != null);
        return grants;
    }

    /** Deletes the grant items of {@code keyArn} named, images by principal. */
    public void forgetGrants(String keyArn, Map<String, ? extends Collection<String>> imagesByPrincipal) {
        List<WriteRequest> writes = new ArrayList<>();
        new java.util.TreeMap<>(imagesByPrincipal).forEach((principal, images) -> {
            for (String image : new TreeSet<>(images)) {
                writes.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder()
                        .key(Map.of(PK, s(grantsKey(keyArn)), SK, s(principal + "#" + image))).build()).build());
            }
        });
        write(writes);
    }

    /**
     * Writes in batches of 25. Items DynamoDB leaves unprocessed (throttled partitions) are sent once more at
     * once; what is still left is throttling for the state machine to back off from. Puts and deletes of
     * whole items are idempotent, so the retried stage writes them again harmlessly.
     */
    private void write(List<WriteRequest> writes) {
        for (int from = 0; from < writes.size(); from += BATCH) {
            List<WriteRequest> batch = writes.subList(from, Math.min(from + BATCH, writes.size()));
            Map<String, List<WriteRequest>> pending = Map.of(table, batch);
            for (int attempt = 1; !pending.isEmpty(); attempt++) {
                if (attempt > 2) {
                    int left = pending.values().stream().mapToInt(List::size).sum();
                    throw new AwsThrottledException("dynamodb:BatchWriteItem left " + left
                            + " ledger items unprocessed after two attempts", null);
                }
                Map<String, List<WriteRequest>> items = pending;
                BatchWriteItemResponse response;
                try {
                    response = ddb.batchWriteItem(r -> r.requestItems(items));
                } catch (AwsServiceException e) {
                    throw AwsErrors.common("dynamodb:BatchWriteItem", e);
                } catch (SdkClientException e) {
                    throw AwsErrors.noAnswer("dynamodb:BatchWriteItem", e);
                }
                pending = response.hasUnprocessedItems() ? withoutEmpty(response.unprocessedItems()) : Map.of();
            }
        }
    }

    private static Map<String, List<WriteRequest>> withoutEmpty(Map<String, List<WriteRequest>> items) {
        Map<String, List<WriteRequest>> left = new HashMap<>();
        items.forEach((t, w) -> {
            if (!w.isEmpty()) {
                left.put(t, w);
            }
        });
        return left;
    }
}
