package dev.amishare.functions.copy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Lambda entry point, target of the owner event bus's rule for forwarded "EC2 AMI State Change" events:
 * resumes the workflow waiting for that copy (see {@link CopyEventService}). The event is read as a tree:
 * it is EventBridge's, not one of amishare's records, and AWS may add fields to it.
 */
public final class CopyEventHandler implements RequestStreamHandler {

    private final CopyEventService service;

    public CopyEventHandler() {
        this(new CopyEventService(new CopyTokenStore(AwsClients.ssm(), CopyTokenStore.prefixFromEnvironment()),
                new CopyResumer(AwsClients.sfn())));
    }

    public CopyEventHandler(CopyEventService service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        JsonNode event;
        try {
            event = Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (LogContext ignored = LogContext.of(event.path("detail").path("ImageId").asText(null),
                event.path("account").asText(null), null, context)) {
            Json.write(out, Map.of("resumed", service.handle(event)));
        }
    }
}
