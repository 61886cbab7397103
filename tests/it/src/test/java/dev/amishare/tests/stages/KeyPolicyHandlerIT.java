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

        // THEN each key's policy keeps its statements and gains amishare's, naming the consumer
        assertThat(result.keys()).extracting(KeyPolicyChange::policyChanged).containsExactly(true, true);
        for (String key : ami.ownerKeyArns()) {
            String policy = stages.keyPolicy(key);
            assertThat(policy).contains("AmishareKeyUse").contains("AmishareKeyGrant").contains("AmishareKeyDescribe")
                    .contains("\"kms:ViaService\":\"ec2." + Accounts.REGION + ".amazonaws.com\"")
                    .contains("arn:aws:iam::" + Accounts.CONSUMER + ":root")
                    .contains("kms:GrantIsForAWSResource");
        }
        // and the statements that were there come first, unchanged
        JsonNode original = statements(before);
        JsonNode now = statements(stages.keyPolicy(ami.ownerKeyArns().get(0)));
        // (amishare's use, grant and describe statements follow)
        assertThat(now.size()).isEqualTo(original.size() + 3);
        for (int i = 0; i < original.size(); i++) {
            assertThat(now.get(i)).isEqualTo(original.get(i));
        }
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
        assertThat(second.keys().get(1).alreadyPresent()).contains(Accounts.CONSUMER);
        assertThat(stages.keyPolicy(ami.ownerKeyArns().get(1))).isEqualTo(first);
    }

    @Test
    void grant_shouldMergeTargetsIntoOneStatement_whenASecondAccountIsAdded() {
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);

        stages.grantKeys(ami.ownerKeyArns(), Accounts.THIRD);

        String policy = stages.keyPolicy(ami.ownerKeyArns().get(0));
        assertThat(policy.split("\"AmishareKeyUse\"", -1)).hasSize(2);
        assertThat(policy).contains("arn:aws:iam::" + Accounts.CONSUMER + ":root")
                .contains("arn:aws:iam::" + Accounts.THIRD + ":root");
    }
}
