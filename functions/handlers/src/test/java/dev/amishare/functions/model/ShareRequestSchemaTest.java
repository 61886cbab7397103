package dev.amishare.functions.model;

import dev.amishare.contract.Names;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The published JSON Schema and the Java validator must accept and refuse the same requests. */
class ShareRequestSchemaTest {

    // Surefire runs in functions/handlers; events/ is shared with manual runs at the repository root.
    private static final Path FIXTURES = Path.of("../../events/requests");

    private static JsonNode schema() throws IOException {
        try (InputStream in = ShareRequestSchemaTest.class.getResourceAsStream("/share-request.schema.json")) {
            return Json.MAPPER.readTree(in);
        }
    }

    private static List<Path> fixtures(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(FIXTURES)) {
            List<Path> found = new ArrayList<>(files
                    .filter(f -> f.getFileName().toString().startsWith(prefix) && f.toString().endsWith(".json"))
                    .sorted().toList());
            assertThat(found).as("fixtures %s*.json", prefix).isNotEmpty();
            return found;
        }
    }

    private static JsonNode read(Path file) throws IOException {
        return Json.MAPPER.readTree(file.toFile());
    }

    private static List<String> names(JsonNode properties) {
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static String anchored(Pattern p) {
        return "^" + p.pattern() + "$";
    }

    @Test
    void schema_shouldPublishTheValidatorsFieldsAndRequiredLists_whenRead() throws IOException {
        // GIVEN
        JsonNode root = schema();
        JsonNode target = root.at("/properties/targets/items");
        JsonNode copy = target.at("/properties/copy/items");

        // THEN every object level lists the same fields and required fields, and refuses others
        assertThat(root.get("$schema").asText()).isEqualTo("http://json-schema.org/draft-04/schema#");
        assertThat(names(root.get("properties"))).containsExactlyElementsOf(ShareRequestValidator.REQUEST_FIELDS);
        assertThat(texts(root.get("required"))).containsExactlyElementsOf(ShareRequestValidator.REQUEST_REQUIRED);
        assertThat(names(target.get("properties"))).containsExactlyElementsOf(ShareRequestValidator.TARGET_FIELDS);
        assertThat(texts(target.get("required"))).containsExactlyElementsOf(ShareRequestValidator.TARGET_REQUIRED);
        assertThat(names(copy.get("properties"))).containsExactlyElementsOf(ShareRequestValidator.COPY_FIELDS);
        assertThat(texts(copy.get("required"))).containsExactlyElementsOf(ShareRequestValidator.COPY_REQUIRED);
        for (JsonNode object : List.of(root, target, copy)) {
            assertThat(object.get("additionalProperties").asBoolean(true)).isFalse();
        }
        assertThat(root.at("/properties/consumerRoleName/default").asText())
                .isEqualTo(Names.DEFAULT_CONSUMER_ROLE);
    }

    @Test
    void schema_shouldUseTheValidatorsPatterns_whenRead() throws IOException {
        // GIVEN
        JsonNode p = schema().get("properties");

        // THEN
        assertThat(p.at("/imageId/pattern").asText()).isEqualTo(anchored(Validation.IdKind.IMAGE_ID.pattern()));
        assertThat(p.at("/sourceRegion/pattern").asText()).isEqualTo(anchored(Validation.IdKind.REGION.pattern()));
        assertThat(p.at("/consumerRoleName/pattern").asText()).isEqualTo(anchored(Validation.IdKind.ROLE_NAME.pattern()));
        assertThat(p.at("/organizationArns/items/pattern").asText()).isEqualTo(anchored(Validation.IdKind.ORGANIZATION_ARN.pattern()));
        assertThat(p.at("/organizationalUnitArns/items/pattern").asText())
                .isEqualTo(anchored(Validation.IdKind.ORGANIZATIONAL_UNIT_ARN.pattern()));
        JsonNode target = p.at("/targets/items/properties");
        assertThat(target.at("/accountId/pattern").asText()).isEqualTo(anchored(Validation.IdKind.ACCOUNT_ID.pattern()));
        assertThat(target.at("/copy/items/properties/region/pattern").asText()).isEqualTo(anchored(Validation.IdKind.REGION.pattern()));
        assertThat(target.at("/copy/items/properties/kmsKeyId/pattern").asText())
                .isEqualTo(anchored(Validation.IdKind.KMS_KEY_ID.pattern()));
    }

    @Test
    void schemaAndValidator_shouldAcceptRequest_whenFixtureIsValid() throws IOException {
        JsonNode schema = schema();
        for (Path file : fixtures("valid-")) {
            // GIVEN
            JsonNode request = read(file);

            // WHEN / THEN both accept it
            assertThat(Draft04Subset.errors(schema, request)).as("schema on %s", file).isEmpty();
            assertThat(ShareRequestValidator.problems(request)).as("validator on %s", file).isEmpty();
        }
    }

    @Test
    void schemaAndValidator_shouldRefuseRequest_whenFixtureIsInvalid() throws IOException {
        JsonNode schema = schema();
        for (Path file : fixtures("invalid-")) {
            // GIVEN
            JsonNode request = read(file);

            // WHEN / THEN both refuse it
            assertThat(Draft04Subset.errors(schema, request)).as("schema on %s", file).isNotEmpty();
            assertThat(ShareRequestValidator.problems(request)).as("validator on %s", file).isNotEmpty();
        }
    }

    @Test
    void validator_shouldRefuseWhatTheSchemaCannotExpress_whenFixtureIsSemantic() throws IOException {
        JsonNode schema = schema();
        for (Path file : fixtures("semantic-")) {
            // GIVEN
            JsonNode request = read(file);

            // WHEN / THEN the schema lets it through, the functions do not
            assertThat(Draft04Subset.errors(schema, request)).as("schema on %s", file).isEmpty();
            assertThat(ShareRequestValidator.problems(request)).as("validator on %s", file).isNotEmpty();
        }
    }
}
