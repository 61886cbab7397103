package dev.amishare.functions.copy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import java.io.InputStream;
import java.io.OutputStream;

/** Lambda entry point of the "copy with re-encryption" stage, run once per target account and region. */
public final class CopyImageHandler implements RequestStreamHandler {

    private final CopyImageService service;

    public CopyImageHandler() {
        this(new CopyImageService(AwsClients.sts(), AwsClients.targetClients()));
    }

    public CopyImageHandler(CopyImageService service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        CopyImageInput input = Json.read(in, CopyImageInput.class);
        try (LogContext ignored = LogContext.of(input.sourceImageId(), input.accountId(), input.executionId(),
                context)) {
            Json.write(out, service.copy(input));
        }
    }
}
