package dev.amishare.functions.keypolicy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.contract.ConsumerActions;
import dev.amishare.errors.KeyPolicyTooLargeException;
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
 * <h2>The statements</h2>
 * amishare owns only statements whose Sid is one of {@link #OWNED_SIDS}, one per kind of principal
 * ({@link Kind}). Every other statement is left as it was: same position, same fields, same values. Each
 * owned statement is
 * <pre>{@code
 * {"Sid": ..., "Effect": "Allow", "Principal": {"AWS": "*"},
 *  "Action": ["kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKeyWithoutPlaintext",
 *             "kms:CreateGrant", "kms:DescribeKey"],
 *  "Resource": "*",
 *  "Condition": {"StringEquals": {<who>, "kms:ViaService": "ec2.<key region>.amazonaws.com"},
 *                "BoolIfExists": {"kms:GrantIsForAWSResource": "true"}}}
 * }</pre>
 * where {@code <who>} is
 * <ul>
 * <li>{@value #SID_ACCOUNTS}: {@code "kms:CallerAccount": [sorted, deduplicated 12-digit ids]} — all
 * identities of those accounts, which still need their own IAM permission, as for any cross-account use
 * (KMS DeveloperGuide "conditions-kms" kms:CallerAccount: {@code Principal "*"} with this key is how the
 * AWS managed key for EBS names its account);</li>
 * <li>{@value #SID_ORGANIZATIONS}: {@code "aws:PrincipalOrgID": [o-…]} under the same StringEquals;</li>
 * <li>{@value #SID_ORGANIZATIONAL_UNITS}: {@code "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths":
 * [o-…/*}{@code /ou-…/*]}} beside the StringEquals (an OU ARN lacks the root id and the parent OUs, so a
 * wildcard stands in for them: the pattern matches the OU and every OU below it, as the AMI's OU launch
 * permission does).</li>
 * </ul>
 * The kinds stay in separate statements because all conditions of one statement must hold.
 * <p>
 * Why these actions and conditions:
 * <ul>
 * <li>The use actions ({@link ConsumerActions#KEY_USE}) are what EC2 does with the key for the target while
 * it launches or copies the AMI (EBS UserGuide "ebs-encryption-requirements": EC2 decrypts the snapshot's
 * data key, re-encrypts it for the new volume or copy, and makes new data keys without their plaintext;
 * nothing else, so no {@code kms:Encrypt} and no plaintext data keys). {@code kms:CreateGrant} lets EC2
 * keep using the key for the volumes it creates; {@code kms:DescribeKey} is what EC2 reads of the key.</li>
 * <li>{@code kms:ViaService} binds every one of them, DescribeKey included, to EC2 in the key's region: no
 * target can call the key directly (KMS DeveloperGuide "conditions-kms" kms:ViaService). The validation
 * stage therefore cannot prove access by calling DescribeKey on the owner's key itself.</li>
 * <li>{@code BoolIfExists kms:GrantIsForAWSResource = true}: the key exists only on CreateGrant, ListGrants
 * and RevokeGrant (KMS DeveloperGuide "conditions-kms" kms:GrantIsForAWSResource), so on CreateGrant it
 * must be true — the grant is for an AWS resource, created by EC2 on the target's behalf — and on the
 * other actions, where it is absent, the condition holds (IAM UserGuide
 * "reference_policies_elements_condition_operators", …IfExists). That is what lets use, grant and describe
 * share one statement; a plain {@code Bool} would deny every action but CreateGrant.</li>
 * </ul>
 *
 * <h2>Size</h2>
 * KMS caps a key policy at 32,768 bytes and does not raise the cap (KMS DeveloperGuide "resource-limits").
 * What each form costs, measured by {@code KeyPolicyDocumentTest} on compact JSON next to KMS's default
 * statement ("Enable IAM User Permissions"), with 12-digit ids; bytes per account = (policy with 1,000
 * accounts − policy with 100) / 900:
 * <table>
 * <caption>key policy bytes by form</caption>
 * <tr><th>form</th><th>1 account</th><th>100</th><th>1,000</th><th>bytes per account</th>
 * <th>accounts under 32,768 bytes</th></tr>
 * <tr><td>root ARNs in three statements (amishare before, {@link #LEGACY_SIDS})</td><td>897</td>
 * <td>10,698</td><td>99,798</td><td>99</td><td>322</td></tr>
 * <tr><td>root ARNs in one statement</td><td>580</td><td>3,847</td><td>33,547</td><td>33</td><td>976</td></tr>
 * <tr><td>{@code kms:CallerAccount} in one statement (this class)</td><td>586</td><td>2,071</td>
 * <td>15,571</td><td>15</td><td>2,146</td></tr>
 * </table>
 * A root ARN ({@code arn:aws:iam::<id>:root}) is 30 characters, 33 with its quotes and comma; an id is 15.
 * So even one statement of root ARNs does not hold 1,000 accounts; the compact form holds them in under
 * 16 KB. A grant that would take the policy past the limit raises {@link KeyPolicyTooLargeException}
 * before anything is written; one organization or OU costs a single condition value whatever its size,
 * so sharing with it is the way past some 2,000 accounts.
 *
 * <h2>Statements of older amishare versions</h2>
 * amishare used to write three statements per kind ({@link #LEGACY_SIDS}: {@code AmishareKeyUse},
 * {@code …KeyGrant}, {@code …KeyDescribe}, the same with {@code Org} and {@code Ou}), accounts as root ARNs
 * (or bare ids) in {@code Principal.AWS}, DescribeKey not bound to EC2. They are read as amishare's: what
 * they hold counts as granted ({@link #held}, revoke). When amishare edits a kind, its accounts,
 * organizations or OUs move into the compact statement, which takes the place of the first old one, and
 * the old statements are removed. A principal in an old account statement that is not a plain account (a
 * role ARN, the unique id {@code AIDA…}/{@code AROA…} KMS shows for a deleted principal) is not amishare's
 * to move or drop: the compact statement cannot hold it ({@code kms:CallerAccount} names whole accounts),
 * and folding it into one new statement would give it actions its old statement did not allow. So each
 * old statement that names one is kept, with only those principals in {@code Principal.AWS} and its
 * Action and Condition exactly as they were: they keep what they had, nothing more, nothing less, and
 * amishare never touches the statement again. Removing them is a decision for the key's administrators.
 * <p>
 * A compact statement is created when its first value is granted and deleted when its last is revoked;
 * one that differs from the form above (a hand edit) is brought back to it whenever amishare edits its
 * kind; copies of it under the same Sid are folded into the first. A policy already in the wanted state
 * is not changed: {@link #json()} then returns the original text byte for byte.
 *
 * <h2>Decision: key-policy statements, not KMS grants</h2>
 * KMS grants (KMS DeveloperGuide "grants") would take nothing from the 32 KB policy: a key holds 50,000
 * grants (adjustable; "resource-limits"), each can be removed alone with RetireGrant or RevokeGrant
 * ("grant-delete"), and a grantee principal may be an account ({@code arn:aws:iam::<id>:root}) of another
 * AWS account (KMS APIReference "API_CreateGrant" GranteePrincipal). amishare keeps key-policy statements
 * because:
 * <ul>
 * <li>A grant has no policy conditions: what it can be limited by is its operations and its constraints,
 * which match the request's encryption context ("grants", grant constraints). There is no
 * {@code kms:ViaService}, so a grant lets the target call Decrypt and ReEncrypt on the key directly, not
 * only through EC2 — the EC2-only binding that amishare's sharing perimeter promises would be lost. The
 * encryption context EBS uses names one volume or snapshot ({@code aws:ebs:id}, KMS DeveloperGuide
 * "services-ebs"), so no constraint can name the volumes a target has yet to create.</li>
 * <li>A grant names one principal: no organization and no OU (there is no aws:PrincipalOrgID for a grant),
 * so organizations and OUs would still need key-policy statements, and 1,000 accounts would be 1,000
 * grants per key to create (CreateGrant is limited to 50 requests per second, "requests-per-second"),
 * list, and retire one by one on revoke, where the policy is one read and one write.</li>
 * <li>Grants are eventually consistent: a new grant may take up to about five minutes to work everywhere
 * ("grants" eventual consistency), and the grant token that makes it usable at once ("using-grant-token")
 * would have to be passed by the caller, here the target's EC2, which never sees amishare's tokens. This
 * is not a difference in kind — PutKeyPolicy is eventually consistent too, usually within seconds
 * ("programming-eventual-consistency") — so it weighs less than the points above.</li>
 * <li>The state would move out of the one document amishare can read, compare and leave byte-identical:
 * idempotence, dry runs and the baseline a rollback keeps ({@link #held}) would need ListGrants paging and
 * grant names per target.</li>
 * </ul>
 * With {@code kms:CallerAccount} the policy holds 2,146 accounts per key, and an organization or OU any
 * number, so the 32 KB limit is no longer what stops a share with 1,000 accounts.
 */
public final class KeyPolicyDocument {

    /** The limit KMS puts on a key policy; it cannot be raised. */
    public static final int MAX_BYTES = 32768;

    public static final String SID_ACCOUNTS = "AmishareAccounts";
    public static final String SID_ORGANIZATIONS = "AmishareOrganizations";
    public static final String SID_ORGANIZATIONAL_UNITS = "AmishareOrganizationalUnits";
    /** The statements amishare writes, one per kind of principal. */
    public static final List<String> OWNED_SIDS = List.of(SID_ACCOUNTS, SID_ORGANIZATIONS, SID_ORGANIZATIONAL_UNITS);

    private static final List<String> LEGACY_ACCOUNT_SIDS =
            List.of("AmishareKeyUse", "AmishareKeyGrant", "AmishareKeyDescribe");
    private static final List<String> LEGACY_ORGANIZATION_SIDS =
            List.of("AmishareOrgKeyUse", "AmishareOrgKeyGrant", "AmishareOrgKeyDescribe");
    private static final List<String> LEGACY_OU_SIDS =
            List.of("AmishareOuKeyUse", "AmishareOuKeyGrant", "AmishareOuKeyDescribe");
    /** The statements older amishare versions wrote: read, and replaced by the compact ones on an edit. */
    public static final List<String> LEGACY_SIDS;

    static {
        List<String> legacy = new ArrayList<>(LEGACY_ACCOUNT_SIDS);
        legacy.addAll(LEGACY_ORGANIZATION_SIDS);
        legacy.addAll(LEGACY_OU_SIDS);
        LEGACY_SIDS = List.copyOf(legacy);
    }

    /** What EC2 does with the owner's key for a target, besides CreateGrant: the consumer side's own list. */
    public static final List<String> USE_ACTIONS = ConsumerActions.KEY_USE;
    /** Every action of an owned statement: the use actions, then CreateGrant and DescribeKey. */
    public static final List<String> ACTIONS = ConsumerActions.keyActions();

    private static final String VIA_SERVICE_KEY = "kms:ViaService";
    private static final String GRANT_FOR_AWS_RESOURCE_KEY = "kms:GrantIsForAWSResource";
    private static final String STRING_EQUALS = "StringEquals";
    private static final String BOOL_IF_EXISTS = "BoolIfExists";
    private static final Pattern ORGANIZATION_ARN = Pattern.compile("arn:[^:]+:organizations::\\d{12}:organization/(o-[a-z0-9]+)");
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    // Older statements named an account by its root ARN or, as KMS also accepts, by its bare id.
    private static final Pattern ACCOUNT_PRINCIPAL = Pattern.compile("arn:[^:]+:iam::(\\d{12}):root|(\\d{12})");
    private static final Pattern OU_ARN = Pattern.compile("arn:[^:]+:organizations::\\d{12}:ou/(o-[a-z0-9]+)/(ou-[a-z0-9-]+)");
    private static final Pattern KEY_ARN = Pattern.compile("arn:[^:]+:kms:([^:]+):\\d{12}:key/.+");

    // Exact big decimals keep numbers as written (3600.50 stays 3600.50); the tree keeps field order.
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(NODES);

    private final String original;
    private final ObjectNode root;
    private final String keyArn;
    private final String viaEc2;
    private boolean changed;

    private KeyPolicyDocument(String original, ObjectNode root, String keyArn, String region) {
        this.original = original;
        this.root = root;
        this.keyArn = keyArn;
        this.viaEc2 = "ec2." + region + ".amazonaws.com";
    }

    /**
     * @param policy the policy as GetKeyPolicy returns it
     * @param keyArn the key's ARN: its region goes into {@code kms:ViaService} (EC2 in the key's own region
     *     is the only service that may use it), the whole ARN into a size error
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
        return new KeyPolicyDocument(policy, object, keyArn, key.group(1));
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
     * @throws KeyPolicyTooLargeException when the changed policy would be over {@link #MAX_BYTES}; the
     *     document is then not to be written
     */
    public Outcome grant(Principals principals) {
        Outcome outcome = new Outcome();
        for (Kind kind : Kind.values()) {
            edit(kind, kind.of(principals), true, outcome);
        }
        if (changed) {
            int bytes = sizeBytes();
            if (bytes > MAX_BYTES) {
                throw new KeyPolicyTooLargeException(keyArn, bytes, MAX_BYTES, accountCount());
            }
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
     * Which of the principals amishare's statements (compact or older) already hold, without changing the
     * document: what a rollback must leave in place because it was there before.
     *
     * @return principals (account ids, organization ids, OU paths) in request order, held ones in
     *     {@link Outcome#unchanged}, the others in {@link Outcome#changed}
     */
    public Outcome held(Principals principals) {
        Outcome outcome = new Outcome();
        for (Kind kind : Kind.values()) {
            // Every statement of the kind counts, duplicates from a hand edit included, as revoke folds them.
            Set<String> current = new TreeSet<>();
            for (ObjectNode s : withSid(kind.sid)) {
                current.addAll(kind.values(s));
            }
            for (ObjectNode s : legacy(kind)) {
                current.addAll(kind.legacyValues(s));
            }
            for (String p : new LinkedHashSet<>(kind.of(principals))) {
                (current.contains(p) ? outcome.unchanged : outcome.changed).add(p);
            }
        }
        return outcome;
    }

    /**
     * Every principal amishare's statements (compact or older) hold, in the form the policy holds them:
     * account ids, organization ids, OU paths (see {@link #policyValue}). Sorted.
     */
    public Set<String> principals() {
        Set<String> all = new TreeSet<>();
        for (Kind kind : Kind.values()) {
            withSid(kind.sid).forEach(s -> all.addAll(kind.values(s)));
            legacy(kind).forEach(s -> all.addAll(kind.legacyValues(s)));
        }
        return all;
    }

    /**
     * The value amishare's statements hold for a principal as launch permissions name it: an account id
     * as it is, an organization ARN as its id, an OU ARN as its {@link #organizationalUnitPath}.
     *
     * @throws IllegalArgumentException when it is none of the three
     */
    public static String policyValue(String principal) {
        if (ACCOUNT_ID.matcher(principal).matches()) {
            return principal;
        }
        if (OU_ARN.matcher(principal).matches()) {
            return organizationalUnitPath(principal);
        }
        return organizationId(principal);
    }

    /** The compact statements amishare owns in the policy, as written: for checks of their form. */
    public List<JsonNode> ownedStatements() {
        List<JsonNode> owned = new ArrayList<>();
        for (JsonNode s : statements(false)) {
            if (OWNED_SIDS.contains(s.path("Sid").asText(""))) {
                owned.add(s);
            }
        }
        return owned;
    }

    /** How many accounts amishare's account statement names. */
    public int accountCount() {
        Set<String> ids = new TreeSet<>();
        withSid(SID_ACCOUNTS).forEach(s -> ids.addAll(Kind.ACCOUNTS.values(s)));
        return ids.size();
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
     * The three kinds of principal, each with its statement, the condition that holds its values, and the
     * older statements it replaces.
     */
    private enum Kind {
        ACCOUNTS(SID_ACCOUNTS, STRING_EQUALS, "kms:CallerAccount", LEGACY_ACCOUNT_SIDS) {
            @Override
            List<String> of(Principals principals) {
                return principals.accountIds();
            }

            @Override
            String value(String raw) {
                return ACCOUNT_ID.matcher(raw).matches() ? raw : null;
            }

            @Override
            JsonNode legacyHolder(ObjectNode statement) {
                return statement.path("Principal").path("AWS");
            }

            @Override
            String legacyValue(String raw) {
                Matcher m = ACCOUNT_PRINCIPAL.matcher(raw);
                return m.matches() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
            }
        },
        ORGANIZATIONS(SID_ORGANIZATIONS, STRING_EQUALS, "aws:PrincipalOrgID", LEGACY_ORGANIZATION_SIDS) {
            @Override
            List<String> of(Principals principals) {
                return principals.organizationArns().stream().map(KeyPolicyDocument::organizationId).toList();
            }
        },
        OUS(SID_ORGANIZATIONAL_UNITS, "ForAnyValue:StringLike", "aws:PrincipalOrgPaths", LEGACY_OU_SIDS) {
            @Override
            List<String> of(Principals principals) {
                return principals.organizationalUnitArns().stream().map(KeyPolicyDocument::organizationalUnitPath)
                        .toList();
            }
        };

        final String sid;
        /** The operator and key whose values name this kind's principals. */
        final String operator;
        final String conditionKey;
        final List<String> legacySids;

        Kind(String sid, String operator, String conditionKey, List<String> legacySids) {
            this.sid = sid;
            this.operator = operator;
            this.conditionKey = conditionKey;
            this.legacySids = legacySids;
        }

        /** The values of this kind among the principals, in the form the policy holds them. */
        abstract List<String> of(Principals principals);

        /** The value a raw condition entry stands for, or null when it is not one of amishare's (kept). */
        String value(String raw) {
            return raw;
        }

        /** Where an older statement of this kind holds its values: the same condition, but for accounts. */
        JsonNode legacyHolder(ObjectNode statement) {
            return holder(statement);
        }

        /** The value a raw entry of an older statement stands for, or null when it is somebody else's. */
        String legacyValue(String raw) {
            return raw;
        }

        JsonNode holder(ObjectNode statement) {
            return statement.path("Condition").path(operator).path(conditionKey);
        }

        List<String> values(ObjectNode statement) {
            return strings(holder(statement)).stream().filter(raw -> value(raw) != null).toList();
        }

        List<String> extras(ObjectNode statement) {
            return strings(holder(statement)).stream().filter(raw -> value(raw) == null).toList();
        }

        List<String> legacyValues(ObjectNode statement) {
            return strings(legacyHolder(statement)).stream().map(this::legacyValue).filter(v -> v != null).toList();
        }

        List<String> legacyExtras(ObjectNode statement) {
            return strings(legacyHolder(statement)).stream().filter(raw -> legacyValue(raw) == null).toList();
        }
    }

    private void edit(Kind kind, Collection<String> principals, boolean grant, Outcome outcome) {
        if (principals.isEmpty()) {
            return;
        }
        ObjectNode statement = folded(kind);
        List<ObjectNode> legacy = legacy(kind);
        Set<String> current = new TreeSet<>();
        List<String> extras = new ArrayList<>();
        if (statement != null) {
            current.addAll(kind.values(statement));
            extras.addAll(kind.extras(statement));
        }
        legacy.forEach(s -> current.addAll(kind.legacyValues(s)));
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
        // The compact statement takes the place of the first older one, so that a reader finds it there.
        int position = legacy.isEmpty() ? -1 : indexOf(legacy.get(0));
        apply(kind, statement, desired, extras, position);
        legacy.forEach(s -> retire(kind, s));
    }

    /**
     * Brings the compact statement to its form for {@code desired}; touches it only when it differs, so a
     * policy already right keeps its bytes.
     *
     * @param position where a new statement goes, or -1 for the end
     */
    private void apply(Kind kind, ObjectNode statement, Set<String> desired, List<String> extras, int position) {
        if (desired.isEmpty() && extras.isEmpty()) {
            if (statement != null) {
                remove(statement);
                changed = true;
            }
            return;
        }
        List<String> values = new ArrayList<>(desired);
        values.addAll(extras);
        ObjectNode wanted = compact(kind, values);
        if (statement == null) {
            ArrayNode all = statements(true);
            if (position < 0) {
                all.add(wanted);
            } else {
                all.insert(position, wanted);
            }
            changed = true;
        } else if (!statement.equals(wanted)) {
            statement.removeAll();
            statement.setAll(wanted);
            changed = true;
        }
    }

    /**
     * Takes amishare's values out of an older statement: the statement goes, unless it names principals
     * that are not amishare's; those stay in it with the rest of the statement unchanged.
     */
    private void retire(Kind kind, ObjectNode statement) {
        List<String> foreign = kind.legacyExtras(statement);
        if (foreign.isEmpty()) {
            remove(statement);
            changed = true;
        } else if (!kind.legacyValues(statement).isEmpty()) {
            objectChild(statement, "Principal").set("AWS", array(foreign));
            changed = true;
        }
    }

    private ObjectNode compact(Kind kind, List<String> values) {
        ObjectNode s = NODES.objectNode();
        s.put("Sid", kind.sid);
        s.put("Effect", "Allow");
        s.putObject("Principal").put("AWS", "*");
        s.set("Action", array(ACTIONS));
        s.put("Resource", "*");
        ObjectNode condition = s.putObject("Condition");
        objectChild(condition, kind.operator).set(kind.conditionKey, array(values));
        objectChild(condition, STRING_EQUALS).put(VIA_SERVICE_KEY, viaEc2);
        condition.putObject(BOOL_IF_EXISTS).put(GRANT_FOR_AWS_RESOURCE_KEY, "true");
        return s;
    }

    /**
     * The compact statement of {@code kind}. Later statements with its Sid (a hand edit) are folded into
     * the first, so that a revoke cannot leave a principal behind in a copy.
     */
    private ObjectNode folded(Kind kind) {
        List<ObjectNode> found = withSid(kind.sid);
        if (found.size() > 1) {
            ObjectNode first = found.get(0);
            Set<String> values = new TreeSet<>();
            Set<String> extras = new LinkedHashSet<>();
            for (ObjectNode o : found) {
                values.addAll(kind.values(o));
                extras.addAll(kind.extras(o));
            }
            List<String> merged = new ArrayList<>(values);
            merged.addAll(extras);
            objectChild(objectChild(first, "Condition"), kind.operator).set(kind.conditionKey, array(merged));
            found.subList(1, found.size()).forEach(this::remove);
            changed = true;
        }
        return found.isEmpty() ? null : found.get(0);
    }

    private List<ObjectNode> legacy(Kind kind) {
        List<ObjectNode> found = new ArrayList<>();
        for (JsonNode s : statements(false)) {
            if (s instanceof ObjectNode o && kind.legacySids.contains(o.path("Sid").asText(""))) {
                found.add(o);
            }
        }
        return found;
    }

    private List<ObjectNode> withSid(String sid) {
        List<ObjectNode> found = new ArrayList<>();
        for (JsonNode s : statements(false)) {
            if (s instanceof ObjectNode o && sid.equals(o.path("Sid").asText(null))) {
                found.add(o);
            }
        }
        return found;
    }

    private static ObjectNode objectChild(ObjectNode parent, String field) {
        JsonNode child = parent.get(field);
        if (child instanceof ObjectNode object) {
            return object;
        }
        return parent.putObject(field);
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

    private int indexOf(ObjectNode statement) {
        ArrayNode all = statements(true);
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i) == statement) {
                return i;
            }
        }
        return -1;
    }

    private void remove(ObjectNode statement) {
        int i = indexOf(statement);
        if (i >= 0) {
            statements(true).remove(i);
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
