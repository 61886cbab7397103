package dev.amishare.functions.api;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.ledger.ShareRecord;
import dev.amishare.functions.ledger.ShareRecords;
import dev.amishare.functions.model.Principals;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The share records of the ledger as the API reads them: partition {@code SHARES}, one item per share id
 * (the sort key), attributes as the ledger design names them ({@code principals} and {@code summary} are
 * JSON strings). Reads are consistent: a share the API has just seen started must not read as absent.
 *
 * @param ddb the owner account's DynamoDB client
 * @param table the ledger table's name
 */
public record LedgerShareRecords(DynamoDbClient ddb, String table) implements ShareRecords {

    static final String PARTITION = "SHARES";
    private static final String PK = Names.LEDGER_PARTITION_KEY;
    private static final String SK = Names.LEDGER_SORT_KEY;

    public LedgerShareRecords {
        Objects.requireNonNull(ddb, "ddb");
        if (table == null || table.isEmpty()) {
            throw new IllegalStateException(Names.ENV_LEDGER_TABLE + " is not set: the owner stack names its "
                    + "share ledger table there");
        }
    }

    @Override
    public java.util.Optional<ShareRecord> share(String shareId) {
        Map<String, AttributeValue> item;
        try {
            item = ddb.getItem(r -> r.tableName(table).consistentRead(true).key(Map.of(
                    PK, AttributeValue.fromS(PARTITION), SK, AttributeValue.fromS(shareId)))).item();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("dynamodb:GetItem", e);
        }
        return item == null || item.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(record(item));
    }

    /**
     * A Query page may stop short of {@code limit} (DynamoDB stops at 1 MB), so pages are read until
     * {@code limit} shares or the partition's end. {@code next} is the last share's id whenever DynamoDB says
     * more may follow; the page after it can then be empty.
     */
    @Override
    public Page shares(int limit, String startAfter) {
        List<ShareRecord> shares = new ArrayList<>();
        Map<String, AttributeValue> start = startAfter == null ? null
                : Map.of(PK, AttributeValue.fromS(PARTITION), SK, AttributeValue.fromS(startAfter));
        boolean more = true;
        while (more && shares.size() < limit) {
            Map<String, AttributeValue> from = start;
            int remaining = limit - shares.size();
            QueryResponse page;
            try {
                page = ddb.query(r -> r.tableName(table).consistentRead(true)
                        .keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", PK))
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(PARTITION)))
                        .limit(remaining)
                        .exclusiveStartKey(from));
            } catch (AwsServiceException e) {
                throw AwsErrors.common("dynamodb:Query", e);
            }
            page.items().forEach(item -> shares.add(record(item)));
            more = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty();
            start = more ? page.lastEvaluatedKey() : null;
        }
        String next = more && !shares.isEmpty() ? shares.get(shares.size() - 1).shareId() : null;
        return new Page(shares, next);
    }

    static ShareRecord record(Map<String, AttributeValue> item) {
        String principals = s(item, "principals");
        String state = s(item, "state");
        return new ShareRecord(s(item, "shareId") != null ? s(item, "shareId") : s(item, SK), s(item, "imageId"),
                s(item, "region"), principals == null ? null : Json.read(principals, Principals.class),
                strings(item, "keyArns"), strings(item, "snapshotIds"),
                state == null ? null : ShareRecord.State.valueOf(state), s(item, "requestedBy"),
                s(item, "createdAt"), s(item, "updatedAt"), s(item, "executionArn"), s(item, "summary"));
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || Boolean.TRUE.equals(v.nul()) ? null : v.s();
    }

    private static List<String> strings(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        if (v == null || !v.hasL()) {
            return List.of();
        }
        return v.l().stream().map(AttributeValue::s).toList();
    }
}
