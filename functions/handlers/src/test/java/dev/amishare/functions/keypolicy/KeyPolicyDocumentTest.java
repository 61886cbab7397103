package dev.amishare.functions.keypolicy;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.model.Principals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyPolicyDocumentTest {

    static final String KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    // The default policy KMS gives a key, pretty-printed the way GetKeyPolicy returns it.
    static final String DEFAULT_POLICY = """
            {
              "Version" : "2012-10-17",
              "Id" : "key-default-1",
              "Statement" : [ {
                "Sid" : "Enable IAM User Permissions",
                "Effect" : "Allow",
                "Principal" : {
                  "AWS" : "arn:aws:iam::111111111111:root"
                },
                "Action" : "kms:*",
                "Resource" : "*"
              } ]
            }""";

    // A policy with the shapes amishare must never touch: conditions, NotPrincipal, a Service principal,
    // principal lists, another account's grant, a numeric condition and an unknown field.
    static final String BUSY_POLICY = """
            {
              "Version": "2012-10-17",
              "Id": "busy",
              "x-owner-note": {"ticket": 42},
              "Statement": [
                {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "DenyOutsiders", "Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111111111111:root",
                 "arn:aws:iam::444444444444:root"]}, "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
                {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
                 "Action": ["kms:Encrypt*", "kms:Decrypt*"], "Resource": "*",
                 "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111111111111:*"},
                               "NumericLessThan": {"aws:MultiFactorAuthAge": 3600.50}}},
                {"Sid": "PartnerAccess", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::222222222222:root",
                 "arn:aws:iam::555555555555:role/Build"]}, "Action": "kms:Decrypt", "Resource": "*"},
                {"Effect": "Allow", "Principal": "*", "Action": "kms:DescribeKey", "Resource": "*",
                 "Condition": {"StringEquals": {"kms:CallerAccount": "111111111111"}}}
              ]
            }""";

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> statements(String json) {
        List<JsonNode> out = new ArrayList<>();
        tree(json).get("Statement").forEach(out::add);
        return out;
    }

    private static JsonNode statement(String json, String sid) {
        return statements(json).stream().filter(s -> sid.equals(s.path("Sid").asText())).findFirst().orElse(null);
    }

    private static KeyPolicyDocument doc(String json) {
        return KeyPolicyDocument.parse(json, KEY_ARN);
    }

    @Test
    void grant_shouldAppendUseGrantAndDescribeStatementsBoundToEc2_whenPolicyHasNone() {
        // GIVEN the default key policy
        KeyPolicyDocument policy = doc(DEFAULT_POLICY);

        // WHEN
        KeyPolicyDocument.Outcome outcome = grant(policy, List.of("333333333333", "222222222222"), List.of(), List.of());

        // THEN the owner's statement stays first and untouched; amishare's three follow, the cryptographic
        // and grant ones usable only through EC2 in the key's region
        assertThat(outcome.changed).containsExactly("333333333333", "222222222222");
        assertThat(outcome.unchanged).isEmpty();
        assertThat(policy.changed()).isTrue();
        List<JsonNode> after = statements(policy.json());
        assertThat(after).hasSize(4);
        assertThat(after.get(0)).isEqualTo(statements(DEFAULT_POLICY).get(0));
        assertThat(after.get(1)).isEqualTo(tree("""
                {"Sid":"AmishareKeyUse","Effect":"Allow",
                 "Principal":{"AWS":["arn:aws:iam::222222222222:root","arn:aws:iam::333333333333:root"]},
                 "Action":["kms:Decrypt","kms:ReEncryptFrom","kms:ReEncryptTo","kms:GenerateDataKeyWithoutPlaintext"],
                 "Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}"""));
        assertThat(after.get(2)).isEqualTo(tree("""
                {"Sid":"AmishareKeyGrant","Effect":"Allow",
                 "Principal":{"AWS":["arn:aws:iam::222222222222:root","arn:aws:iam::333333333333:root"]},
                 "Action":"kms:CreateGrant","Resource":"*",
                 "Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"},
                              "StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}"""));
        assertThat(after.get(3)).isEqualTo(tree("""
                {"Sid":"AmishareKeyDescribe","Effect":"Allow",
                 "Principal":{"AWS":["arn:aws:iam::222222222222:root","arn:aws:iam::333333333333:root"]},
                 "Action":"kms:DescribeKey","Resource":"*"}"""));
        assertThat(tree(policy.json()).get("Id").asText()).isEqualTo("key-default-1");
    }

    @Test
    void grant_shouldLeaveThePolicyByteForByteTheSame_whenRunAgain() {
        // GIVEN a policy amishare already granted 222 and 333 in
        KeyPolicyDocument first = doc(DEFAULT_POLICY);
        grant(first, List.of("222222222222", "333333333333"), List.of("o-a1b2c3d4e5"), List.of());
        String granted = first.json();

        // WHEN the same grant runs on the result, in another order
        KeyPolicyDocument second = doc(granted);
        KeyPolicyDocument.Outcome outcome =
                grant(second, List.of("333333333333", "222222222222"), List.of("o-a1b2c3d4e5"), List.of());

        // THEN nothing changes, to the byte
        assertThat(second.changed()).isFalse();
        assertThat(second.json()).isSameAs(granted);
        assertThat(outcome.changed).isEmpty();
        assertThat(outcome.unchanged).containsExactly("333333333333", "222222222222", "o-a1b2c3d4e5");
    }

    @Test
    void grant_shouldMergeSortedAndDeduplicated_whenStatementHoldsAPrincipalAsString() {
        // GIVEN amishare's statements name 333 as a single string, as a human edit might leave them
        String policy = DEFAULT_POLICY.replace("} ]\n}", """
                }, {"Sid":"AmishareKeyUse","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},
                    "Action":["kms:Decrypt"],"Resource":"*"},
                   {"Sid":"AmishareKeyGrant","Effect":"Allow","Principal":{"AWS":"333333333333"},
                    "Action":"kms:CreateGrant","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}} ]
                }""");
        KeyPolicyDocument doc = doc(policy);

        // WHEN 222 is granted twice in one request, and 333 again
        KeyPolicyDocument.Outcome outcome =
                grant(doc, List.of("222222222222", "333333333333", "222222222222"), List.of(), List.of());

        // THEN one sorted list without repeats, in the same statements, brought to amishare's form
        assertThat(outcome.changed).containsExactly("222222222222");
        assertThat(outcome.unchanged).containsExactly("333333333333");
        JsonNode use = statement(doc.json(), "AmishareKeyUse");
        assertThat(use.at("/Principal/AWS")).isEqualTo(
                tree("[\"arn:aws:iam::222222222222:root\",\"arn:aws:iam::333333333333:root\"]"));
        assertThat(use.get("Action")).isEqualTo(tree("[\"kms:Decrypt\",\"kms:ReEncryptFrom\",\"kms:ReEncryptTo\","
                + "\"kms:GenerateDataKeyWithoutPlaintext\"]"));
        assertThat(use.at("/Condition/StringEquals/kms:ViaService").asText()).isEqualTo("ec2.us-east-1.amazonaws.com");
        assertThat(statement(doc.json(), "AmishareKeyGrant").at("/Principal/AWS")).isEqualTo(
                tree("[\"arn:aws:iam::222222222222:root\",\"arn:aws:iam::333333333333:root\"]"));
        assertThat(statements(doc.json())).hasSize(4);
    }

    @Test
    void grant_shouldKeepEveryOtherStatementAndField_whenPolicyHasConditionsNotPrincipalAndServicePrincipals() {
        // GIVEN
        KeyPolicyDocument doc = doc(BUSY_POLICY);

        // WHEN
        grant(doc, List.of("222222222222"), List.of(), List.of());

        // THEN the five statements are unchanged and in place; top-level fields keep their order and values
        List<JsonNode> before = statements(BUSY_POLICY);
        List<JsonNode> after = statements(doc.json());
        assertThat(after.subList(0, 5)).containsExactlyElementsOf(before);
        assertThat(after).hasSize(8);
        List<String> fields = new ArrayList<>();
        tree(doc.json()).fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("Version", "Id", "x-owner-note", "Statement");
        assertThat(doc.json()).contains("\"x-owner-note\":{\"ticket\":42}").contains("3600.50");
    }

    @Test
    void grant_shouldStillAddTheAccountToItsOwnStatement_whenAnotherStatementAlreadyNamesIt() {
        // GIVEN "PartnerAccess" already lets 222 decrypt, outside amishare's statements
        KeyPolicyDocument doc = doc(BUSY_POLICY);

        // WHEN
        KeyPolicyDocument.Outcome outcome = grant(doc, List.of("222222222222"), List.of(), List.of());

        // THEN amishare grants in its own statement (so that revoking never edits somebody else's)
        assertThat(outcome.changed).containsExactly("222222222222");
        assertThat(statement(doc.json(), "PartnerAccess")).isEqualTo(statement(BUSY_POLICY, "PartnerAccess"));
        assertThat(statement(doc.json(), "AmishareKeyUse").at("/Principal/AWS/0").asText())
                .isEqualTo("arn:aws:iam::222222222222:root");
    }

    @Test
    void grant_shouldUseOrganizationCondition_whenOrganizationIsGiven() {
        // GIVEN
        KeyPolicyDocument doc = doc(DEFAULT_POLICY);
        String orgId = KeyPolicyDocument.organizationId("arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5");

        // WHEN
        grant(doc, List.of(), List.of(orgId), List.of());

        // THEN Principal "*" limited to the organization, and no account statement
        assertThat(orgId).isEqualTo("o-a1b2c3d4e5");
        assertThat(statement(doc.json(), "AmishareKeyUse")).isNull();
        assertThat(statement(doc.json(), "AmishareOrgKeyUse")).isEqualTo(tree("""
                {"Sid":"AmishareOrgKeyUse","Effect":"Allow","Principal":"*",
                 "Action":["kms:Decrypt","kms:ReEncryptFrom","kms:ReEncryptTo","kms:GenerateDataKeyWithoutPlaintext"],
                 "Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com",
                                                             "aws:PrincipalOrgID":["o-a1b2c3d4e5"]}}}"""));
        assertThat(statement(doc.json(), "AmishareOrgKeyGrant")).isEqualTo(tree("""
                {"Sid":"AmishareOrgKeyGrant","Effect":"Allow","Principal":"*","Action":"kms:CreateGrant","Resource":"*",
                 "Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"},
                              "StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com",
                                              "aws:PrincipalOrgID":["o-a1b2c3d4e5"]}}}"""));
        assertThat(statement(doc.json(), "AmishareOrgKeyDescribe")).isEqualTo(tree("""
                {"Sid":"AmishareOrgKeyDescribe","Effect":"Allow","Principal":"*","Action":"kms:DescribeKey",
                 "Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-a1b2c3d4e5"]}}}"""));
    }

    @Test
    void grant_shouldUseOrgPathsCondition_whenOuIsGiven() {
        // GIVEN an OU ARN, which lacks the root id
        String path = KeyPolicyDocument.organizationalUnitPath(
                "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-cdef3456");
        KeyPolicyDocument doc = doc(DEFAULT_POLICY);

        // WHEN
        grant(doc, List.of(), List.of(), List.of(path));

        // THEN the root (and any parent OU) is a wildcard, and the OU's children match too
        assertThat(path).isEqualTo("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*");
        assertThat(statement(doc.json(), "AmishareOuKeyUse").at("/Condition")).isEqualTo(tree(
                "{\"StringEquals\":{\"kms:ViaService\":\"ec2.us-east-1.amazonaws.com\"},"
                        + "\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":[\"o-a1b2c3d4e5/*/ou-ab12-cdef3456/*\"]}}"));
        assertThat(statement(doc.json(), "AmishareOuKeyGrant").at("/Condition")).isEqualTo(tree(
                "{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"},"
                        + "\"StringEquals\":{\"kms:ViaService\":\"ec2.us-east-1.amazonaws.com\"},"
                        + "\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":[\"o-a1b2c3d4e5/*/ou-ab12-cdef3456/*\"]}}"));
        assertThat(statement(doc.json(), "AmishareOuKeyDescribe").at("/Condition")).isEqualTo(tree(
                "{\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":[\"o-a1b2c3d4e5/*/ou-ab12-cdef3456/*\"]}}"));
        assertThat(statement(doc.json(), "AmishareOrgKeyUse")).isNull();
    }

    @Test
    void revoke_shouldRestoreTheOriginalStatements_whenEverythingGrantedIsRevoked() {
        // GIVEN accounts, an organization and an OU granted on a busy policy
        KeyPolicyDocument granted = doc(BUSY_POLICY);
        grant(granted, List.of("222222222222", "333333333333"), List.of("o-a1b2c3d4e5"), List.of("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"));
        assertThat(statements(granted.json())).hasSize(14);

        // WHEN all of it is revoked
        KeyPolicyDocument revoked = doc(granted.json());
        KeyPolicyDocument.Outcome outcome = revoke(revoked, List.of("222222222222", "333333333333"),
                List.of("o-a1b2c3d4e5"), List.of("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"));

        // THEN amishare's nine statements are gone and the policy equals the original
        assertThat(outcome.changed).hasSize(4);
        assertThat(tree(revoked.json())).isEqualTo(tree(BUSY_POLICY));
    }

    @Test
    void revoke_shouldKeepTheStatement_whenOtherAccountsRemain() {
        // GIVEN
        KeyPolicyDocument granted = doc(DEFAULT_POLICY);
        grant(granted, List.of("222222222222", "333333333333"), List.of(), List.of());
        KeyPolicyDocument doc = doc(granted.json());

        // WHEN
        revoke(doc, List.of("222222222222"), List.of(), List.of());

        // THEN
        assertThat(statement(doc.json(), "AmishareKeyUse").at("/Principal/AWS"))
                .isEqualTo(tree("[\"arn:aws:iam::333333333333:root\"]"));
        assertThat(statement(doc.json(), "AmishareKeyGrant").at("/Principal/AWS"))
                .isEqualTo(tree("[\"arn:aws:iam::333333333333:root\"]"));
    }

    @Test
    void revoke_shouldChangeNothing_whenTheAccountIsNotGranted() {
        // GIVEN a policy where only somebody else's statement names 222
        KeyPolicyDocument doc = doc(BUSY_POLICY);

        // WHEN
        KeyPolicyDocument.Outcome outcome = revoke(doc, List.of("222222222222"), List.of(), List.of());

        // THEN other statements are never edited, so nothing is removed
        assertThat(outcome.changed).isEmpty();
        assertThat(outcome.unchanged).containsExactly("222222222222");
        assertThat(doc.changed()).isFalse();
        assertThat(doc.json()).isSameAs(BUSY_POLICY);
    }

    @Test
    void revoke_shouldKeepForeignEntries_whenAmishareStatementAlsoNamesARole() {
        // GIVEN somebody added a role to amishare's statement
        String policy = DEFAULT_POLICY.replace("} ]\n}", """
                }, {"Sid":"AmishareKeyUse","Effect":"Allow",
                    "Principal":{"AWS":["arn:aws:iam::222222222222:root","arn:aws:iam::555555555555:role/Build"]},
                    "Action":["kms:Decrypt"],"Resource":"*"} ]
                }""");
        KeyPolicyDocument doc = doc(policy);

        // WHEN the last account is revoked
        revoke(doc, List.of("222222222222"), List.of(), List.of());

        // THEN the statement stays for the role
        assertThat(statement(doc.json(), "AmishareKeyUse").at("/Principal/AWS"))
                .isEqualTo(tree("[\"arn:aws:iam::555555555555:role/Build\"]"));
    }

    @Test
    void grant_shouldWrapTheStatement_whenPolicyHoldsASingleStatementObject() {
        // GIVEN a policy whose Statement is one object, not an array
        String single = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"Admin\",\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}}";
        KeyPolicyDocument doc = doc(single);

        // WHEN
        grant(doc, List.of("222222222222"), List.of(), List.of());

        // THEN
        List<JsonNode> after = statements(doc.json());
        assertThat(after).hasSize(4);
        assertThat(after.get(0)).isEqualTo(tree(single).get("Statement"));
    }

    @Test
    void grant_shouldWritePrincipalsOfTheKeysPartition_whenKeyIsInGovCloud() {
        // GIVEN
        KeyPolicyDocument doc = KeyPolicyDocument.parse(DEFAULT_POLICY.replace("arn:aws:", "arn:aws-us-gov:"),
                "arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab");

        // WHEN
        grant(doc, List.of("222222222222"), List.of(), List.of());

        // THEN
        assertThat(statement(doc.json(), "AmishareKeyUse").at("/Principal/AWS/0").asText())
                .isEqualTo("arn:aws-us-gov:iam::222222222222:root");
    }

    @Test
    void sizeBytes_shouldCountUtf8Bytes_whenPolicyHasNonAsciiText() {
        // GIVEN a 2-byte character in a description field
        String policy = "{\"Version\":\"2012-10-17\",\"Id\":\"é\",\"Statement\":[]}";
        KeyPolicyDocument doc = doc(policy);

        // WHEN / THEN one more byte than characters
        assertThat(doc.sizeBytes()).isEqualTo(policy.length() + 1);
    }

    @Test
    void revoke_shouldRemoveTheAccountFromEveryCopy_whenAmishareStatementWasDuplicatedByHand() {
        // GIVEN two AmishareKeyUse statements, both naming 222
        String policy = DEFAULT_POLICY.replace("} ]\n}", """
                }, {"Sid":"AmishareKeyUse","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},
                    "Action":["kms:Decrypt"],"Resource":"*"},
                   {"Sid":"AmishareKeyUse","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:root",
                    "arn:aws:iam::333333333333:root"]},"Action":["kms:Decrypt"],"Resource":"*"} ]
                }""");
        KeyPolicyDocument doc = doc(policy);

        // WHEN
        revoke(doc, List.of("222222222222"), List.of(), List.of());

        // THEN one statement is left, for 333 only
        List<JsonNode> amishare = statements(doc.json()).stream()
                .filter(s -> s.path("Sid").asText().equals("AmishareKeyUse")).toList();
        assertThat(amishare).singleElement().satisfies(s -> assertThat(s.at("/Principal/AWS"))
                .isEqualTo(tree("[\"arn:aws:iam::333333333333:root\"]")));
        assertThat(doc.json()).doesNotContain("222222222222");
    }

    /** Principals from the values the policy holds: account ids, organization ids, OU path patterns. */
    private static Principals principals(List<String> accountIds, List<String> organizationIds, List<String> ouPaths) {
        return new Principals(accountIds,
                organizationIds.stream().map(o -> "arn:aws:organizations::111111111111:organization/" + o).toList(),
                ouPaths.stream().map(p -> p.split("/")).map(
                        p -> "arn:aws:organizations::111111111111:ou/" + p[0] + "/" + p[2]).toList());
    }

    private static KeyPolicyDocument.Outcome grant(KeyPolicyDocument doc, List<String> accountIds,
            List<String> organizationIds, List<String> ouPaths) {
        return doc.grant(principals(accountIds, organizationIds, ouPaths));
    }

    private static KeyPolicyDocument.Outcome revoke(KeyPolicyDocument doc, List<String> accountIds,
            List<String> organizationIds, List<String> ouPaths) {
        return doc.revoke(principals(accountIds, organizationIds, ouPaths));
    }

    @Test
    void everyStatement_shouldBindCryptographicAndGrantActionsToEc2_whenAnyKindIsGranted() {
        // GIVEN every kind of principal amishare writes, granted on a key in eu-west-1
        KeyPolicyDocument doc = KeyPolicyDocument.parse(DEFAULT_POLICY,
                "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        grant(doc, List.of("222222222222"), List.of("o-a1b2c3d4e5"), List.of("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"));

        // WHEN every statement amishare can write is read back
        List<JsonNode> owned = doc.ownedStatements();

        // THEN each Sid appears once, and each that allows a cryptographic operation or CreateGrant is EC2-only
        assertThat(owned).extracting(s -> s.get("Sid").asText())
                .containsExactlyInAnyOrderElementsOf(KeyPolicyDocument.OWNED_SIDS);
        for (JsonNode statement : owned) {
            List<String> actions = new ArrayList<>();
            JsonNode action = statement.get("Action");
            if (action.isArray()) {
                action.forEach(a -> actions.add(a.asText()));
            } else {
                actions.add(action.asText());
            }
            boolean cryptographicOrGrant = actions.stream().anyMatch(a -> !a.equals("kms:DescribeKey"));
            assertThat(actions).as(statement.get("Sid").asText()).doesNotContain("kms:*", "kms:Encrypt",
                    "kms:GenerateDataKey", "kms:GenerateDataKey*", "kms:ReEncrypt*");
            if (cryptographicOrGrant) {
                assertThat(statement.at("/Condition/StringEquals/kms:ViaService").asText())
                        .as(statement.get("Sid").asText()).isEqualTo("ec2.eu-west-1.amazonaws.com");
            }
            if (actions.contains("kms:CreateGrant")) {
                assertThat(statement.at("/Condition/Bool/kms:GrantIsForAWSResource").asText()).isEqualTo("true");
            }
        }
    }
}
