package dev.amishare.functions.copy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import java.io.InputStream;
import java.io.OutputStream;

/** Lambda entry point that reports a copy's state, polled by the workflow until it is final. */
public final class CopyStatusHandler implements RequestStreamHandler {

    private final CopyStatusService service;

    public CopyStatusHandler() {
        this(new CopyStatusService(AwsClients.sts(), AwsClients.targetClients()));
    }

    public CopyStatusHandler(CopyStatusService service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        CopyStatusInput input = Json.read(in, CopyStatusInput.class);
        try (LogContext ignored = LogContext.of(input.imageId(), input.accountId(), input.executionId(), context)) {
            Json.write(out, service.status(input));
        }
    }
}
