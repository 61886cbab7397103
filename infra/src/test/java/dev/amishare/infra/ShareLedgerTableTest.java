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

    /** Every partition-key pattern a function other than the copy waiters is granted. */
    private static final List<String> SHARE_ITEM_KEYS = List.of("LEASE#*", "GRANT#*", "SHARES", "IDEMPOTENCY#*");

    @Test
    void ledgerItems_shouldBeGrantedOnTheLedgerTableOnlyForTheirOwnKindsOfItem_whenGranted() {
        // WHEN every statement that names a DynamoDB action
        List<Map<String, Object>> ddb = Synth.statements(template).stream()
                .filter(s -> Synth.actions(s).stream().anyMatch(a -> a.startsWith("dynamodb:")))
                .toList();

        // THEN each is on the table's ARN only, and only for items of the partition keys it names
        assertThat(ddb).isNotEmpty().allSatisfy(s -> {
            assertThat(Synth.actions(s)).allMatch(a -> a.startsWith("dynamodb:") && !a.contains("*")
                    && !a.equals("dynamodb:Scan"));
            assertThat(String.valueOf(s.get("Resource"))).contains("FunctionsShareLedger").contains("Arn")
                    .doesNotContain("*");
            assertThat(String.valueOf(s.get("Condition"))).contains("ForAllValues:StringLike")
                    .contains("dynamodb:LeadingKeys");
        });
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

    /** The ledger actions each stage's role holds: what its service classes call (ShareLedger). */
    private static List<String> ledgerActions(Stage stage) {
        List<String> keyEditor = List.of("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                "dynamodb:Query", "dynamodb:GetItem");
        return switch (stage) {
            case PREPARE -> List.of("dynamodb:PutItem");
            case GRANT_LAUNCH_PERMISSION, SHARE_SNAPSHOTS -> List.of("dynamodb:BatchWriteItem", "dynamodb:GetItem");
            case KEY_POLICY -> keyEditor;
            case REVOKE -> List.of("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                    "dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem");
            case REPORT -> List.of("dynamodb:GetItem", "dynamodb:PutItem");
            case SHARE_API -> List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query");
            case AWAIT_COPY, COPY_EVENT -> List.of("dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem");
            default -> List.of();
        };
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void ledgerItems_shouldBeGrantedOnlyToTheFunctionsThatKeepLedgerItems_whenGranted(Stage stage) {
        // GIVEN what the stage's service classes read and write in the ledger
        List<String> expected = ledgerActions(stage);

        // WHEN the stage's role is read
        List<String> ddb = Synth.statementsOf(template, Synth.roleOf(template, stage)).stream()
                .flatMap(s -> Synth.actions(s).stream()).filter(a -> a.startsWith("dynamodb:")).toList();

        // THEN it holds exactly those
        assertThat(ddb).as(stage.name()).containsExactlyInAnyOrderElementsOf(expected);
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
