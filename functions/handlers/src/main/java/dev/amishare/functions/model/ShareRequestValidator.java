package dev.amishare.functions.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.Validation.IdKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a share request and lists every problem, not only the first. It walks the JSON tree itself
 * because Jackson stops at the first unknown field. The field lists and patterns below are the ones
 * {@code share-request.schema.json} publishes; a unit test keeps the two equal.
 */
public final class ShareRequestValidator {

    public static final List<String> REQUEST_FIELDS = List.of("imageId", "sourceRegion", "targets",
            "organizationArns", "organizationalUnitArns", "copyToOrganizationalUnits", "consumerRoleName", "dryRun",
            "rollbackOnFailure", "toleratedFailurePercentage");
    public static final List<String> REQUEST_REQUIRED = List.of("imageId");
    /**
     * Set by the entry points, not by callers: who asked for the share. The API's schema leaves it out (API
     * Gateway refuses a body that names it) and the API adds the caller's IAM identity itself.
     */
    public static final List<String> ENTRY_FIELDS = List.of("requestedBy");
    private static final int MAX_REQUESTED_BY = 2048;
    public static final List<String> TARGET_FIELDS = List.of("accountId", "copy");
    public static final List<String> TARGET_REQUIRED = List.of("accountId");
    public static final List<String> OU_COPY_FIELDS = List.of("organizationalUnitArn", "copy");
    public static final List<String> OU_COPY_REQUIRED = List.of("organizationalUnitArn", "copy");
    public static final List<String> COPY_FIELDS = List.of("region", "kmsKeyId");
    public static final List<String> COPY_REQUIRED = List.of("region", "kmsKeyId");

    private static final Pattern KEY_ARN_REGION = Pattern.compile("arn:aws[a-z-]*:kms:([^:]+):.*");

    private ShareRequestValidator() {
    }

    /** Parses and checks a request; raises one error naming every problem. */
    public static ShareRequest read(String json) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidShareRequestException(List.of("input is not valid JSON: " + e.getOriginalMessage()));
        }
        return read(node);
    }

    public static ShareRequest read(JsonNode node) {
        List<String> problems = problems(node);
        if (!problems.isEmpty()) {
            throw new InvalidShareRequestException(problems);
        }
        try {
            return Json.MAPPER.treeToValue(node, ShareRequest.class);
        } catch (JsonProcessingException e) {
            // The checks above cover every field and type, so this is a bug, not bad input.
            throw new IllegalStateException("validated request did not map", e);
        }
    }

    /** Every problem of the request that can be found without calling AWS. */
    public static List<String> problems(JsonNode node) {
        List<String> p = new ArrayList<>();
        if (node == null || !node.isObject()) {
            p.add("input: expected a JSON object");
            return p;
        }
        fields(node, "", java.util.stream.Stream.concat(REQUEST_FIELDS.stream(), ENTRY_FIELDS.stream()).toList(),
                REQUEST_REQUIRED, p);
        JsonNode requestedBy = node.get("requestedBy");
        if (requestedBy != null && !requestedBy.isNull()
                && (!requestedBy.isTextual() || requestedBy.asText().length() > MAX_REQUESTED_BY)) {
            p.add("requestedBy: expected a string of at most " + MAX_REQUESTED_BY + " characters");
        }
        text(node, "imageId", "imageId", IdKind.IMAGE_ID, p);
        text(node, "sourceRegion", "sourceRegion", IdKind.REGION, p);
        text(node, "consumerRoleName", "consumerRoleName", IdKind.ROLE_NAME, p);
        bool(node, "dryRun", p);
        bool(node, "rollbackOnFailure", p);
        int orgs = texts(node, "organizationArns", IdKind.ORGANIZATION_ARN, p);
        int ous = texts(node, "organizationalUnitArns", IdKind.ORGANIZATIONAL_UNIT_ARN, p);
        int targets = targets(node.get("targets"), p);
        int ouCopies = organizationalUnitCopies(node.get("copyToOrganizationalUnits"), p);
        tolerance(node.get("toleratedFailurePercentage"), p);
        if (targets + orgs + ous + ouCopies == 0) {
            p.add("targets, organizationArns, organizationalUnitArns, copyToOrganizationalUnits: at least one target"
                    + " is required");
        }
        return p;
    }

    /** The check that needs the owner account: sharing with oneself is a mistake, not a no-op. */
    public static List<String> ownerProblems(ShareRequest request, String ownerAccountId, String region) {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < request.targets().size(); i++) {
            if (ownerAccountId.equals(request.targets().get(i).accountId())) {
                p.add("targets[" + i + "].accountId: " + ownerAccountId + " is the owner account, not a target");
            }
        }
        if (request.sourceRegion() != null && !request.sourceRegion().equals(region)) {
            p.add("sourceRegion: '" + request.sourceRegion() + "' differs from the region the share runs in ("
                    + region + ")");
        }
        return p;
    }

    private static int targets(JsonNode targets, List<String> p) {
        if (targets == null) {
            return 0;
        }
        if (!targets.isArray()) {
            p.add("targets: wrong type, expected an array");
            return 0;
        }
        Set<String> accounts = new HashSet<>();
        for (int i = 0; i < targets.size(); i++) {
            JsonNode target = targets.get(i);
            String path = "targets[" + i + "]";
            if (!target.isObject()) {
                p.add(path + ": wrong type, expected an object");
                continue;
            }
            fields(target, path + ".", TARGET_FIELDS, TARGET_REQUIRED, p);
            String account = text(target, "accountId", path + ".accountId", IdKind.ACCOUNT_ID, p);
            if (account != null && !accounts.add(account)) {
                p.add(path + ".accountId: duplicate account " + account);
            }
            copies(target.get("copy"), path + ".copy", p);
        }
        return targets.size();
    }

    private static int organizationalUnitCopies(JsonNode entries, List<String> p) {
        if (entries == null) {
            return 0;
        }
        if (!entries.isArray()) {
            p.add("copyToOrganizationalUnits: wrong type, expected an array");
            return 0;
        }
        Set<String> ous = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            String path = "copyToOrganizationalUnits[" + i + "]";
            if (!entry.isObject()) {
                p.add(path + ": wrong type, expected an object");
                continue;
            }
            fields(entry, path + ".", OU_COPY_FIELDS, OU_COPY_REQUIRED, p);
            String ou = text(entry, "organizationalUnitArn", path + ".organizationalUnitArn",
                    IdKind.ORGANIZATIONAL_UNIT_ARN, p);
            if (ou != null && !ous.add(ou)) {
                p.add(path + ".organizationalUnitArn: duplicate OU " + ou);
            }
            JsonNode copy = entry.get("copy");
            if (copy != null && copy.isArray() && copy.isEmpty()) {
                p.add(path + ".copy: at least one copy region is required");
            }
            copies(copy, path + ".copy", p);
        }
        return entries.size();
    }

    private static void tolerance(JsonNode value, List<String> p) {
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isIntegralNumber() || value.asInt() < 0 || value.asInt() > 100 || !value.canConvertToInt()) {
            p.add("toleratedFailurePercentage: expected a whole number from 0 to 100");
        }
    }

    private static void copies(JsonNode copies, String path, List<String> p) {
        if (copies == null) {
            return;
        }
        if (!copies.isArray()) {
            p.add(path + ": wrong type, expected an array");
            return;
        }
        Set<String> regions = new HashSet<>();
        for (int j = 0; j < copies.size(); j++) {
            JsonNode copy = copies.get(j);
            String at = path + "[" + j + "]";
            if (!copy.isObject()) {
                p.add(at + ": wrong type, expected an object");
                continue;
            }
            fields(copy, at + ".", COPY_FIELDS, COPY_REQUIRED, p);
            String region = text(copy, "region", at + ".region", IdKind.REGION, p);
            if (region != null && !regions.add(region)) {
                p.add(at + ".region: duplicate copy region " + region + " for this target");
            }
            String key = text(copy, "kmsKeyId", at + ".kmsKeyId", IdKind.KMS_KEY_ID, p);
            Matcher arn = key == null ? null : KEY_ARN_REGION.matcher(key);
            if (region != null && arn != null && arn.matches() && !arn.group(1).equals(region)) {
                // CopyImage encrypts with a key of the destination region; another region's key cannot work.
                p.add(at + ".kmsKeyId: key is in " + arn.group(1) + ", not in the copy region " + region);
            }
        }
    }

    private static void fields(JsonNode node, String prefix, List<String> known, List<String> required,
            List<String> p) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                p.add(prefix + name + ": unknown field (known: " + String.join(", ", known) + ")");
            }
        });
        for (String name : required) {
            if (!node.hasNonNull(name)) {
                p.add(prefix + name + ": missing");
            }
        }
    }

    /** The field's text when present and well-formed, else null (and the problem is recorded). */
    private static String text(JsonNode node, String field, String path, IdKind kind,
            List<String> p) {
        JsonNode value = node.get(field);
        // An explicit null is an absent optional field: the workflow writes optional fields as null so
        // that its JSONPath can always select them. Required fields are checked for null apart.
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            p.add(path + ": wrong type, expected a string");
            return null;
        }
        if (!kind.matches(value.asText())) {
            p.add(path + ": '" + value.asText() + "' is not " + kind.expected());
            return null;
        }
        return value.asText();
    }

    private static int texts(JsonNode node, String field, IdKind kind, List<String> p) {
        JsonNode values = node.get(field);
        if (values == null) {
            return 0;
        }
        if (!values.isArray()) {
            p.add(field + ": wrong type, expected an array");
            return 0;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String path = field + "[" + i + "]";
            JsonNode value = values.get(i);
            if (!value.isTextual()) {
                p.add(path + ": wrong type, expected a string");
            } else if (!kind.matches(value.asText())) {
                p.add(path + ": '" + value.asText() + "' is not " + kind.expected());
            } else if (!seen.add(value.asText())) {
                p.add(path + ": duplicate " + value.asText());
            }
        }
        return values.size();
    }

    private static void bool(JsonNode node, String field, List<String> p) {
        JsonNode value = node.get(field);
        if (value != null && !value.isBoolean()) {
            p.add(field + ": wrong type, expected true or false");
        }
    }
}
