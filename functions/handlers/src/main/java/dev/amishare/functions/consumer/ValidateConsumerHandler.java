package dev.amishare.functions.consumer;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import java.io.InputStream;
import java.io.OutputStream;

/** Lambda entry point of the "validate consumer" stage, run once per target account. */
public final class ValidateConsumerHandler implements RequestStreamHandler {

    private final ConsumerValidationService service;

    public ValidateConsumerHandler() {
        this(new ConsumerValidationService(AwsClients.sts(), AwsClients.targetClients()));
    }

    public ValidateConsumerHandler(ConsumerValidationService service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        ConsumerValidationInput input = Json.read(in, ConsumerValidationInput.class);
        try (LogContext ignored = LogContext.of(input.imageId(), input.accountId(), input.executionId(), context)) {
            Json.write(out, service.validate(input));
        }
    }
}
