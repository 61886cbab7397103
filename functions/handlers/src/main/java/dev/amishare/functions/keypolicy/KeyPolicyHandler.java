package dev.amishare.functions.keypolicy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import java.io.InputStream;
import java.io.OutputStream;

/** Lambda entry point of the "patch key policies" stage. */
public final class KeyPolicyHandler implements RequestStreamHandler {

    private final KeyPolicyService service;

    public KeyPolicyHandler() {
        this(new KeyPolicyService(AwsClients.kms()));
    }

    public KeyPolicyHandler(KeyPolicyService service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        KeyPolicyInput input = Json.read(in, KeyPolicyInput.class);
        try (LogContext ignored = LogContext.of(null, String.join(",", input.accountIds()), input.executionId(),
                context)) {
            Json.write(out, service.grant(input));
        }
    }
}
