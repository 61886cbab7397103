package dev.amishare.functions.ledger;

import dev.amishare.contract.Names;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.KeyPolicyLeaseHeldException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.model.Principals;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Optional;
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
 * <h2>Grants: what a revoke may take back</h2>
 * One item per resource, principal and share ({@link Grant}): {@code pk = GRANT#<resource>,
 * sk = <principal>#<shareId>}, where the resource is the image (launch permission), a snapshot
 * (create-volume permission) or a key (use through EC2). The resource's access holds a principal once however
 * many shares gave it, so a revoke removes the principal only when no grant outside its own scope
 * ({@link GrantScope}) remains: another share of the same AMI, or another AMI under the same key. Each grant
 * stage writes its items before it changes the access, and a revoke changes the access before it deletes its
 * items, so that a revoke that fails part-way leaves its items for its retry to find. Key grants are written,
 * read and deleted under the key's lease; launch and snapshot permissions are add/remove deltas taken without
 * a lock, and a revoke reads the ledger again after its removal and gives back what a grant written in the
 * meantime needs ({@code RevokeService}). No time-to-live: a grant lasts until it is revoked. A grant stage
 * invoked without an execution records nothing, as grants made before the ledger existed are not recorded:
 * neither keeps a principal in place.
 *
 * <h2>Share records</h2>
 * One item per share, {@code pk = SHARES, sk = <shareId>} ({@link ShareRecord}): one partition, so that
 * {@code GET /shares} is one Query; shares are started at a few per second at most (the API's throttling),
 * far below a partition's write capacity.
 *
 * @param ddb the owner account's DynamoDB client
 * @param table the ledger table's name
 * @param clock the time leases are taken and compared against
 * @param tokens random parts of lease owner tokens
 */
public record ShareLedger(DynamoDbClient ddb, String table, Clock clock, Supplier<String> tokens)
        implements ShareRecords {

    private static final Logger LOG = LogManager.getLogger(ShareLedger.class);

    static final String PK = Names.LEDGER_PARTITION_KEY;
    static final String SK = Names.LEDGER_SORT_KEY;
    static final String EXPIRES_AT = Names.LEDGER_TTL_ATTRIBUTE;
    static final String OWNER = "owner";
    static final String EXECUTION_ID = "executionId";
    static final String PRINCIPAL = "principal";
    static final String IMAGE_ID = "imageId";
    static final String GRANTED_AT = "grantedAt";
    static final String KIND = "kind";
    static final String RESOURCE = "resource";
    static final String SHARE_ID = "shareId";
    static final String REQUESTED_BY = "requestedBy";
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

    static String grantsKey(String resource) {
        return "GRANT#" + resource;
    }

    private static void putIfSet(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
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

    /** Records each grant, in batches; a replay writes the same items again. */
    public void record(Collection<Grant> grants) {
        List<WriteRequest> writes = new ArrayList<>();
        for (Grant grant : grants) {
            Map<String, AttributeValue> item = new LinkedHashMap<>();
            item.put(PK, s(grantsKey(grant.resource())));
            item.put(SK, s(grant.sortKey()));
            item.put(KIND, s(grant.kind().name()));
            item.put(RESOURCE, s(grant.resource()));
            item.put(PRINCIPAL, s(grant.principal()));
            putIfSet(item, IMAGE_ID, grant.imageId());
            item.put(SHARE_ID, s(grant.shareId()));
            putIfSet(item, EXECUTION_ID, grant.executionId());
            item.put(GRANTED_AT, s(grant.grantedAt() == null ? clock.instant().toString() : grant.grantedAt()));
            putIfSet(item, REQUESTED_BY, grant.requestedBy());
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        write(writes);
    }

    /** The grants of {@code principals} on one resource, as {@link #record} takes them. */
    public List<Grant> grantsOf(Grant.Kind kind, String resource, Collection<String> principals, String imageId,
            String shareId, String executionId, String requestedBy) {
        String now = clock.instant().toString();
        return new TreeSet<>(principals).stream()
                .map(p -> new Grant(kind, resource, p, imageId, shareId, executionId, now, requestedBy)).toList();
    }

    /**
     * Every grant of {@code resource} the ledger holds, in sort-key order. Strongly consistent: a revoke must
     * see the grant items written just before it reads (under a key's lease, or before a grant's delta).
     */
    public List<Grant> grants(String resource) {
        List<Grant> grants = new ArrayList<>();
        for (Map<String, AttributeValue> item : partition(ddb, table, grantsKey(resource))) {
            grants.add(new Grant(Grant.Kind.valueOf(item.get(KIND).s()), resource, item.get(PRINCIPAL).s(),
                    text(item, IMAGE_ID), item.get(SHARE_ID).s(), text(item, EXECUTION_ID),
                    text(item, GRANTED_AT), text(item, REQUESTED_BY)));
        }
        return grants;
    }

    /**
     * Every item of one partition of the ledger, page by page, strongly consistent: what the grants' readers and
     * the copy waiters' reader both need.
     */
    public static List<Map<String, AttributeValue>> partition(DynamoDbClient ddb, String table, String pk) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> from = null;
        do {
            Map<String, AttributeValue> start = from;
            QueryResponse page;
            try {
                page = ddb.query(r -> r.tableName(table).consistentRead(true)
                        .keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", PK))
                        .expressionAttributeValues(Map.of(":pk", s(pk)))
                        .exclusiveStartKey(start));
            } catch (AwsServiceException e) {
                throw AwsErrors.common("dynamodb:Query", e);
            } catch (SdkClientException e) {
                throw AwsErrors.noAnswer("dynamodb:Query", e);
            }
            items.addAll(page.items());
            from = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (from != null);
        return items;
    }

    /**
     * What a revoke of {@code principals} within {@code scope} does on one resource, from its grants: the items
     * that end, and the principals to remove, those no grant outside the scope keeps.
     *
     * @param remove the principals whose access ends
     * @param kept the principals another share's (or image's) grant keeps
     * @param ending the items the revoke deletes after its change
     */
    public record Removal(Set<String> remove, Set<String> kept, List<Grant> ending) {
    }

    public static Removal removal(List<Grant> grants, Collection<String> principals, GrantScope scope) {
        Set<String> asked = new TreeSet<>(principals);
        Set<String> kept = new TreeSet<>();
        List<Grant> ending = new ArrayList<>();
        for (Grant grant : grants) {
            if (!asked.contains(grant.principal())) {
                continue;
            }
            if (scope.covers(grant)) {
                ending.add(grant);
            } else {
                kept.add(grant.principal());
            }
        }
        Set<String> remove = new TreeSet<>(asked);
        remove.removeAll(kept);
        return new Removal(remove, kept, ending);
    }

    /** The principals that hold a grant of the resource, among {@code principals}. */
    public Set<String> granted(String resource, Collection<String> principals) {
        Set<String> asked = new HashSet<>(principals);
        Set<String> held = new TreeSet<>();
        for (Grant grant : grants(resource)) {
            if (asked.contains(grant.principal())) {
                held.add(grant.principal());
            }
        }
        return held;
    }

    /** Deletes these grant items; an item already gone is fine. */
    public void forget(Collection<Grant> grants) {
        List<WriteRequest> writes = new ArrayList<>();
        for (Grant grant : grants) {
            writes.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder()
                    .key(Map.of(PK, s(grantsKey(grant.resource())), SK, s(grant.sortKey()))).build()).build());
        }
        write(writes);
    }

    static final String SHARES_PK = "SHARES";

    /**
     * Records a share as Prepare starts it. Conditional: a replayed Prepare (a retry, or the same execution
     * again) leaves a share that has moved on from {@code RUNNING} as it is.
     */
    public void putShare(ShareRecord share) {
        try {
            ddb.putItem(r -> r.tableName(table).item(shareItem(share))
                    .conditionExpression("attribute_not_exists(#pk) OR #state = :running")
                    .expressionAttributeNames(Map.of("#pk", PK, "#state", STATE))
                    .expressionAttributeValues(Map.of(":running", s(ShareRecord.State.RUNNING.name()))));
            LOG.info("recorded share {} of {}", share.shareId(), share.imageId());
        } catch (ConditionalCheckFailedException e) {
            LOG.info("share {} of {} was recorded before and has moved on: left as it is", share.shareId(),
                    share.imageId());
        } catch (AwsServiceException e) {
            throw AwsErrors.common("dynamodb:PutItem", e);
        } catch (SdkClientException e) {
            throw AwsErrors.noAnswer("dynamodb:PutItem", e);
        }
    }

    /** Who asked for the share, as its record says; null for none, or a share the ledger does not hold. */
    public String requester(String shareId) {
        return shareId == null ? null : share(shareId).map(ShareRecord::requestedBy).orElse(null);
    }

    @Override
    public Optional<ShareRecord> share(String shareId) {
        Map<String, AttributeValue> item;
        try {
            item = ddb.getItem(r -> r.tableName(table).consistentRead(true)
                    .key(Map.of(PK, s(SHARES_PK), SK, s(shareId)))).item();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("dynamodb:GetItem", e);
        } catch (SdkClientException e) {
            throw AwsErrors.noAnswer("dynamodb:GetItem", e);
        }
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(shareOf(item));
    }

    @Override
    public Page shares(int limit, String startAfter) {
        // A Query page may hold fewer items than its Limit (DynamoDB stops at 1 MB): read on until it is full.
        List<ShareRecord> shares = new ArrayList<>();
        String after = startAfter;
        do {
            String from = after;
            int left = limit - shares.size();
            QueryResponse page;
            try {
                page = ddb.query(r -> r.tableName(table).limit(left)
                        .keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", PK))
                        .expressionAttributeValues(Map.of(":pk", s(SHARES_PK)))
                        .exclusiveStartKey(from == null ? null : Map.of(PK, s(SHARES_PK), SK, s(from))));
            } catch (AwsServiceException e) {
                throw AwsErrors.common("dynamodb:Query", e);
            } catch (SdkClientException e) {
                throw AwsErrors.noAnswer("dynamodb:Query", e);
            }
            page.items().stream().map(ShareLedger::shareOf).forEach(shares::add);
            after = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                    ? page.lastEvaluatedKey().get(SK).s() : null;
        } while (after != null && shares.size() < limit);
        return new Page(shares, after);
    }

    /**
     * Moves a share to {@code to} when it stands in one of {@code from}, with the report's summary when given.
     * Read, then a put conditional on the state read, so that two writers cannot both move it. Returns whether
     * it moved; a share the ledger does not hold (a direct invocation) does not.
     */
    public boolean moveShare(String shareId, Set<ShareRecord.State> from, ShareRecord.State to, String summary) {
        for (int attempt = 1; attempt <= 2; attempt++) {
            Optional<ShareRecord> current = share(shareId);
            if (current.isEmpty() || !from.contains(current.get().state())) {
                LOG.info("share {} not moved to {}: it is {}", shareId, to,
                        current.map(c -> c.state().name()).orElse("not in the ledger"));
                return false;
            }
            ShareRecord was = current.get();
            ShareRecord next = new ShareRecord(was.shareId(), was.imageId(), was.region(), was.principals(),
                    was.keyArns(), was.snapshotIds(), to, was.requestedBy(), was.createdAt(), clock.instant().toString(),
                    was.executionArn(), summary == null ? was.summary() : summary);
            try {
                ddb.putItem(r -> r.tableName(table).item(shareItem(next))
                        .conditionExpression("#state = :was AND #updatedAt = :updatedAt")
                        .expressionAttributeNames(Map.of("#state", STATE, "#updatedAt", UPDATED_AT))
                        .expressionAttributeValues(Map.of(":was", s(was.state().name()),
                                ":updatedAt", s(was.updatedAt()))));
                LOG.info("share {} of {} moved from {} to {}", shareId, was.imageId(), was.state(), to);
                return true;
            } catch (ConditionalCheckFailedException e) {
                LOG.info("share {} changed while being moved to {}: reading it again", shareId, to);
            } catch (AwsServiceException e) {
                throw AwsErrors.common("dynamodb:PutItem", e);
            } catch (SdkClientException e) {
                throw AwsErrors.noAnswer("dynamodb:PutItem", e);
            }
        }
        throw new AwsThrottledException("dynamodb:PutItem: share " + shareId + " kept changing while being moved to "
                + to, null);
    }

    static final String STATE = "state";
    static final String UPDATED_AT = "updatedAt";

    private static Map<String, AttributeValue> shareItem(ShareRecord share) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(PK, s(SHARES_PK));
        item.put(SK, s(share.shareId()));
        item.put(SHARE_ID, s(share.shareId()));
        item.put(IMAGE_ID, s(share.imageId()));
        putIfSet(item, "region", share.region());
        item.put("principals", s(Json.write(share.principals())));
        item.put("keyArns", AttributeValue.fromL(share.keyArns().stream().map(ShareLedger::s).toList()));
        item.put("snapshotIds", AttributeValue.fromL(share.snapshotIds().stream().map(ShareLedger::s).toList()));
        item.put(STATE, s(share.state().name()));
        putIfSet(item, REQUESTED_BY, share.requestedBy());
        putIfSet(item, "createdAt", share.createdAt());
        putIfSet(item, UPDATED_AT, share.updatedAt());
        putIfSet(item, "executionArn", share.executionArn());
        putIfSet(item, "summary", share.summary());
        return item;
    }

    private static ShareRecord shareOf(Map<String, AttributeValue> item) {
        AttributeValue principals = item.get("principals");
        return new ShareRecord(item.get(SK).s(), text(item, IMAGE_ID), text(item, "region"),
                principals == null ? Principals.NONE : Json.read(principals.s(), Principals.class),
                strings(item.get("keyArns")), strings(item.get("snapshotIds")),
                ShareRecord.State.valueOf(item.get(STATE).s()), text(item, REQUESTED_BY), text(item, "createdAt"),
                text(item, UPDATED_AT), text(item, "executionArn"), text(item, "summary"));
    }

    private static List<String> strings(AttributeValue list) {
        return list == null || !list.hasL() ? List.of() : list.l().stream().map(AttributeValue::s).toList();
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
