package dev.amishare.functions.keypolicy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.functions.model.Principals;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A KMS key policy and the statements amishare owns in it, edited without any AWS call.
 *
 * <p>amishare owns only statements whose Sid is one of {@link #OWNED_SIDS}. Every other statement is
 * left exactly as it was: same position, same fields, same values. amishare's statements come in
 * pairs because CreateGrant should carry the condition {@code kms:GrantIsForAWSResource = true} (only
 * AWS services such as EC2 may create grants for the target), while the other actions cannot carry
 * it (it is only set on grant operations):
 * <ul>
 * <li>{@code AmishareKeyUse} / {@code AmishareKeyGrant}: target accounts, as one sorted, deduplicated
 * list of {@code arn:<partition>:iam::<account>:root} principals.</li>
 * <li>{@code AmishareOrgKeyUse} / {@code AmishareOrgKeyGrant}: Principal {@code "*"} with
 * {@code StringEquals aws:PrincipalOrgID}.</li>
 * <li>{@code AmishareOuKeyUse} / {@code AmishareOuKeyGrant}: Principal {@code "*"} with
 * {@code ForAnyValue:StringLike aws:PrincipalOrgPaths}. Organization and OU conditions live in separate
 * statements because the conditions of one statement must all hold.</li>
 * </ul>
 * A pair is created when its first principal is granted (appended at the end) and deleted when its
 * last principal is revoked. Principals somebody else put into an amishare statement (a role ARN, the
 * unique id KMS substitutes for a deleted account) are kept.
 */
public final class KeyPolicyDocument {

    /** The limit KMS puts on a key policy; it cannot be raised. */
    public static final int MAX_BYTES = 32768;

    public static final String SID_ACCOUNTS_USE = "AmishareKeyUse";
    public static final String SID_ACCOUNTS_GRANT = "AmishareKeyGrant";
    public static final String SID_ORG_USE = "AmishareOrgKeyUse";
    public static final String SID_ORG_GRANT = "AmishareOrgKeyGrant";
    public static final String SID_OU_USE = "AmishareOuKeyUse";
    public static final String SID_OU_GRANT = "AmishareOuKeyGrant";
    public static final List<String> OWNED_SIDS = List.of(SID_ACCOUNTS_USE, SID_ACCOUNTS_GRANT, SID_ORG_USE,
            SID_ORG_GRANT, SID_OU_USE, SID_OU_GRANT);

    /** What a target needs on the owner's key to copy or launch the AMI, besides CreateGrant. */
    public static final List<String> USE_ACTIONS =
            List.of("kms:Decrypt", "kms:DescribeKey", "kms:ReEncrypt*", "kms:GenerateDataKey*");

    private static final String ORG_ID_KEY = "aws:PrincipalOrgID";
    private static final String ORG_PATHS_KEY = "aws:PrincipalOrgPaths";
    private static final Pattern ORGANIZATION_ARN = Pattern.compile("arn:[^:]+:organizations::\\d{12}:organization/(o-[a-z0-9]+)");
    // An account may be named by its root ARN or, as KMS also accepts, by its bare id.
    private static final Pattern ACCOUNT_PRINCIPAL = Pattern.compile("arn:[^:]+:iam::(\\d{12}):root|(\\d{12})");
    private static final Pattern OU_ARN = Pattern.compile("arn:[^:]+:organizations::\\d{12}:ou/(o-[a-z0-9]+)/(ou-[a-z0-9-]+)");

    // Exact big decimals keep numbers as written (3600.50 stays 3600.50); the tree keeps field order.
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(NODES);

    private final String original;
    private final ObjectNode root;
    private final String partition;
    private boolean changed;

    private KeyPolicyDocument(String original, ObjectNode root, String partition) {
        this.original = original;
        this.root = root;
        this.partition = partition;
    }

    /**
     * @param policy the policy as GetKeyPolicy returns it
     * @param partition {@code aws}, {@code aws-cn}, {@code aws-us-gov}: the partition of the key, used in
     *     the principals amishare writes
     */
    public static KeyPolicyDocument parse(String policy, String partition) {
        JsonNode node;
        try {
            node = MAPPER.readTree(policy);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("key policy is not JSON: " + e.getOriginalMessage(), e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("key policy is not a JSON object");
        }
        return new KeyPolicyDocument(policy, object, partition);
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
            read(kind, kind.of(principals), outcome);
        }
        return outcome;
    }

    private void read(Kind kind, Collection<String> principals, Outcome outcome) {
        Set<String> current = new TreeSet<>();
        // Every statement with an owned Sid counts, duplicates from a hand edit included, as revoke folds them.
        for (JsonNode s : statements(false)) {
            String sid = s.path("Sid").asText("");
            if (s instanceof ObjectNode o && (sid.equals(kind.useSid) || sid.equals(kind.grantSid))) {
                current.addAll(values(kind, o));
            }
        }
        for (String p : new LinkedHashSet<>(principals)) {
            (current.contains(p) ? outcome.unchanged : outcome.changed).add(p);
        }
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

    /**
     * The three kinds of principal amishare writes, each with where its values live in a statement and how
     * they are written there: accounts as root ARNs in {@code Principal.AWS}, organizations as ids in an
     * {@code aws:PrincipalOrgID} condition, OUs as path patterns in an {@code aws:PrincipalOrgPaths} one.
     */
    private enum Kind {
        ACCOUNTS(SID_ACCOUNTS_USE, SID_ACCOUNTS_GRANT, null, null) {
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
        ORGANIZATIONS(SID_ORG_USE, SID_ORG_GRANT, "StringEquals", ORG_ID_KEY) {
            @Override
            List<String> of(Principals principals) {
                return principals.organizationArns().stream().map(KeyPolicyDocument::organizationId).toList();
            }
        },
        OUS(SID_OU_USE, SID_OU_GRANT, "ForAnyValue:StringLike", ORG_PATHS_KEY) {
            @Override
            List<String> of(Principals principals) {
                return principals.organizationalUnitArns().stream().map(KeyPolicyDocument::organizationalUnitPath)
                        .toList();
            }
        };

        final String useSid;
        final String grantSid;
        /** For the condition kinds: the operator and key that hold the values. */
        private final String operator;
        private final String conditionKey;

        Kind(String useSid, String grantSid, String operator, String conditionKey) {
            this.useSid = useSid;
            this.grantSid = grantSid;
            this.operator = operator;
            this.conditionKey = conditionKey;
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
                condition.putObject(operator).set(conditionKey, array(values));
            }
        }
    }

    private void edit(Kind kind, Collection<String> principals, boolean grant, Outcome outcome) {
        if (principals.isEmpty()) {
            return;
        }
        ObjectNode use = statement(kind, kind.useSid);
        ObjectNode grantStatement = statement(kind, kind.grantSid);
        Set<String> current = new TreeSet<>();
        current.addAll(values(kind, use));
        current.addAll(values(kind, grantStatement));
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
        apply(kind, kind.useSid, use, desired, false);
        apply(kind, kind.grantSid, grantStatement, desired, true);
    }

    /** Brings one owned statement to {@code desired}; touches it only when its values differ. */
    private void apply(Kind kind, String sid, ObjectNode statement, Set<String> desired, boolean isGrant) {
        if (statement != null && new TreeSet<>(values(kind, statement)).equals(desired)) {
            return;
        }
        if (statement == null) {
            if (!desired.isEmpty()) {
                statements(true).add(newStatement(kind, sid, desired, isGrant));
                changed = true;
            }
            return;
        }
        List<String> extras = extras(kind, statement);
        if (desired.isEmpty() && extras.isEmpty()) {
            remove(statement);
        } else {
            List<String> written = new ArrayList<>(render(kind, desired));
            written.addAll(extras);
            setValues(kind, statement, written);
        }
        changed = true;
    }

    private ObjectNode newStatement(Kind kind, String sid, Set<String> desired, boolean isGrant) {
        ObjectNode s = NODES.objectNode();
        s.put("Sid", sid);
        s.put("Effect", "Allow");
        kind.principal(s, render(kind, desired));
        if (isGrant) {
            s.put("Action", "kms:CreateGrant");
        } else {
            s.set("Action", array(USE_ACTIONS));
        }
        s.put("Resource", "*");
        ObjectNode condition = NODES.objectNode();
        if (isGrant) {
            condition.putObject("Bool").put("kms:GrantIsForAWSResource", "true");
        }
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
