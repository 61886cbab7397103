package dev.amishare.functions.testing;

import dev.amishare.functions.ledger.ShareLedger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * A stub of DynamoDB for unit tests: one table's items in memory, keys {@code pk} and {@code sk}, each call
 * atomic (synchronized), condition expressions honoured as DynamoDB documents them for the forms amishare
 * writes: {@code attribute_not_exists(a)}, {@code a = b}, {@code a < b} on numbers or strings, joined by
 * {@code OR} or {@code AND} (DynamoDB DeveloperGuide "Expressions.OperatorsAndFunctions"). An expression it
 * does not understand fails the test instead of passing silently.
 */
public final class FakeDynamoDb implements DynamoDbClient {

    public static final String TABLE = "amishare-share-ledger";

    /** Items by pk, then sk. */
    private final Map<String, TreeMap<String, Map<String, AttributeValue>>> items = new TreeMap<>();
    /** Calls by operation name, for assertions on how many the code made. */
    public final Map<String, Integer> calls = new HashMap<>();
    /** Items per Query page at most (a request's Limit may make it smaller), so that tests exercise pagination. */
    public int pageSize = 2;
    /** How many of the next BatchWriteItem calls leave their last request unprocessed. */
    public int unprocessedBatches;

    /** A share ledger over a fresh fake, for tests of the services that take one. */
    public static ShareLedger ledger() {
        return new ShareLedger(new FakeDynamoDb(), TABLE);
    }

    private void count(String operation, String table) {
        if (!TABLE.equals(table)) {
            throw new IllegalArgumentException("no such table: " + table);
        }
        calls.merge(operation, 1, Integer::sum);
    }

    public synchronized int count(String operation) {
        return calls.getOrDefault(operation, 0);
    }

    /** The item, or null. */
    public synchronized Map<String, AttributeValue> item(String pk, String sk) {
        TreeMap<String, Map<String, AttributeValue>> partition = items.get(pk);
        return partition == null ? null : partition.get(sk);
    }

    /** The sort keys of a partition, in order. */
    public synchronized List<String> sortKeys(String pk) {
        TreeMap<String, Map<String, AttributeValue>> partition = items.get(pk);
        return partition == null ? List.of() : List.copyOf(partition.keySet());
    }

    public synchronized void put(Map<String, AttributeValue> item) {
        items.computeIfAbsent(item.get("pk").s(), k -> new TreeMap<>()).put(item.get("sk").s(), new HashMap<>(item));
    }

    @Override
    public synchronized PutItemResponse putItem(PutItemRequest request) {
        count("PutItem", request.tableName());
        Map<String, AttributeValue> old = item(request.item().get("pk").s(), request.item().get("sk").s());
        check(request.conditionExpression(), request.expressionAttributeNames(), request.expressionAttributeValues(),
                old, request.returnValuesOnConditionCheckFailure());
        put(request.item());
        return PutItemResponse.builder().build();
    }

    @Override
    public synchronized GetItemResponse getItem(GetItemRequest request) {
        count("GetItem", request.tableName());
        Map<String, AttributeValue> item = item(request.key().get("pk").s(), request.key().get("sk").s());
        return item == null ? GetItemResponse.builder().build()
                : GetItemResponse.builder().item(Map.copyOf(item)).build();
    }

    @Override
    public synchronized DeleteItemResponse deleteItem(DeleteItemRequest request) {
        count("DeleteItem", request.tableName());
        String pk = request.key().get("pk").s();
        String sk = request.key().get("sk").s();
        check(request.conditionExpression(), request.expressionAttributeNames(), request.expressionAttributeValues(),
                item(pk, sk), request.returnValuesOnConditionCheckFailure());
        TreeMap<String, Map<String, AttributeValue>> partition = items.get(pk);
        if (partition != null) {
            partition.remove(sk);
        }
        return DeleteItemResponse.builder().build();
    }

    @Override
    public synchronized QueryResponse query(QueryRequest request) {
        count("Query", request.tableName());
        if (!"#pk = :pk".equals(request.keyConditionExpression())
                || !"pk".equals(request.expressionAttributeNames().get("#pk"))) {
            throw new IllegalArgumentException("unsupported key condition: " + request.keyConditionExpression());
        }
        TreeMap<String, Map<String, AttributeValue>> partition =
                items.getOrDefault(request.expressionAttributeValues().get(":pk").s(), new TreeMap<>());
        Map<String, Map<String, AttributeValue>> rest = request.hasExclusiveStartKey()
                ? partition.tailMap(request.exclusiveStartKey().get("sk").s(), false) : partition;
        List<Map<String, AttributeValue>> page = new ArrayList<>();
        String last = null;
        // A page ends at Limit or at the stub's page size, whichever comes first (DynamoDB also stops at 1 MB).
        int size = request.limit() == null ? pageSize : Math.min(request.limit(), pageSize);
        for (Map.Entry<String, Map<String, AttributeValue>> e : rest.entrySet()) {
            if (page.size() == size) {
                break;
            }
            page.add(Map.copyOf(e.getValue()));
            last = e.getKey();
        }
        QueryResponse.Builder response = QueryResponse.builder().items(page).count(page.size());
        if (last != null && !last.equals(partition.lastKey())) {
            response.lastEvaluatedKey(Map.of("pk", request.expressionAttributeValues().get(":pk"),
                    "sk", AttributeValue.fromS(last)));
        }
        return response.build();
    }

    @Override
    public synchronized BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
        Map<String, List<WriteRequest>> unprocessed = new LinkedHashMap<>();
        for (Map.Entry<String, List<WriteRequest>> table : request.requestItems().entrySet()) {
            count("BatchWriteItem", table.getKey());
            if (table.getValue().size() > 25) {
                throw Stubs.error("ValidationException");
            }
            List<WriteRequest> writes = table.getValue();
            if (unprocessedBatches > 0) {
                unprocessedBatches--;
                unprocessed.put(table.getKey(), List.of(writes.get(writes.size() - 1)));
                writes = writes.subList(0, writes.size() - 1);
            }
            for (WriteRequest w : writes) {
                if (w.putRequest() != null) {
                    put(w.putRequest().item());
                } else {
                    TreeMap<String, Map<String, AttributeValue>> partition =
                            items.get(w.deleteRequest().key().get("pk").s());
                    if (partition != null) {
                        partition.remove(w.deleteRequest().key().get("sk").s());
                    }
                }
            }
        }
        return BatchWriteItemResponse.builder().unprocessedItems(unprocessed).build();
    }

    private static final Pattern NOT_EXISTS = Pattern.compile("attribute_not_exists\\((#?\\w+)\\)");
    private static final Pattern COMPARE = Pattern.compile("(#?\\w+|:\\w+) (=|<) (#?\\w+|:\\w+)");

    private static void check(String expression, Map<String, String> names, Map<String, AttributeValue> values,
            Map<String, AttributeValue> old, ReturnValuesOnConditionCheckFailure returnOld) {
        if (expression == null) {
            return;
        }
        if (!evaluate(expression.trim(), names, values, old == null ? Map.of() : old)) {
            ConditionalCheckFailedException.Builder failure = ConditionalCheckFailedException.builder()
                    .message("The conditional request failed")
                    .statusCode(400)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ConditionalCheckFailedException")
                            .errorMessage("The conditional request failed").build());
            if (returnOld == ReturnValuesOnConditionCheckFailure.ALL_OLD && old != null) {
                failure.item(old);
            }
            throw failure.build();
        }
    }

    private static boolean evaluate(String expression, Map<String, String> names, Map<String, AttributeValue> values,
            Map<String, AttributeValue> item) {
        for (String or : expression.split(" OR ")) {
            boolean all = true;
            for (String term : or.split(" AND ")) {
                all &= term(term.trim(), names, values, item);
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static boolean term(String term, Map<String, String> names, Map<String, AttributeValue> values,
            Map<String, AttributeValue> item) {
        Matcher m = NOT_EXISTS.matcher(term);
        if (m.matches()) {
            return !item.containsKey(name(m.group(1), names));
        }
        m = COMPARE.matcher(term);
        if (!m.matches()) {
            throw new IllegalArgumentException("unsupported condition: " + term);
        }
        AttributeValue left = operand(m.group(1), names, values, item);
        AttributeValue right = operand(m.group(3), names, values, item);
        if (left == null || right == null) {
            // A comparison with a missing attribute is false in DynamoDB.
            return false;
        }
        int order = left.n() != null && right.n() != null
                ? Long.compare(Long.parseLong(left.n()), Long.parseLong(right.n()))
                : String.valueOf(left.s()).compareTo(String.valueOf(right.s()));
        return m.group(2).equals("=") ? order == 0 : order < 0;
    }

    private static String name(String token, Map<String, String> names) {
        if (!token.startsWith("#")) {
            return token;
        }
        String name = names.get(token);
        if (name == null) {
            throw new IllegalArgumentException("no expression attribute name " + token);
        }
        return name;
    }

    private static AttributeValue operand(String token, Map<String, String> names, Map<String, AttributeValue> values,
            Map<String, AttributeValue> item) {
        if (token.startsWith(":")) {
            AttributeValue v = values.get(token);
            if (v == null) {
                throw new IllegalArgumentException("no expression attribute value " + token);
            }
            return v;
        }
        return item.get(name(token, names));
    }

    @Override
    public String serviceName() {
        return "dynamodb";
    }

    @Override
    public void close() {
    }
}
