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

    @Test
    @SuppressWarnings("unchecked")
    void ledgerItems_shouldBeWrittenOnlyOnTheLedgerTable_whenGranted() {
        // WHEN every statement that names a DynamoDB action
        List<Map<String, Object>> ddb = Synth.statements(template).stream()
                .filter(s -> Synth.actions(s).stream().anyMatch(a -> a.startsWith("dynamodb:")))
                .toList();

        // THEN one per function that edits key policies and one for the API, only item actions, on the
        // table's ARN only; the API's narrowed to its partitions
        assertThat(ddb).hasSize(3).allSatisfy(s -> assertThat(String.valueOf(s.get("Resource")))
                .contains("FunctionsShareLedger").contains("Arn").doesNotContain("*"));
        assertThat(ddb).filteredOn(s -> s.get("Condition") == null).hasSize(2).allSatisfy(s -> assertThat(
                Synth.actions(s)).containsExactlyInAnyOrder("dynamodb:PutItem", "dynamodb:DeleteItem",
                "dynamodb:BatchWriteItem", "dynamodb:Query"));
        assertThat(ddb).filteredOn(s -> s.get("Condition") != null).singleElement().satisfies(s -> {
            assertThat(Synth.actions(s)).containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:PutItem",
                    "dynamodb:Query");
            assertThat(s.get("Condition")).isEqualTo(Map.of("ForAllValues:StringLike", Map.of(
                    "dynamodb:LeadingKeys", List.of("SHARES", "IDEMPOTENCY#*", "GRANT#*"))));
        });
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void ledgerItems_shouldBeGrantedOnlyToTheFunctionsThatEditKeyPolicies_whenGranted(Stage stage) {
        // GIVEN the stages whose service classes take key-policy leases and record key grants (KeyPolicyService,
        // which Revoke runs too)
        boolean editsKeyPolicies = stage == Stage.KEY_POLICY || stage == Stage.REVOKE;

        // WHEN the stage's role is read
        List<String> ddb = Synth.statementsOf(template, Synth.roleOf(template, stage)).stream()
                .flatMap(s -> Synth.actions(s).stream()).filter(a -> a.startsWith("dynamodb:")).toList();

        // THEN it holds the ledger's item actions exactly when it edits key policies; the API reads and keeps
        // its idempotency keys (its partitions: apiFunction_shouldTouchOnlyShareRecordsIdempotencyKeysAndGrants)
        if (editsKeyPolicies) {
            assertThat(ddb).as(stage.name()).containsExactlyInAnyOrder("dynamodb:PutItem", "dynamodb:DeleteItem",
                    "dynamodb:BatchWriteItem", "dynamodb:Query");
        } else if (stage == Stage.SHARE_API) {
            assertThat(ddb).containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query");
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
