package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.keypolicy.KeyPolicyResult;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.Stages;
import dev.amishare.tests.SharedAmi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalStackExtension.class)
class KeyPolicyHandlerIT {

    private final Aws aws;
    private final Stages stages;

    KeyPolicyHandlerIT(Aws aws) {
        this.aws = aws;
        this.stages = new Stages(aws);
    }

    @Test
    void grant_shouldLetTheConsumerUseBothKeys_whenTheAmiUsesTwoKeys() {
        // GIVEN two owner keys with their default policies
        SharedAmi ami = SharedAmi.create(aws);
        String before = stages.keyPolicy(ami.ownerKeyArns().get(0));

        // WHEN the consumer is granted on both keys
        KeyPolicyResult result = stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);

        // THEN each key's policy keeps its statements and gains amishare's one statement for accounts, naming
        // the consumer by kms:CallerAccount and usable only through EC2 in the key's region
        assertThat(result.keys()).extracting(KeyPolicyChange::policyChanged).containsExactly(true, true);
        assertThat(result.keys()).extracting(KeyPolicyChange::added).containsExactly(1, 1);
        assertThat(result.keys()).extracting(KeyPolicyChange::verified).containsExactly(true, true);
        for (String key : ami.ownerKeyArns()) {
            JsonNode statement = accountsStatement(stages.keyPolicy(key));
            assertThat(statement.path("Principal").path("AWS").asText()).isEqualTo("*");
            assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
            JsonNode equals = statement.path("Condition").path("StringEquals");
            assertThat(callerAccounts(equals)).containsExactly(Accounts.CONSUMER);
            assertThat(equals.path("kms:ViaService").asText()).isEqualTo("ec2." + Accounts.REGION + ".amazonaws.com");
            assertThat(statement.path("Condition").path("BoolIfExists").path("kms:GrantIsForAWSResource").asText())
                    .isEqualTo("true");
        }
        // and the statements that were there come first, unchanged
        JsonNode original = statements(before);
        JsonNode now = statements(stages.keyPolicy(ami.ownerKeyArns().get(0)));
        // (amishare's one statement follows)
        assertThat(now.size()).isEqualTo(original.size() + 1);
        for (int i = 0; i < original.size(); i++) {
            assertThat(now.get(i)).isEqualTo(original.get(i));
        }
    }

    /** The statement amishare keeps its target accounts in; fails when the policy has none or several. */
    private static JsonNode accountsStatement(String policy) {
        java.util.List<JsonNode> found = new java.util.ArrayList<>();
        statements(policy).forEach(s -> {
            if ("AmishareAccounts".equals(s.path("Sid").asText())) {
                found.add(s);
            }
        });
        assertThat(found).as("statements with Sid AmishareAccounts in %s", policy).hasSize(1);
        return found.get(0);
    }

    private static java.util.List<String> callerAccounts(JsonNode stringEquals) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        JsonNode v = stringEquals.path("kms:CallerAccount");
        if (v.isArray()) {
            v.forEach(n -> ids.add(n.asText()));
        } else if (v.isTextual()) {
            ids.add(v.asText());
        }
        return ids;
    }

    private static JsonNode statements(String policy) {
        try {
            return Json.MAPPER.readTree(policy).get("Statement");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void grant_shouldLeaveThePolicyByteForByte_whenRunTwice() {
        // GIVEN a first grant
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);
        String first = stages.keyPolicy(ami.ownerKeyArns().get(1));

        // WHEN it runs again
        KeyPolicyResult second = stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);

        // THEN nothing is written and the policy is the same bytes
        assertThat(second.keys()).extracting(KeyPolicyChange::policyChanged).containsOnly(false);
        assertThat(second.keys()).extracting(KeyPolicyChange::added).containsOnly(0);
        assertThat(second.keys().get(1).alreadyPresent()).isEqualTo(1);
        assertThat(stages.keyPolicy(ami.ownerKeyArns().get(1))).isEqualTo(first);
    }

    @Test
    void grant_shouldMergeTargetsIntoOneStatement_whenASecondAccountIsAdded() {
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);

        stages.grantKeys(ami.ownerKeyArns(), Accounts.THIRD);

        // THEN one statement lists both accounts, sorted, and no per-account principal is written
        String policy = stages.keyPolicy(ami.ownerKeyArns().get(0));
        JsonNode statement = accountsStatement(policy);
        assertThat(callerAccounts(statement.path("Condition").path("StringEquals")))
                .containsExactly(Accounts.CONSUMER, Accounts.THIRD);
        assertThat(policy).doesNotContain("arn:aws:iam::" + Accounts.THIRD + ":root");
    }
}
