package dev.amishare.functions.keypolicy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.contract.ConsumerActions;
import dev.amishare.functions.model.Principals;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A KMS key policy and the statements amishare owns in it, edited without any AWS call.
 *
 * <p>amishare owns only statements whose Sid is one of {@link #OWNED_SIDS}. Every other statement is
 * left exactly as it was: same position, same fields, same values. For each kind of principal amishare
 * writes three statements, one per {@link Purpose}:
 * <ul>
 * <li><b>use</b> ({@code …KeyUse}): what EC2 does with the key for the target while it launches or copies
 * the AMI — {@code kms:Decrypt}, {@code kms:ReEncryptFrom}, {@code kms:ReEncryptTo},
 * {@code kms:GenerateDataKeyWithoutPlaintext} (EBS UserGuide "ebs-encryption-requirements": EC2 decrypts the
 * snapshot's data key, re-encrypts it for the new volume or copy, and makes new data keys without their
 * plaintext; nothing else, so no {@code kms:Encrypt} and no plaintext data keys) — only through EC2:
 * {@code kms:ViaService = ec2.<key region>.amazonaws.com}.</li>
 * <li><b>grant</b> ({@code …KeyGrant}): {@code kms:CreateGrant}, which EC2 needs to keep using the key for
 * the volumes it creates, only for AWS resources ({@code kms:GrantIsForAWSResource = true}) and only
 * through EC2 ({@code kms:ViaService}). The Bool key exists on grant operations only, hence a statement
 * of its own.</li>
 * <li><b>describe</b> ({@code …KeyDescribe}): {@code kms:DescribeKey} without {@code kms:ViaService}: the
 * key's metadata, no cryptographic use, so that the validation stage can prove from the target's side that
 * the key policy lets the target in.</li>
 * </ul>
 * The kinds ({@link Kind}): target accounts as one sorted, deduplicated list of
 * {@code arn:<partition>:iam::<account>:root} principals ({@code AmishareKey…}); organizations as
 * Principal {@code "*"} with {@code StringEquals aws:PrincipalOrgID} ({@code AmishareOrgKey…}); OUs as
 * Principal {@code "*"} with {@code ForAnyValue:StringLike aws:PrincipalOrgPaths} ({@code AmishareOuKey…}).
 * Organization and OU conditions live in separate statements because the conditions of one statement must
 * all hold.
 * <p>
 * A statement is created when its first principal is granted (appended at the end) and deleted when its
 * last principal is revoked. An owned statement that differs from the form above (an older amishare's,
 * or a hand edit) is brought back to it whenever amishare edits it. Principals somebody else put into an
 * amishare statement (a role ARN, the unique id KMS substitutes for a deleted account) are kept.
 */
public final class KeyPolicyDocument {

    /** The limit KMS puts on a key policy; it cannot be raised. */
    public static final int MAX_BYTES = 32768;

    public static final String SID_ACCOUNTS_USE = "AmishareKeyUse";
    public static final String SID_ACCOUNTS_GRANT = "AmishareKeyGrant";
    public static final String SID_ACCOUNTS_DESCRIBE = "AmishareKeyDescribe";
    public static final String SID_ORG_USE = "AmishareOrgKeyUse";
    public static final String SID_ORG_GRANT = "AmishareOrgKeyGrant";
    public static final String SID_ORG_DESCRIBE = "AmishareOrgKeyDescribe";
    public static final String SID_OU_USE = "AmishareOuKeyUse";
    public static final String SID_OU_GRANT = "AmishareOuKeyGrant";
    public static final String SID_OU_DESCRIBE = "AmishareOuKeyDescribe";
    public static final List<String> OWNED_SIDS = List.of(SID_ACCOUNTS_USE, SID_ACCOUNTS_GRANT, SID_ACCOUNTS_DESCRIBE,
            SID_ORG_USE, SID_ORG_GRANT, SID_ORG_DESCRIBE, SID_OU_USE, SID_OU_GRANT, SID_OU_DESCRIBE);

    /** What EC2 does with the owner's key for a target, besides CreateGrant: the consumer side's own list. */
    public static final List<String> USE_ACTIONS = ConsumerActions.KEY_USE;

    private static final String VIA_SERVICE_KEY = "kms:ViaService";
    private static final String ORG_ID_KEY = "aws:PrincipalOrgID";
    private static final String ORG_PATHS_KEY = "aws:PrincipalOrgPaths";
    private static final Pattern ORGANIZATION_ARN = Pattern.compile("arn:[^:]+:organizations::\\d{12}:organization/(o-[a-z0-9]+)");
    // An account may be named by its root ARN or, as KMS also accepts, by its bare id.
    private static final Pattern ACCOUNT_PRINCIPAL = Pattern.compile("arn:[^:]+:iam::(\\d{12}):root|(\\d{12})");
    private static final Pattern OU_ARN = Pattern.compile("arn:[^:]+:organizations::\\d{12}:ou/(o-[a-z0-9]+)/(ou-[a-z0-9-]+)");
    private static final Pattern KEY_ARN = Pattern.compile("arn:([^:]+):kms:([^:]+):\\d{12}:key/.+");

    // Exact big decimals keep numbers as written (3600.50 stays 3600.50); the tree keeps field order.
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(NODES);

    private final String original;
    private final ObjectNode root;
    private final String partition;
    private final String viaEc2;
    private boolean changed;

    private KeyPolicyDocument(String original, ObjectNode root, String partition, String region) {
        this.original = original;
        this.root = root;
        this.partition = partition;
        this.viaEc2 = "ec2." + region + ".amazonaws.com";
    }

    /**
     * @param policy the policy as GetKeyPolicy returns it
     * @param keyArn the key's ARN: its partition goes into the principals amishare writes, its region into
     *     {@code kms:ViaService} (EC2 in the key's own region is the only service that may use it)
     */
    public static KeyPolicyDocument parse(String policy, String keyArn) {
        Matcher key = KEY_ARN.matcher(keyArn);
        if (!key.matches()) {
            throw new IllegalArgumentException("not a KMS key ARN: " + keyArn);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(policy);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("key policy is not JSON: " + e.getOriginalMessage(), e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("key policy is not a JSON object");
        }
        return new KeyPolicyDocument(policy, object, key.group(1), key.group(2));
    }

    /** The organization id ({@code o-…}) of an organization ARN. */
    public static String organizationId(String organizationArn) {
        Matcher m = ORGANIZATION_ARN.matcher(organizationArn);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an organization ARN: " + organizationArn);
        }
        return m.group(1);
    }

    /**
     * The {@code aws:PrincipalOrgPaths} pattern of an OU ARN: {@code o-…/*}{@code /ou-…/*}. The ARN lacks
     * the root id and the parent OUs, so a wildcard stands in for them; it matches the OU and every OU
     * below it, as the AMI's OU launch permission does, without an Organizations call.
     */
    public static String organizationalUnitPath(String organizationalUnitArn) {
        Matcher m = OU_ARN.matcher(organizationalUnitArn);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an OU ARN: " + organizationalUnitArn);
        }
        return m.group(1) + "/*/" + m.group(2) + "/*";
    }

    /**
     * Adds principals to amishare's statements.
     *
     * @return principals (account ids, organization ids, OU paths) in request order, split into added and
     *     already present
     */
    public Outcome grant(Principals principals) {
        Outcome outcome = new Outcome();
        for (Kind kind : Kind.values()) {
            edit(kind, kind.of(principals), true, outcome);
        }
        return outcome;
    }

    /** Removes principals from amishare's statements; {@link Outcome#changed} lists those removed. */
    public Outcome revoke(Principals principals) {
        Outcome outcome = new Outcome();
        for (Kind kind : Kind.values()) {
            edit(kind, kind.of(principals), false, outcome);
        }
        return outcome;
    }

    /**
     * Which of the principals amishare's statements already hold, without changing the document: what a
     * rollback must leave in place because it was there before.
     *
     * @return principals (account ids, organization ids, OU paths) in request order, held ones in
     *     {@link Outcome#unchanged}, the others in {@link Outcome#changed}
     */
    public Outcome held(Principals principals) {
        Outcome outcome = new Outcome();
        for (Kind kind : Kind.values()) {
            Set<String> current = new TreeSet<>();
            // Every statement with an owned Sid counts, duplicates from a hand edit included, as revoke folds them.
            for (JsonNode s : statements(false)) {
                if (s instanceof ObjectNode o && kind.owns(o.path("Sid").asText(""))) {
                    current.addAll(values(kind, o));
                }
            }
            for (String p : new LinkedHashSet<>(kind.of(principals))) {
                (current.contains(p) ? outcome.unchanged : outcome.changed).add(p);
            }
        }
        return outcome;
    }

    /** Every statement amishare owns in the policy, as written: for checks of their form. */
    public List<JsonNode> ownedStatements() {
        List<JsonNode> owned = new ArrayList<>();
        for (JsonNode s : statements(false)) {
            if (OWNED_SIDS.contains(s.path("Sid").asText(""))) {
                owned.add(s);
            }
        }
        return owned;
    }

    public boolean changed() {
        return changed;
    }

    /** The policy to write: the original text, byte for byte, when nothing changed. */
    public String json() {
        if (!changed) {
            return original;
        }
        try {
            // Compact, because whitespace counts against the 32 KB limit.
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write key policy", e);
        }
    }

    public int sizeBytes() {
        return json().getBytes(StandardCharsets.UTF_8).length;
    }

    /** Principals of one kind, split by whether the call changed them. */
    public static final class Outcome {
        public final List<String> changed = new ArrayList<>();
        public final List<String> unchanged = new ArrayList<>();
    }

    /** What one of a kind's statements allows, and under which extra conditions. */
    private enum Purpose {
        USE, GRANT, DESCRIBE;

        void actions(ObjectNode statement) {
            switch (this) {
                case USE -> statement.set("Action", array(USE_ACTIONS));
                case GRANT -> statement.put("Action", ConsumerActions.CREATE_GRANT);
                case DESCRIBE -> statement.put("Action", ConsumerActions.DESCRIBE_KEY);
            }
        }

        void conditions(ObjectNode condition, String viaEc2) {
            if (this == GRANT) {
                condition.putObject("Bool").put("kms:GrantIsForAWSResource", "true");
            }
            if (this != DESCRIBE) {
                objectChild(condition, "StringEquals").put(VIA_SERVICE_KEY, viaEc2);
            }
        }
    }

    /**
     * The three kinds of principal amishare writes, each with where its values live in a statement and how
     * they are written there: accounts as root ARNs in {@code Principal.AWS}, organizations as ids in an
     * {@code aws:PrincipalOrgID} condition, OUs as path patterns in an {@code aws:PrincipalOrgPaths} one.
     */
    private enum Kind {
        ACCOUNTS(List.of(SID_ACCOUNTS_USE, SID_ACCOUNTS_GRANT, SID_ACCOUNTS_DESCRIBE), null, null) {
            @Override
            List<String> of(Principals principals) {
                return principals.accountIds();
            }

            @Override
            JsonNode holder(ObjectNode statement) {
                return statement.path("Principal").path("AWS");
            }

            @Override
            ObjectNode parent(ObjectNode statement) {
                return objectChild(statement, "Principal");
            }

            @Override
            String key() {
                return "AWS";
            }

            @Override
            String value(String raw) {
                Matcher m = ACCOUNT_PRINCIPAL.matcher(raw);
                return m.matches() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
            }

            @Override
            String render(String value, String partition) {
                return "arn:" + partition + ":iam::" + value + ":root";
            }

            @Override
            void principal(ObjectNode statement, List<String> rendered) {
                statement.putObject("Principal").set("AWS", array(rendered));
            }
        },
        ORGANIZATIONS(List.of(SID_ORG_USE, SID_ORG_GRANT, SID_ORG_DESCRIBE), "StringEquals", ORG_ID_KEY) {
            @Override
            List<String> of(Principals principals) {
                return principals.organizationArns().stream().map(KeyPolicyDocument::organizationId).toList();
            }
        },
        OUS(List.of(SID_OU_USE, SID_OU_GRANT, SID_OU_DESCRIBE), "ForAnyValue:StringLike", ORG_PATHS_KEY) {
            @Override
            List<String> of(Principals principals) {
                return principals.organizationalUnitArns().stream().map(KeyPolicyDocument::organizationalUnitPath)
                        .toList();
            }
        };

        /** The Sid of each purpose's statement, in {@link Purpose} order. */
        private final List<String> sids;
        /** For the condition kinds: the operator and key that hold the values. */
        private final String operator;
        private final String conditionKey;

        Kind(List<String> sids, String operator, String conditionKey) {
            this.sids = sids;
            this.operator = operator;
            this.conditionKey = conditionKey;
        }

        String sid(Purpose purpose) {
            return sids.get(purpose.ordinal());
        }

        boolean owns(String sid) {
            return sids.contains(sid);
        }

        /** The values of this kind among the principals, in the form the policy holds them. */
        abstract List<String> of(Principals principals);

        /** Where the statement holds the values. */
        JsonNode holder(ObjectNode statement) {
            return statement.path("Condition").path(operator).path(conditionKey);
        }

        /** The object that holds {@link #key()}, created when missing. */
        ObjectNode parent(ObjectNode statement) {
            return objectChild(objectChild(statement, "Condition"), operator);
        }

        String key() {
            return conditionKey;
        }

        /** The value a raw entry stands for, or null when it is not one of amishare's (kept as it is). */
        String value(String raw) {
            return raw;
        }

        String render(String value, String partition) {
            return value;
        }

        /** Writes the Principal of a new statement. */
        void principal(ObjectNode statement, List<String> rendered) {
            statement.put("Principal", "*");
        }

        /** Adds this kind's condition, if it has one, to a new statement's conditions. */
        void condition(ObjectNode condition, Set<String> values) {
            if (operator != null) {
                objectChild(condition, operator).set(conditionKey, array(values));
            }
        }
    }

    private void edit(Kind kind, Collection<String> principals, boolean grant, Outcome outcome) {
        if (principals.isEmpty()) {
            return;
        }
        Map<Purpose, ObjectNode> found = new EnumMap<>(Purpose.class);
        Set<String> current = new TreeSet<>();
        for (Purpose purpose : Purpose.values()) {
            ObjectNode statement = statement(kind, kind.sid(purpose));
            found.put(purpose, statement);
            current.addAll(values(kind, statement));
        }
        Set<String> desired = new TreeSet<>(current);
        for (String p : new LinkedHashSet<>(principals)) {
            boolean present = current.contains(p);
            (grant != present ? outcome.changed : outcome.unchanged).add(p);
            if (grant) {
                desired.add(p);
            } else {
                desired.remove(p);
            }
        }
        for (Purpose purpose : Purpose.values()) {
            apply(kind, purpose, found.get(purpose), desired);
        }
    }

    /**
     * Brings one owned statement to its form for {@code desired}; touches it only when it differs, so a
     * policy already right keeps its bytes.
     */
    private void apply(Kind kind, Purpose purpose, ObjectNode statement, Set<String> desired) {
        List<String> extras = statement == null ? List.of() : extras(kind, statement);
        if (desired.isEmpty() && extras.isEmpty()) {
            if (statement != null) {
                remove(statement);
                changed = true;
            }
            return;
        }
        List<String> values = new ArrayList<>(render(kind, desired));
        values.addAll(extras);
        ObjectNode wanted = newStatement(kind, purpose, values, desired);
        if (statement == null) {
            statements(true).add(wanted);
            changed = true;
        } else if (!statement.equals(wanted)) {
            statement.removeAll();
            statement.setAll(wanted);
            changed = true;
        }
    }

    private ObjectNode newStatement(Kind kind, Purpose purpose, List<String> rendered, Set<String> desired) {
        ObjectNode s = NODES.objectNode();
        s.put("Sid", kind.sid(purpose));
        s.put("Effect", "Allow");
        kind.principal(s, rendered);
        purpose.actions(s);
        s.put("Resource", "*");
        ObjectNode condition = NODES.objectNode();
        purpose.conditions(condition, viaEc2);
        kind.condition(condition, desired);
        if (!condition.isEmpty()) {
            s.set("Condition", condition);
        }
        return s;
    }

    /** The principals of {@code kind} the statement grants: account ids, organization ids or OU paths. */
    private List<String> values(Kind kind, ObjectNode statement) {
        if (statement == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String raw : strings(kind.holder(statement))) {
            String value = kind.value(raw);
            if (value != null) {
                out.add(value);
            }
        }
        return out;
    }

    /** Entries of the statement that are not amishare's principals; they are kept as they are. */
    private List<String> extras(Kind kind, ObjectNode statement) {
        List<String> out = new ArrayList<>();
        for (String raw : strings(kind.holder(statement))) {
            if (kind.value(raw) == null) {
                out.add(raw);
            }
        }
        return out;
    }

    private void setValues(Kind kind, ObjectNode statement, List<String> values) {
        kind.parent(statement).set(kind.key(), array(values));
    }

    private static ObjectNode objectChild(ObjectNode parent, String field) {
        JsonNode child = parent.get(field);
        if (child instanceof ObjectNode object) {
            return object;
        }
        return parent.putObject(field);
    }

    private List<String> render(Kind kind, Set<String> values) {
        return values.stream().map(v -> kind.render(v, partition)).toList();
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static ArrayNode array(Collection<String> values) {
        ArrayNode a = NODES.arrayNode();
        values.forEach(a::add);
        return a;
    }

    /**
     * The statement with {@code sid}. Later statements with the same Sid (a hand edit) are folded into
     * the first, so that a revoke cannot leave a principal behind in a copy.
     */
    private ObjectNode statement(Kind kind, String sid) {
        List<ObjectNode> found = new ArrayList<>();
        for (JsonNode s : statements(false)) {
            if (s instanceof ObjectNode o && sid.equals(o.path("Sid").asText(null))) {
                found.add(o);
            }
        }
        if (found.size() > 1) {
            ObjectNode first = found.get(0);
            Set<String> values = new TreeSet<>();
            List<String> extras = new ArrayList<>();
            for (ObjectNode o : found) {
                values.addAll(values(kind, o));
                extras.addAll(extras(kind, o));
            }
            List<String> merged = new ArrayList<>(render(kind, values));
            merged.addAll(new LinkedHashSet<>(extras));
            setValues(kind, first, merged);
            found.subList(1, found.size()).forEach(this::remove);
            changed = true;
        }
        return found.isEmpty() ? null : found.get(0);
    }

    private void remove(ObjectNode statement) {
        ArrayNode all = statements(true);
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i) == statement) {
                all.remove(i);
                return;
            }
        }
    }

    /**
     * The Statement array. A policy may hold a single statement object; it is wrapped in an array only
     * when amishare has to write, so a policy it does not change keeps its form.
     */
    private ArrayNode statements(boolean forWriting) {
        JsonNode s = root.get("Statement");
        if (s instanceof ArrayNode array) {
            return array;
        }
        if (!forWriting) {
            ArrayNode view = NODES.arrayNode();
            if (s != null) {
                view.add(s);
            }
            return view;
        }
        ArrayNode array = root.putArray("Statement");
        if (s != null) {
            array.add(s);
        }
        return array;
    }
}
