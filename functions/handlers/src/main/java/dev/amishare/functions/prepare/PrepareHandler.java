package dev.amishare.functions.prepare;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import java.io.InputStream;
import java.io.OutputStream;

/** Lambda entry point of the "prepare" stage, the first of the workflow. */
public final class PrepareHandler implements RequestStreamHandler {

    private final PrepareService service;

    public PrepareHandler() {
        this(new PrepareService(AwsClients.ec2(), AwsClients.kms(), AwsClients.sts()));
    }

    public PrepareHandler(PrepareService service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        PrepareInput input = Json.read(in, PrepareInput.class);
        String imageId = input.request() == null ? null : input.request().path("imageId").asText(null);
        try (LogContext ignored = LogContext.of(imageId, null, input.executionId(), context)) {
            Json.write(out, service.prepare(input));
        }
    }
}
