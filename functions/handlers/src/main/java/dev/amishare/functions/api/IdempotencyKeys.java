package dev.amishare.functions.api;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.AwsErrors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The API's idempotency keys in the share ledger: item {@code pk = IDEMPOTENCY#<sha256 hex of caller ARN,
 * "\n", key>, sk = IDEMPOTENCY}, naming the one execution a key starts for {@link #TTL} after its first use.
 * The caller's ARN is part of the hash, so two callers' equal keys never meet. The first use claims the key
 * with a conditional PutItem ({@code attribute_not_exists(pk) OR expiresAt < :now}: atomic per item, so of
 * two concurrent first uses exactly one wins) <em>before</em> the execution starts; every later use within
 * the 24 hours reads the item back and gets the same execution. {@code expiresAt} is also the table's
 * time-to-live, but TTL deletion lags by up to days, so an item past it counts as gone.
 *
 * @param ddb the owner account's DynamoDB client
 * @param table the ledger table's name
 * @param clock the time keys are claimed and compared against
 */
public record IdempotencyKeys(DynamoDbClient ddb, String table, Clock clock) {

    private static final Logger LOG = LogManager.getLogger(IdempotencyKeys.class);

    /** How long a key names its first execution. */
    public static final Duration TTL = Duration.ofHours(24);

    static final String SK = "IDEMPOTENCY";
    static final String EXECUTION_ARN = "executionArn";
    static final String SHARE_ID = "shareId";
    static final String REQUEST_HASH = "requestHash";
    private static final String PK = Names.LEDGER_PARTITION_KEY;
    private static final String EXPIRES_AT = Names.LEDGER_TTL_ATTRIBUTE;

    public IdempotencyKeys {
        Objects.requireNonNull(ddb, "ddb");
        Objects.requireNonNull(clock, "clock");
        if (table == null || table.isEmpty()) {
            throw new IllegalStateException(Names.ENV_LEDGER_TABLE + " is not set: the owner stack names its "
                    + "share ledger table there");
        }
    }

    /**
     * The share a key names.
     *
     * @param shareId the execution's name
     * @param executionArn the execution's ARN
     * @param requestHash the hash of the body the key was first used with
     * @param replayed false when this call claimed the key (the caller starts the execution), true when an
     *     earlier use did
     */
    public record Claim(String shareId, String executionArn, String requestHash, boolean replayed) {
    }

    /** The key's hash: its item's partition and, shortened, its execution's name. */
    public static String hash(String callerArn, String key) {
        return sha256(callerArn + "\n" + key);
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String partition(String hash) {
        return "IDEMPOTENCY#" + hash;
    }

    /**
     * Claims {@code key} of {@code callerArn} for a new execution, or returns the execution it already names.
     * A new execution is named {@code idem-<first 40 hex of the hash>-<epoch second of this first use>}: the
     * same key after its 24 hours names a new one, and Step Functions' 80 characters are not exceeded.
     *
     * @param executionArnOf the ARN an execution of a given name will have
     */
    public Claim claim(String callerArn, String key, String requestHash, UnaryOperator<String> executionArnOf) {
        String hash = hash(callerArn, key);
        // Twice at most: a key that expired between the failed put and the read is free again.
        for (int attempt = 0; attempt < 2; attempt++) {
            long now = clock.instant().getEpochSecond();
            String name = "idem-" + hash.substring(0, 40) + "-" + now;
            String executionArn = executionArnOf.apply(name);
            Map<String, AttributeValue> item = new LinkedHashMap<>();
            item.put(PK, AttributeValue.fromS(partition(hash)));
            item.put(Names.LEDGER_SORT_KEY, AttributeValue.fromS(SK));
            item.put(EXECUTION_ARN, AttributeValue.fromS(executionArn));
            item.put(SHARE_ID, AttributeValue.fromS(name));
            item.put(REQUEST_HASH, AttributeValue.fromS(requestHash));
            item.put(EXPIRES_AT, AttributeValue.fromN(Long.toString(now + TTL.toSeconds())));
            try {
                ddb.putItem(r -> r.tableName(table).item(item)
                        .conditionExpression("attribute_not_exists(#pk) OR #expiresAt < :now")
                        .expressionAttributeNames(Map.of("#pk", PK, "#expiresAt", EXPIRES_AT))
                        .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now)))));
                LOG.info("idempotency key {} claimed for execution {}", hash.substring(0, 12), name);
                return new Claim(name, executionArn, requestHash, false);
            } catch (ConditionalCheckFailedException e) {
                Claim existing = existing(hash, now);
                if (existing != null) {
                    LOG.info("idempotency key {} replayed: execution {}", hash.substring(0, 12), existing.shareId());
                    return existing;
                }
            } catch (AwsServiceException e) {
                throw AwsErrors.common("dynamodb:PutItem", e);
            }
        }
        throw new IllegalStateException("idempotency key item " + partition(hash) + " neither free nor readable");
    }

    private Claim existing(String hash, long now) {
        Map<String, AttributeValue> item;
        try {
            item = ddb.getItem(r -> r.tableName(table).consistentRead(true).key(Map.of(
                    PK, AttributeValue.fromS(partition(hash)), Names.LEDGER_SORT_KEY, AttributeValue.fromS(SK))))
                    .item();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("dynamodb:GetItem", e);
        }
        if (item == null || item.isEmpty() || Long.parseLong(item.get(EXPIRES_AT).n()) < now) {
            return null;
        }
        AttributeValue requestHash = item.get(REQUEST_HASH);
        return new Claim(item.get(SHARE_ID).s(), item.get(EXECUTION_ARN).s(),
                requestHash == null ? null : requestHash.s(), true);
    }
}
