package dev.amishare.functions.launch;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import java.io.InputStream;
import java.io.OutputStream;

/** Lambda entry point of the "grant launch permission" stage. */
public final class GrantLaunchPermissionHandler implements RequestStreamHandler {

    private final GrantLaunchPermissionService service;

    public GrantLaunchPermissionHandler() {
        this(new GrantLaunchPermissionService(AwsClients.ec2()));
    }

    public GrantLaunchPermissionHandler(GrantLaunchPermissionService service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        GrantLaunchPermissionInput input = Json.read(in, GrantLaunchPermissionInput.class);
        try (LogContext ignored = LogContext.of(input.imageId(), String.join(",", input.accountIds()),
                input.executionId(), context)) {
            Json.write(out, service.grant(input));
        }
    }
}
