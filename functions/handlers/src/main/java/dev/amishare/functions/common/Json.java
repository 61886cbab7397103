package dev.amishare.functions.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.amishare.errors.InvalidShareRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one JSON mapping of every stage's input and output. Unknown fields are errors: a typo in a
 * request must not silently share less than the operator asked for.
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /**
     * For AWS's own event classes (aws-lambda-java-events): AWS adds fields to its events over time, and a
     * field the class does not model is no typo of ours. Otherwise as {@link #MAPPER}.
     */
    public static final ObjectMapper AWS_EVENTS = MAPPER.copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {
    }

    /** Reads {@code type}; malformed JSON becomes the named validation error, never a parse stack trace. */
    public static <T> T read(InputStream in, Class<T> type) {
        return read(MAPPER, in, type);
    }

    /** Reads {@code type} with {@code mapper}, errors as {@link #read(InputStream, Class)}. */
    public static <T> T read(ObjectMapper mapper, InputStream in, Class<T> type) {
        try {
            return mapper.readValue(in, type);
        } catch (JsonProcessingException e) {
            throw new InvalidShareRequestException(List.of(describe(e)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new InvalidShareRequestException(List.of(describe(e)));
        }
    }

    public static void write(OutputStream out, Object value) {
        try {
            MAPPER.writeValue(out, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
        }
    }

    private static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return path(u) + ": unknown field '" + u.getPropertyName() + "' (known: "
                    + u.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "))
                    + ")";
        }
        if (e instanceof InvalidFormatException f) {
            return path(f) + ": cannot read " + f.getValue() + " as " + f.getTargetType().getSimpleName();
        }
        if (e instanceof MismatchedInputException m) {
            return path(m) + ": wrong type, expected " + m.getTargetType().getSimpleName();
        }
        return "input is not valid JSON: " + e.getOriginalMessage();
    }

    private static String path(MismatchedInputException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "input" : sb.toString();
    }
}
