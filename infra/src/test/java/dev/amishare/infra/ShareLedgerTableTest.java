package dev.amishare.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.contract.Names;
import dev.amishare.contract.Stage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The owner stack's share ledger: the table, who may use it and how the functions find it. */
class ShareLedgerTableTest {

    private final Template template = Synth.OWNER_TEMPLATE;

    @Test
    void ledger_shouldBeOnDemandRecoverableProtectedAndExpireLeases_whenSynthesized() {
        // GIVEN / WHEN the owner stack / THEN one table, string keys pk and sk, on demand, point-in-time
        // recovery, deletion protection, encrypted under a key DynamoDB owns, leases expiring by TTL, retained
        template.resourceCountIs("AWS::DynamoDB::Table", 1);
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of(
                "KeySchema", List.of(Map.of("AttributeName", Names.LEDGER_PARTITION_KEY, "KeyType", "HASH"),
                        Map.of("AttributeName", Names.LEDGER_SORT_KEY, "KeyType", "RANGE")),
                "AttributeDefinitions", Match.arrayWith(List.of(
                        Map.of("AttributeName", Names.LEDGER_PARTITION_KEY, "AttributeType", "S"),
                        Map.of("AttributeName", Names.LEDGER_SORT_KEY, "AttributeType", "S"))),
                "BillingMode", "PAY_PER_REQUEST",
                "TimeToLiveSpecification", Map.of("AttributeName", Names.LEDGER_TTL_ATTRIBUTE, "Enabled", true),
                "DeletionProtectionEnabled", true,
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true)));
        template.hasResource("AWS::DynamoDB::Table", Map.of("DeletionPolicy", "Retain",
                "UpdateReplacePolicy", "Retain"));
        // SSEEnabled false is the AWS owned key (CloudFormation "aws-properties-dynamodb-table-
        // ssespecification"): encrypted at rest under DynamoDB's own key, at no cost and with no key policy
        // to keep (neither a customer-managed key nor aws/dynamodb).
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of("SSESpecification",
                Map.of("SSEEnabled", false)));
    }

    @Test
    void ledger_shouldBeNamedToEveryFunction_whenSynthesized() {
        // GIVEN / WHEN / THEN every function finds the table by the variable ShareLedger reads
        for (Stage stage : Stage.values()) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", stage.handler(),
                    "Environment", Map.of("Variables", Match.objectLike(Map.of(Names.ENV_LEDGER_TABLE,
                            Map.of("Ref", Match.stringLikeRegexp("FunctionsShareLedger.*")))))));
        }
    }

    /** The partition keys the key-policy functions' items have: never COPY#, the copy waiters' task tokens. */
    private static final List<String> SHARE_ITEM_KEYS = List.of("LEASE#*", "GRANT#*", "KEY#*", "SHARES");
    private static final String[] SHARE_ITEM_ACTIONS = {"dynamodb:PutItem", "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem", "dynamodb:Query"};
    private static final String[] COPY_WAIT_ACTIONS = {"dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem"};

    @Test
    void ledgerItems_shouldBeGrantedOnlyOnTheLedgerTableAndOnlyByPartitionKeyPrefix_whenGranted() {
        // WHEN every statement that names a DynamoDB action
        List<Map<String, Object>> ddb = Synth.statements(template).stream()
                .filter(s -> Synth.actions(s).stream().anyMatch(a -> a.startsWith("dynamodb:")))
                .toList();

        // THEN one per function that edits key policies and one for the copy waiters' role, only item actions
        // (no Scan, which names no partition key), on the table's ARN only, each limited to its own items
        assertThat(ddb).hasSize(3).allSatisfy(s -> {
            assertThat(Synth.actions(s)).doesNotContain("dynamodb:Scan", "dynamodb:GetItem", "dynamodb:*");
            assertThat(String.valueOf(s.get("Resource"))).contains("FunctionsShareLedger").contains("Arn")
                    .doesNotContain("*");
            assertThat(s).containsKey("Condition");
        });
        assertThat(ddb).filteredOn(s -> s.get("Condition").equals(Map.of("ForAllValues:StringLike",
                Map.of("dynamodb:LeadingKeys", SHARE_ITEM_KEYS))))
                .hasSize(2).allSatisfy(s -> assertThat(Synth.actions(s)).containsExactlyInAnyOrder(SHARE_ITEM_ACTIONS));
        assertThat(ddb).filteredOn(s -> s.get("Condition").equals(Map.of("ForAllValues:StringLike",
                Map.of("dynamodb:LeadingKeys", List.of("COPY#*")))))
                .singleElement().satisfies(s -> assertThat(Synth.actions(s)).containsExactlyInAnyOrder(COPY_WAIT_ACTIONS));
    }

    @Test
    void copyTokens_shouldBeReachableOnlyByTheCopyWaiterRole_whenGranted() {
        // WHEN every DynamoDB statement whose partition-key patterns could match a COPY# key
        List<Map<String, Object>> copyItems = Synth.statements(template).stream()
                .filter(s -> Synth.actions(s).stream().anyMatch(a -> a.startsWith("dynamodb:")))
                .filter(s -> String.valueOf(s.get("Condition")).contains("COPY#"))
                .toList();

        // THEN only the copy waiters' (the share-item patterns cannot match COPY#…), held by that role alone
        assertThat(SHARE_ITEM_KEYS).noneMatch(p -> "COPY#222222222222#eu-west-1#ami-1".matches(
                p.replace("*", ".*")));
        assertThat(copyItems).hasSize(1);
        for (Stage stage : Stage.values()) {
            boolean waits = stage == Stage.AWAIT_COPY || stage == Stage.COPY_EVENT;
            boolean reaches = Synth.statementsOf(template, Synth.roleOf(template, stage)).stream()
                    .anyMatch(s -> String.valueOf(s.get("Condition")).contains("COPY#"));
            assertThat(reaches).as(stage.name()).isEqualTo(waits);
        }
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void ledgerItems_shouldBeGrantedOnlyToTheFunctionsThatUseTheLedger_whenGranted(Stage stage) {
        // GIVEN the stages whose service classes take key-policy leases and record key grants (KeyPolicyService,
        // which Revoke runs too), and the copy waiters that keep task tokens (CopyTokenStore)
        boolean editsKeyPolicies = stage == Stage.KEY_POLICY || stage == Stage.REVOKE;
        boolean waitsForCopies = stage == Stage.AWAIT_COPY || stage == Stage.COPY_EVENT;

        // WHEN the stage's role is read
        List<String> ddb = Synth.statementsOf(template, Synth.roleOf(template, stage)).stream()
                .flatMap(s -> Synth.actions(s).stream()).filter(a -> a.startsWith("dynamodb:")).toList();

        // THEN it holds the ledger's item actions exactly when it uses them
        if (editsKeyPolicies) {
            assertThat(ddb).as(stage.name()).containsExactlyInAnyOrder(SHARE_ITEM_ACTIONS);
        } else if (waitsForCopies) {
            assertThat(ddb).as(stage.name()).containsExactlyInAnyOrder(COPY_WAIT_ACTIONS);
        } else {
            assertThat(ddb).as(stage.name()).isEmpty();
        }
    }

    @Test
    void lease_shouldOutlastEveryFunction_whenSynthesized() {
        // GIVEN a lease is taken and released within one invocation
        // WHEN / THEN no function may run as long as a lease lasts: a lease only lapses under a holder
        // that has stopped, so two writers never edit one key policy at once
        template.findResources("AWS::Lambda::Function").values().forEach(f -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> props = (Map<String, Object>) f.get("Properties");
            assertThat(((Number) props.get("Timeout")).intValue()).isLessThan(Names.LEDGER_LEASE_SECONDS);
        });
    }
}
