package dev.amishare.functions.keypolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.functions.model.Principals;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyPolicyPrincipalsTest {

    static final String KEY_ARN = KeyPolicyDocumentTest.KEY_ARN;
    static final String ORG = "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5";
    static final String OU = "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-cdef3456";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void principals_shouldListEveryKindInPolicyForm_whenCompactAndOlderStatementsHoldThem() throws Exception {
        // GIVEN compact statements for an account, an organization and an OU, and an older account
        // statement naming a root ARN and a role that is not amishare's
        KeyPolicyDocument granted = KeyPolicyDocument.parse(KeyPolicyDocumentTest.DEFAULT_POLICY, KEY_ARN);
        granted.grant(new Principals(List.of("222222222222"), List.of(ORG), List.of(OU)));
        ObjectNode policy = (ObjectNode) MAPPER.readTree(granted.json());
        ((ArrayNode) policy.get("Statement")).add(MAPPER.readTree("""
                {"Sid": "AmishareKeyUse", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::333333333333:root",
                 "arn:aws:iam::444444444444:role/Build"]}, "Action": "kms:Decrypt", "Resource": "*"}"""));

        // WHEN
        var principals = KeyPolicyDocument.parse(policy.toString(), KEY_ARN).principals();

        // THEN
        assertThat(principals).containsExactly("222222222222", "333333333333", "o-a1b2c3d4e5",
                "o-a1b2c3d4e5/*/ou-ab12-cdef3456/*");
    }

    @Test
    void principals_shouldBeEmpty_whenAmishareHasNoStatement() {
        assertThat(KeyPolicyDocument.parse(KeyPolicyDocumentTest.BUSY_POLICY, KEY_ARN).principals()).isEmpty();
    }

    @Test
    void policyValue_shouldNameEachPrincipalAsThePolicyHoldsIt_whenGivenAsLaunchPermissionsNameIt() {
        assertThat(KeyPolicyDocument.policyValue("222222222222")).isEqualTo("222222222222");
        assertThat(KeyPolicyDocument.policyValue(ORG)).isEqualTo("o-a1b2c3d4e5");
        assertThat(KeyPolicyDocument.policyValue(OU)).isEqualTo("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*");
        assertThatThrownBy(() -> KeyPolicyDocument.policyValue("arn:aws:iam::222222222222:role/x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
