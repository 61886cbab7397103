package dev.amishare.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The share-request JSON Schema the functions publish, read for API Gateway's request model. */
final class ShareRequestSchema {

    static final String PROPERTY = "amishare.schema";

    private ShareRequestSchema() {
    }

    static Path locate() {
        String configured = System.getProperty(PROPERTY);
        Path schema = configured != null ? Path.of(configured)
                : EventPatterns.directory().getParent().getParent()
                        .resolve(Path.of("functions", "handlers", "src", "main", "resources", "share-request.schema.json"));
        if (!Files.isRegularFile(schema)) {
            throw new IllegalStateException("share-request schema not found at " + schema.toAbsolutePath());
        }
        return schema.toAbsolutePath().normalize();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> read(Path schema) {
        try {
            return new ObjectMapper().readValue(schema.toFile(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
