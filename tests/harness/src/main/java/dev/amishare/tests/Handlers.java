package dev.amishare.tests;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Invokes a handler in-process through the same JSON mapping Lambda uses with it. */
public final class Handlers {

    private Handlers() {
    }

    public static <T> T invoke(RequestStreamHandler handler, Object input, Class<T> outputType) {
        String json = input instanceof String s ? s : Json.write(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Json.read(out.toString(StandardCharsets.UTF_8), outputType);
    }
}
