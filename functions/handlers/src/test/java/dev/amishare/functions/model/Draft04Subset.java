package dev.amishare.functions.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The part of JSON Schema draft-04 that share-request.schema.json uses (type, properties, required,
 * additionalProperties false, items, pattern), enough to check fixtures against it without a library.
 * It refuses schema keywords it does not know, so the schema cannot outgrow the check unnoticed.
 */
final class Draft04Subset {

    private static final List<String> KNOWN = List.of("$schema", "title", "description", "default", "type",
            "properties", "required", "additionalProperties", "items", "pattern");

    private Draft04Subset() {
    }

    static List<String> errors(JsonNode schema, JsonNode value) {
        List<String> errors = new ArrayList<>();
        check(schema, value, "$", errors);
        return errors;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
        schema.fieldNames().forEachRemaining(k -> {
            if (!KNOWN.contains(k)) {
                throw new IllegalArgumentException("schema keyword not supported by the test checker: " + k);
            }
        });
        String type = schema.path("type").asText();
        boolean typeOk = switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "boolean" -> value.isBoolean();
            default -> throw new IllegalArgumentException("type not supported by the test checker: " + type);
        };
        if (!typeOk) {
            errors.add(path + ": not a " + type);
            return;
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            schema.path("required").forEach(r -> {
                if (!value.has(r.asText())) {
                    errors.add(path + "." + r.asText() + ": required");
                }
            });
            value.fieldNames().forEachRemaining(name -> {
                if (properties.has(name)) {
                    check(properties.get(name), value.get(name), path + "." + name, errors);
                } else if (!schema.path("additionalProperties").asBoolean(true)) {
                    errors.add(path + "." + name + ": additional property");
                }
            });
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), path + "[" + i + "]", errors);
            }
        }
        // JSON Schema patterns are unanchored (find), unlike Matcher.matches.
        if (value.isTextual() && schema.has("pattern")
                && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
            errors.add(path + ": does not match " + schema.get("pattern").asText());
        }
    }
}
