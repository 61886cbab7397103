package dev.amishare.tests;

import dev.amishare.contract.Names;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The deployed owner stack's share ledger, read as its functions read it: the table is the one the
 * functions of the state machine name in {@link Names#ENV_LEDGER_TABLE}.
 */
public final class LedgerItems {

    /** One grant item: {@code pk = GRANT#<resource>}, {@code sk = <principal>#<shareId>}. */
    public record Grant(String kind, String resource, String principal, String shareId) {
    }

    private final Aws aws;
    private final String table;

    public LedgerItems(Aws aws, String table) {
        this.aws = aws;
        this.table = table;
    }

    /** The ledger table of the deployed stage function {@code functionArn} (any stage that keeps grants). */
    public static LedgerItems ofFunction(Aws aws, String functionArn) {
        Map<String, String> env = aws.lambda(Accounts.OWNER).getFunctionConfiguration(r -> r.functionName(functionArn))
                .environment().variables();
        String table = env.get(Names.ENV_LEDGER_TABLE);
        if (table == null) {
            throw new IllegalStateException(functionArn + " has no " + Names.ENV_LEDGER_TABLE + " in its environment");
        }
        return new LedgerItems(aws, table);
    }

    public String table() {
        return table;
    }

    /** Every grant item of {@code resource} (an image id, snapshot id or key ARN), read consistently. */
    public List<Grant> grants(String resource) {
        List<Grant> out = new java.util.ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = aws.dynamoDb(Accounts.OWNER).query(r -> r.tableName(table).consistentRead(true)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", Names.LEDGER_PARTITION_KEY))
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("GRANT#" + resource)))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                out.add(new Grant(s(item, "kind"), s(item, "resource"), s(item, "principal"), s(item, "shareId")));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    /** The principals the ledger holds grants for on {@code resource}, whichever share granted them. */
    public Set<String> principals(String resource) {
        return new TreeSet<>(grants(resource).stream().map(Grant::principal).toList());
    }

    /** The share ids holding grants on {@code resource}. */
    public Set<String> shareIds(String resource) {
        return new TreeSet<>(grants(resource).stream().map(Grant::shareId).toList());
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
