package dev.amishare.functions.keypolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.errors.KeyPolicyTooLargeException;
import dev.amishare.functions.model.Principals;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
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

    private static final String ACTIONS = "[\"kms:Decrypt\",\"kms:ReEncryptFrom\",\"kms:ReEncryptTo\","
            + "\"kms:GenerateDataKeyWithoutPlaintext\",\"kms:CreateGrant\",\"kms:DescribeKey\"]";
    private static final String USE_ACTIONS = "[\"kms:Decrypt\",\"kms:ReEncryptFrom\",\"kms:ReEncryptTo\","
            + "\"kms:GenerateDataKeyWithoutPlaintext\"]";
    private static final String VIA_EC2 = "\"kms:ViaService\":\"ec2.us-east-1.amazonaws.com\"";
    private static final String GRANT_FOR_RESOURCE = "\"BoolIfExists\":{\"kms:GrantIsForAWSResource\":\"true\"}";

    /** The three statements amishare wrote for accounts before the compact form, as it wrote them. */
    private static final String OLD_ACCOUNT_STATEMENTS = """
            {"Sid":"AmishareKeyUse","Effect":"Allow",
             "Principal":{"AWS":["arn:aws:iam::222222222222:root","arn:aws:iam::333333333333:root"]},
             "Action":%1$s,"Resource":"*","Condition":{"StringEquals":{%2$s}}},
            {"Sid":"AmishareKeyGrant","Effect":"Allow",
             "Principal":{"AWS":["arn:aws:iam::222222222222:root","arn:aws:iam::333333333333:root"]},
             "Action":"kms:CreateGrant","Resource":"*",
             "Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"},"StringEquals":{%2$s}}},
            {"Sid":"AmishareKeyDescribe","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:root","333333333333"]},
             "Action":"kms:DescribeKey","Resource":"*"}""".formatted(USE_ACTIONS, VIA_EC2);

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

    private static List<String> sids(String json) {
        return statements(json).stream().map(s -> s.path("Sid").asText("")).toList();
    }

    private static KeyPolicyDocument doc(String json) {
        return KeyPolicyDocument.parse(json, KEY_ARN);
    }

    /** DEFAULT_POLICY with {@code statements} (JSON objects, comma-separated) after the owner's statement. */
    private static String defaultPolicyWith(String statements) {
        return DEFAULT_POLICY.replace("} ]\n}", "}, " + statements + " ]\n}");
    }

    @Test
    void grant_shouldAppendOneCompactStatementBoundToEc2_whenPolicyHasNone() {
        // GIVEN the default key policy
        KeyPolicyDocument policy = doc(DEFAULT_POLICY);

        // WHEN
        KeyPolicyDocument.Outcome outcome = grant(policy, List.of("333333333333", "222222222222"), List.of(), List.of());

        // THEN the owner's statement stays first and untouched; amishare's one statement follows: any principal
        // of the two accounts, sorted, only through EC2 in the key's region, grants only for AWS resources
        assertThat(outcome.changed).containsExactly("333333333333", "222222222222");
        assertThat(outcome.unchanged).isEmpty();
        assertThat(policy.changed()).isTrue();
        List<JsonNode> after = statements(policy.json());
        assertThat(after).hasSize(2);
        assertThat(after.get(0)).isEqualTo(statements(DEFAULT_POLICY).get(0));
        assertThat(after.get(1)).isEqualTo(tree("""
                {"Sid":"AmishareAccounts","Effect":"Allow","Principal":{"AWS":"*"},"Action":%s,"Resource":"*",
                 "Condition":{"StringEquals":{"kms:CallerAccount":["222222222222","333333333333"],%s},%s}}"""
                .formatted(ACTIONS, VIA_EC2, GRANT_FOR_RESOURCE)));
        assertThat(tree(policy.json()).get("Id").asText()).isEqualTo("key-default-1");
        assertThat(policy.accountCount()).isEqualTo(2);
    }

    @Test
    void grant_shouldWriteCompactJson_whenItChangesThePolicy() {
        // GIVEN the pretty-printed default policy
        KeyPolicyDocument policy = doc(DEFAULT_POLICY);

        // WHEN
        grant(policy, List.of("222222222222"), List.of(), List.of());

        // THEN no whitespace between tokens: it counts against the limit
        assertThat(policy.json()).startsWith("{\"Version\":\"2012-10-17\",\"Id\":\"key-default-1\",\"Statement\":[{")
                .doesNotContain(" : ", "\n", ", ");
    }

    @Test
    void grant_shouldLeaveThePolicyByteForByteTheSame_whenRunAgain() {
        // GIVEN a policy amishare already granted accounts, an organization and an OU in
        KeyPolicyDocument first = doc(DEFAULT_POLICY);
        grant(first, List.of("222222222222", "333333333333"), List.of("o-a1b2c3d4e5"),
                List.of("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"));
        String granted = first.json();

        // WHEN the same grant runs on the result, in another order
        KeyPolicyDocument second = doc(granted);
        KeyPolicyDocument.Outcome outcome = grant(second, List.of("333333333333", "222222222222"),
                List.of("o-a1b2c3d4e5"), List.of("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"));

        // THEN nothing changes, to the byte
        assertThat(second.changed()).isFalse();
        assertThat(second.json()).isSameAs(granted);
        assertThat(outcome.changed).isEmpty();
        assertThat(outcome.unchanged).containsExactly("333333333333", "222222222222", "o-a1b2c3d4e5",
                "o-a1b2c3d4e5/*/ou-ab12-cdef3456/*");
    }

    @Test
    void grant_shouldMergeSortedAndDeduplicated_whenStatementHoldsAnAccountAsStringInAnOlderShape() {
        // GIVEN amishare's statement names 333 as a single string and lacks the grant condition, as a hand
        // edit might leave it
        String policy = defaultPolicyWith("""
                {"Sid":"AmishareAccounts","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt"],
                 "Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"333333333333"}}}""");
        KeyPolicyDocument doc = doc(policy);

        // WHEN 222 is granted twice in one request, and 333 again
        KeyPolicyDocument.Outcome outcome =
                grant(doc, List.of("222222222222", "333333333333", "222222222222"), List.of(), List.of());

        // THEN one sorted list without repeats, in the same statement, brought back to amishare's form
        assertThat(outcome.changed).containsExactly("222222222222");
        assertThat(outcome.unchanged).containsExactly("333333333333");
        JsonNode accounts = statement(doc.json(), "AmishareAccounts");
        assertThat(accounts.at("/Condition/StringEquals/kms:CallerAccount"))
                .isEqualTo(tree("[\"222222222222\",\"333333333333\"]"));
        assertThat(accounts.get("Action")).isEqualTo(tree(ACTIONS));
        assertThat(accounts.at("/Condition/StringEquals/kms:ViaService").asText()).isEqualTo("ec2.us-east-1.amazonaws.com");
        assertThat(accounts.at("/Condition/BoolIfExists/kms:GrantIsForAWSResource").asText()).isEqualTo("true");
        assertThat(statements(doc.json())).hasSize(2);
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
        assertThat(after).hasSize(6);
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
        assertThat(statement(doc.json(), "AmishareAccounts").at("/Condition/StringEquals/kms:CallerAccount/0").asText())
                .isEqualTo("222222222222");
    }

    @Test
    void grant_shouldWriteOneOrganizationStatement_whenOrganizationIsGiven() {
        // GIVEN
        KeyPolicyDocument doc = doc(DEFAULT_POLICY);
        String orgId = KeyPolicyDocument.organizationId("arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5");

        // WHEN
        grant(doc, List.of(), List.of(orgId), List.of());

        // THEN any principal of the organization, with the same actions and EC2 conditions, and no account statement
        assertThat(orgId).isEqualTo("o-a1b2c3d4e5");
        assertThat(statement(doc.json(), "AmishareAccounts")).isNull();
        assertThat(statements(doc.json())).hasSize(2);
        assertThat(statement(doc.json(), "AmishareOrganizations")).isEqualTo(tree("""
                {"Sid":"AmishareOrganizations","Effect":"Allow","Principal":{"AWS":"*"},"Action":%s,"Resource":"*",
                 "Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-a1b2c3d4e5"],%s},%s}}"""
                .formatted(ACTIONS, VIA_EC2, GRANT_FOR_RESOURCE)));
    }

    @Test
    void grant_shouldWriteOneOuStatementWithOrgPaths_whenOuIsGiven() {
        // GIVEN an OU ARN, which lacks the root id
        String path = KeyPolicyDocument.organizationalUnitPath(
                "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-cdef3456");
        KeyPolicyDocument doc = doc(DEFAULT_POLICY);

        // WHEN
        grant(doc, List.of(), List.of(), List.of(path));

        // THEN the root (and any parent OU) is a wildcard, and the OU's children match too
        assertThat(path).isEqualTo("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*");
        assertThat(statements(doc.json())).hasSize(2);
        assertThat(statement(doc.json(), "AmishareOrganizationalUnits")).isEqualTo(tree("""
                {"Sid":"AmishareOrganizationalUnits","Effect":"Allow","Principal":{"AWS":"*"},"Action":%s,
                 "Resource":"*","Condition":{
                   "ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"]},
                   "StringEquals":{%s},%s}}""".formatted(ACTIONS, VIA_EC2, GRANT_FOR_RESOURCE)));
        assertThat(statement(doc.json(), "AmishareOrganizations")).isNull();
    }

    @Test
    void revoke_shouldRestoreTheOriginalStatements_whenEverythingGrantedIsRevoked() {
        // GIVEN accounts, an organization and an OU granted on a busy policy: one statement each
        KeyPolicyDocument granted = doc(BUSY_POLICY);
        grant(granted, List.of("222222222222", "333333333333"), List.of("o-a1b2c3d4e5"),
                List.of("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"));
        assertThat(sids(granted.json())).endsWith("AmishareAccounts", "AmishareOrganizations",
                "AmishareOrganizationalUnits");
        assertThat(statements(granted.json())).hasSize(8);

        // WHEN all of it is revoked
        KeyPolicyDocument revoked = doc(granted.json());
        KeyPolicyDocument.Outcome outcome = revoke(revoked, List.of("222222222222", "333333333333"),
                List.of("o-a1b2c3d4e5"), List.of("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"));

        // THEN amishare's three statements are gone and the policy equals the original
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
        assertThat(statement(doc.json(), "AmishareAccounts").at("/Condition/StringEquals/kms:CallerAccount"))
                .isEqualTo(tree("[\"333333333333\"]"));
        assertThat(doc.accountCount()).isEqualTo(1);
    }

    @Test
    void revoke_shouldRemoveTheStatement_whenItsLastAccountIsRevoked() {
        // GIVEN 222 alone in amishare's statement
        KeyPolicyDocument granted = doc(DEFAULT_POLICY);
        grant(granted, List.of("222222222222"), List.of(), List.of());
        KeyPolicyDocument doc = doc(granted.json());

        // WHEN
        KeyPolicyDocument.Outcome outcome = revoke(doc, List.of("222222222222"), List.of(), List.of());

        // THEN no empty statement is left behind: the policy is the default one again
        assertThat(outcome.changed).containsExactly("222222222222");
        assertThat(doc.changed()).isTrue();
        assertThat(doc.json()).doesNotContain("Amishare", "222222222222");
        assertThat(tree(doc.json())).isEqualTo(tree(DEFAULT_POLICY));
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
    void grant_shouldMoveTheAccountsOfTheOldStatementsIntoTheCompactOne_whenPolicyHasTheThreeOldStatements() {
        // GIVEN the three statements an older amishare wrote for 222 and 333 (root ARNs, one bare id), and a
        // statement of somebody else's after them
        String policy = defaultPolicyWith(OLD_ACCOUNT_STATEMENTS + """
                , {"Sid":"Audit","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::666666666666:root"},
                   "Action":"kms:DescribeKey","Resource":"*"}""");
        KeyPolicyDocument doc = doc(policy);

        // WHEN 444 is granted
        KeyPolicyDocument.Outcome outcome = grant(doc, List.of("444444444444", "333333333333"), List.of(), List.of());

        // THEN one compact statement in the old ones' place holds all three; the old ones are gone; the
        // others are where they were
        assertThat(outcome.changed).containsExactly("444444444444");
        assertThat(outcome.unchanged).containsExactly("333333333333");
        assertThat(sids(doc.json())).containsExactly("Enable IAM User Permissions", "AmishareAccounts", "Audit");
        assertThat(statement(doc.json(), "AmishareAccounts").at("/Condition/StringEquals/kms:CallerAccount"))
                .isEqualTo(tree("[\"222222222222\",\"333333333333\",\"444444444444\"]"));
        assertThat(statement(doc.json(), "Audit")).isEqualTo(statement(policy, "Audit"));
        assertThat(doc.json()).doesNotContain("AmishareKey", ":root\",\"arn");
    }

    @Test
    void held_shouldCountTheAccountsOfOldStatements_withoutChangingThePolicy() {
        // GIVEN the old statements for 222 and 333
        String policy = defaultPolicyWith(OLD_ACCOUNT_STATEMENTS);
        KeyPolicyDocument doc = doc(policy);

        // WHEN
        KeyPolicyDocument.Outcome held = doc.held(new Principals(List.of("333333333333", "444444444444"), null, null));

        // THEN what a rollback must keep; nothing is migrated by a read
        assertThat(held.unchanged).containsExactly("333333333333");
        assertThat(held.changed).containsExactly("444444444444");
        assertThat(doc.changed()).isFalse();
        assertThat(doc.json()).isSameAs(policy);
    }

    @Test
    void revoke_shouldMigrateTheOthersAndDropTheOldStatements_whenTheOldStatementsHoldTheAccount() {
        // GIVEN the old statements for 222 and 333
        KeyPolicyDocument doc = doc(defaultPolicyWith(OLD_ACCOUNT_STATEMENTS));

        // WHEN 222 is revoked
        KeyPolicyDocument.Outcome outcome = revoke(doc, List.of("222222222222"), List.of(), List.of());

        // THEN 333 stays, in the compact statement; 222 is nowhere
        assertThat(outcome.changed).containsExactly("222222222222");
        assertThat(sids(doc.json())).containsExactly("Enable IAM User Permissions", "AmishareAccounts");
        assertThat(statement(doc.json(), "AmishareAccounts").at("/Condition/StringEquals/kms:CallerAccount"))
                .isEqualTo(tree("[\"333333333333\"]"));
        assertThat(doc.json()).doesNotContain("222222222222");
    }

    @Test
    void grant_shouldKeepPrincipalsThatAreNotAccountsInTheirOldStatement_whenMigrating() {
        // GIVEN an old use statement that also names a role and a deleted role's unique id, and an old
        // describe statement with a plain account only
        String use = """
                {"Sid":"AmishareKeyUse","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:root",
                 "arn:aws:iam::555555555555:role/Build","AROAEXAMPLEUNIQUEID12"]},
                 "Action":%s,"Resource":"*","Condition":{"StringEquals":{%s}}}""".formatted(USE_ACTIONS, VIA_EC2);
        String describe = """
                {"Sid":"AmishareKeyDescribe","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},
                 "Action":"kms:DescribeKey","Resource":"*"}""";
        KeyPolicyDocument doc = doc(defaultPolicyWith(use + ", " + describe));

        // WHEN 333 is granted
        grant(doc, List.of("333333333333"), List.of(), List.of());

        // THEN the role and the id keep exactly what their statement allowed (use through EC2, no more);
        // the accounts move; the describe statement, amishare's alone, goes
        JsonNode kept = statement(doc.json(), "AmishareKeyUse");
        ObjectNode expected = (ObjectNode) tree(use);
        ((ObjectNode) expected.get("Principal")).set("AWS", tree("[\"arn:aws:iam::555555555555:role/Build\",\"AROAEXAMPLEUNIQUEID12\"]"));
        assertThat(kept).isEqualTo(expected);
        assertThat(statement(doc.json(), "AmishareKeyDescribe")).isNull();
        assertThat(sids(doc.json())).containsExactly("Enable IAM User Permissions", "AmishareAccounts", "AmishareKeyUse");
        assertThat(statement(doc.json(), "AmishareAccounts").at("/Condition/StringEquals/kms:CallerAccount"))
                .isEqualTo(tree("[\"222222222222\",\"333333333333\"]"));

        // AND revoking every account later leaves the kept statement alone, byte for byte
        KeyPolicyDocument revoked = doc(doc.json());
        revoke(revoked, List.of("222222222222", "333333333333"), List.of(), List.of());
        assertThat(sids(revoked.json())).containsExactly("Enable IAM User Permissions", "AmishareKeyUse");
        assertThat(statement(revoked.json(), "AmishareKeyUse")).isEqualTo(expected);
    }

    @Test
    void grant_shouldMoveOldOrganizationAndOuStatementsIntoOneEach_whenPolicyHasThem() {
        // GIVEN the six statements an older amishare wrote for an organization and an OU
        String org = "\"aws:PrincipalOrgID\":[\"o-a1b2c3d4e5\"]";
        String ou = "\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":[\"o-a1b2c3d4e5/*/ou-ab12-cdef3456/*\"]}";
        String old = """
                {"Sid":"AmishareOrgKeyUse","Effect":"Allow","Principal":"*","Action":%1$s,"Resource":"*",
                 "Condition":{"StringEquals":{%2$s,%3$s}}},
                {"Sid":"AmishareOrgKeyGrant","Effect":"Allow","Principal":"*","Action":"kms:CreateGrant","Resource":"*",
                 "Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"},"StringEquals":{%2$s,%3$s}}},
                {"Sid":"AmishareOrgKeyDescribe","Effect":"Allow","Principal":"*","Action":"kms:DescribeKey",
                 "Resource":"*","Condition":{"StringEquals":{%3$s}}},
                {"Sid":"AmishareOuKeyUse","Effect":"Allow","Principal":"*","Action":%1$s,"Resource":"*",
                 "Condition":{"StringEquals":{%2$s},%4$s}},
                {"Sid":"AmishareOuKeyGrant","Effect":"Allow","Principal":"*","Action":"kms:CreateGrant","Resource":"*",
                 "Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"},"StringEquals":{%2$s},%4$s}},
                {"Sid":"AmishareOuKeyDescribe","Effect":"Allow","Principal":"*","Action":"kms:DescribeKey",
                 "Resource":"*","Condition":{%4$s}}""".formatted(USE_ACTIONS, VIA_EC2, org, ou);
        KeyPolicyDocument doc = doc(defaultPolicyWith(old));

        // WHEN a second organization and the same OU are granted
        KeyPolicyDocument.Outcome outcome = grant(doc, List.of(), List.of("o-zz9y8x7w6v"),
                List.of("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"));

        // THEN one statement per kind, in the old ones' places, holding the old and the new values
        assertThat(outcome.changed).containsExactly("o-zz9y8x7w6v");
        assertThat(outcome.unchanged).containsExactly("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*");
        assertThat(sids(doc.json())).containsExactly("Enable IAM User Permissions", "AmishareOrganizations",
                "AmishareOrganizationalUnits");
        assertThat(statement(doc.json(), "AmishareOrganizations").at("/Condition/StringEquals/aws:PrincipalOrgID"))
                .isEqualTo(tree("[\"o-a1b2c3d4e5\",\"o-zz9y8x7w6v\"]"));
        assertThat(statement(doc.json(), "AmishareOrganizationalUnits")
                .at("/Condition/ForAnyValue:StringLike/aws:PrincipalOrgPaths"))
                .isEqualTo(tree("[\"o-a1b2c3d4e5/*/ou-ab12-cdef3456/*\"]"));

        // AND the migrated policy is stable: the same grant again changes no byte
        KeyPolicyDocument again = doc(doc.json());
        grant(again, List.of(), List.of("o-zz9y8x7w6v"), List.of("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"));
        assertThat(again.changed()).isFalse();
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
        assertThat(after).hasSize(2);
        assertThat(after.get(0)).isEqualTo(tree(single).get("Statement"));
    }

    @Test
    void grant_shouldBindToEc2OfTheKeysRegion_whenKeyIsInGovCloud() {
        // GIVEN
        KeyPolicyDocument doc = KeyPolicyDocument.parse(DEFAULT_POLICY.replace("arn:aws:", "arn:aws-us-gov:"),
                "arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab");

        // WHEN
        grant(doc, List.of("222222222222"), List.of(), List.of());

        // THEN account ids carry no partition; the service is the key region's
        assertThat(statement(doc.json(), "AmishareAccounts").at("/Condition/StringEquals/kms:ViaService").asText())
                .isEqualTo("ec2.us-gov-west-1.amazonaws.com");
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
        // GIVEN two AmishareAccounts statements, both naming 222
        String copy = """
                {"Sid":"AmishareAccounts","Effect":"Allow","Principal":{"AWS":"*"},"Action":%s,"Resource":"*",
                 "Condition":{"StringEquals":{"kms:CallerAccount":%s,%s},%s}}""";
        String policy = defaultPolicyWith(copy.formatted(ACTIONS, "\"222222222222\"", VIA_EC2, GRANT_FOR_RESOURCE)
                + ", " + copy.formatted(ACTIONS, "[\"222222222222\",\"333333333333\"]", VIA_EC2, GRANT_FOR_RESOURCE));
        KeyPolicyDocument doc = doc(policy);

        // WHEN
        revoke(doc, List.of("222222222222"), List.of(), List.of());

        // THEN one statement is left, for 333 only
        List<JsonNode> amishare = statements(doc.json()).stream()
                .filter(s -> s.path("Sid").asText().equals("AmishareAccounts")).toList();
        assertThat(amishare).singleElement().satisfies(s -> assertThat(s.at("/Condition/StringEquals/kms:CallerAccount"))
                .isEqualTo(tree("[\"333333333333\"]")));
        assertThat(doc.json()).doesNotContain("222222222222");
    }

    @Test
    void everyStatement_shouldBindEveryActionToEc2_whenAnyKindIsGranted() {
        // GIVEN every kind of principal amishare writes, granted on a key in eu-west-1
        KeyPolicyDocument doc = KeyPolicyDocument.parse(DEFAULT_POLICY,
                "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        grant(doc, List.of("222222222222"), List.of("o-a1b2c3d4e5"), List.of("o-a1b2c3d4e5/*/ou-ab12-cdef3456/*"));

        // WHEN every statement amishare can write is read back
        List<JsonNode> owned = doc.ownedStatements();

        // THEN each Sid appears once; each is EC2-only, DescribeKey included, creates grants only for AWS
        // resources, and allows nothing broader than EC2 needs
        assertThat(owned).extracting(s -> s.get("Sid").asText())
                .containsExactlyInAnyOrderElementsOf(KeyPolicyDocument.OWNED_SIDS);
        for (JsonNode statement : owned) {
            String sid = statement.get("Sid").asText();
            List<String> actions = new ArrayList<>();
            statement.get("Action").forEach(a -> actions.add(a.asText()));
            assertThat(actions).as(sid).containsExactlyElementsOf(KeyPolicyDocument.ACTIONS)
                    .doesNotContain("kms:*", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKey*",
                            "kms:ReEncrypt*");
            assertThat(statement.at("/Condition/StringEquals/kms:ViaService").asText()).as(sid)
                    .isEqualTo("ec2.eu-west-1.amazonaws.com");
            assertThat(statement.at("/Condition/BoolIfExists/kms:GrantIsForAWSResource").asText()).as(sid)
                    .isEqualTo("true");
            assertThat(statement.at("/Condition/Bool").isMissingNode()).as(sid).isTrue();
            assertThat(statement.get("Principal")).as(sid).isEqualTo(tree("{\"AWS\":\"*\"}"));
        }
    }

    // ---- size -----------------------------------------------------------------------------------------

    /** {@code n} distinct 12-digit account ids. */
    private static List<String> accounts(int n) {
        return IntStream.range(0, n).mapToObj(i -> String.format("%012d", 100_000_000_000L + i)).toList();
    }

    private static int bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The default policy plus {@code statements}, compact, as amishare writes a policy. */
    private static String compactPolicy(List<ObjectNode> statements) {
        ObjectNode policy = (ObjectNode) tree(DEFAULT_POLICY);
        ArrayNode all = (ArrayNode) policy.get("Statement");
        statements.forEach(all::add);
        return policy.toString();
    }

    private static ArrayNode rootArns(List<String> ids) {
        ArrayNode arns = MAPPER.createArrayNode();
        ids.forEach(id -> arns.add("arn:aws:iam::" + id + ":root"));
        return arns;
    }

    /** The three statements amishare wrote before the compact form. */
    private static String oldForm(List<String> ids) {
        String via = "{\"StringEquals\":{" + VIA_EC2 + "}}";
        ObjectNode use = (ObjectNode) tree("{\"Sid\":\"AmishareKeyUse\",\"Effect\":\"Allow\",\"Principal\":{},\"Action\":"
                + USE_ACTIONS + ",\"Resource\":\"*\",\"Condition\":" + via + "}");
        ObjectNode grant = (ObjectNode) tree("{\"Sid\":\"AmishareKeyGrant\",\"Effect\":\"Allow\",\"Principal\":{},"
                + "\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\",\"Condition\":{\"Bool\":"
                + "{\"kms:GrantIsForAWSResource\":\"true\"},\"StringEquals\":{" + VIA_EC2 + "}}}");
        ObjectNode describe = (ObjectNode) tree("{\"Sid\":\"AmishareKeyDescribe\",\"Effect\":\"Allow\",\"Principal\":{},"
                + "\"Action\":\"kms:DescribeKey\",\"Resource\":\"*\"}");
        List<ObjectNode> three = List.of(use, grant, describe);
        three.forEach(s -> ((ObjectNode) s.get("Principal")).set("AWS", rootArns(ids)));
        return compactPolicy(three);
    }

    /** One statement with every action and the compact form's conditions, the accounts as root ARNs. */
    private static String rootArnsInOneStatement(List<String> ids) {
        ObjectNode one = (ObjectNode) tree("{\"Sid\":\"AmishareAccounts\",\"Effect\":\"Allow\",\"Principal\":{},"
                + "\"Action\":" + ACTIONS + ",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{" + VIA_EC2 + "},"
                + GRANT_FOR_RESOURCE + "}}");
        ((ObjectNode) one.get("Principal")).set("AWS", rootArns(ids));
        return compactPolicy(List.of(one));
    }

    private static String compactForm(List<String> ids) {
        KeyPolicyDocument doc = doc(DEFAULT_POLICY);
        doc.grant(Principals.ofAccounts(ids));
        return doc.json();
    }

    /** Bytes one more account costs: the policy with 1,000 accounts minus the one with 100, over 900. */
    private static double perAccount(java.util.function.Function<List<String>, String> form) {
        return (bytes(form.apply(accounts(1000))) - bytes(form.apply(accounts(100)))) / 900.0;
    }

    /** How many accounts fit under the KMS limit in a form that costs {@code perAccount} bytes each. */
    private static int capacity(java.util.function.Function<List<String>, String> form, int perAccount) {
        int one = bytes(form.apply(accounts(1)));
        return (KeyPolicyDocument.MAX_BYTES - one) / perAccount + 1;
    }

    @Test
    void policySize_shouldCost15BytesPerAccountAndHold1000AccountsUnder16KiB_whenAccountsAreCompact() {
        // GIVEN policies for 1, 100 and 1,000 accounts in each form, next to KMS's default statement
        List<Integer> sizes = List.of(1, 100, 1000);
        List<Integer> old = sizes.stream().map(n -> bytes(oldForm(accounts(n)))).toList();
        List<Integer> rootArns = sizes.stream().map(n -> bytes(rootArnsInOneStatement(accounts(n)))).toList();
        List<Integer> compact = sizes.stream().map(n -> bytes(compactForm(accounts(n)))).toList();

        // WHEN the cost of one more account is measured
        double oldPerAccount = perAccount(KeyPolicyDocumentTest::oldForm);
        double rootArnPerAccount = perAccount(KeyPolicyDocumentTest::rootArnsInOneStatement);
        double compactPerAccount = perAccount(KeyPolicyDocumentTest::compactForm);

        // THEN the figures in KeyPolicyDocument's javadoc: a root ARN is 30 characters, quotes and comma make
        // 33, three times 99; a 12-digit id is 15
        assertThat(oldPerAccount).isEqualTo(99.0);
        assertThat(rootArnPerAccount).isEqualTo(33.0);
        assertThat(compactPerAccount).isEqualTo(15.0);
        assertThat(capacity(KeyPolicyDocumentTest::oldForm, 99)).isEqualTo(322);
        assertThat(capacity(KeyPolicyDocumentTest::rootArnsInOneStatement, 33)).isEqualTo(976);
        assertThat(capacity(KeyPolicyDocumentTest::compactForm, 15)).isEqualTo(2146);
        // 1,000 accounts: over the KMS limit as root ARNs, even in one statement; under half of it compact
        assertThat(old).containsExactly(897, 10_698, 99_798);
        assertThat(rootArns).containsExactly(580, 3_847, 33_547);
        assertThat(compact).containsExactly(586, 2_071, 15_571);
        assertThat(old.get(2)).isGreaterThan(KeyPolicyDocument.MAX_BYTES);
        assertThat(rootArns.get(2)).isGreaterThan(KeyPolicyDocument.MAX_BYTES);
        assertThat(compact.get(2)).isLessThan(16_384);
    }

    @Test
    void grant_shouldRaiseTooLarge_whenOneMoreAccountWouldPassTheKmsLimit() {
        // GIVEN a policy holding as many accounts as fit under 32,768 bytes
        int fit = capacity(KeyPolicyDocumentTest::compactForm, 15);
        List<String> ids = accounts(fit + 1);
        KeyPolicyDocument full = doc(DEFAULT_POLICY);
        full.grant(Principals.ofAccounts(ids.subList(0, fit)));
        assertThat(full.sizeBytes()).isLessThanOrEqualTo(KeyPolicyDocument.MAX_BYTES);
        KeyPolicyDocument doc = doc(full.json());

        // WHEN / THEN one more account is refused with the size, the limit, the count and the way out
        assertThatThrownBy(() -> doc.grant(Principals.ofAccounts(ids.subList(fit, fit + 1))))
                .isInstanceOfSatisfying(KeyPolicyTooLargeException.class, e -> {
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.getMessage()).contains(KEY_ARN, (full.sizeBytes() + 15) + " bytes",
                            "limit of 32768 bytes", (fit + 1) + " accounts", "organization or OU ARN");
                });
    }

    @Test
    void grant_shouldNotRaiseTooLarge_whenNothingChanges() {
        // GIVEN a full policy
        int fit = capacity(KeyPolicyDocumentTest::compactForm, 15);
        KeyPolicyDocument full = doc(DEFAULT_POLICY);
        full.grant(Principals.ofAccounts(accounts(fit)));
        KeyPolicyDocument doc = doc(full.json());

        // WHEN an account it already holds is granted again
        KeyPolicyDocument.Outcome outcome = doc.grant(Principals.ofAccounts(accounts(1)));

        // THEN it is reported as present, and nothing is to be written
        assertThat(outcome.unchanged).containsExactly(accounts(1).get(0));
        assertThat(doc.changed()).isFalse();
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
}
