package dev.amishare.functions.snapshots;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import java.io.InputStream;
import java.io.OutputStream;

/** Lambda entry point of the "share snapshots" stage. */
public final class ShareSnapshotsHandler implements RequestStreamHandler {

    private final SnapshotPermissionService service;

    public ShareSnapshotsHandler() {
        this(new SnapshotPermissionService(AwsClients.ec2()));
    }

    public ShareSnapshotsHandler(SnapshotPermissionService service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        SnapshotPermissionInput input = Json.read(in, SnapshotPermissionInput.class);
        try (LogContext ignored = LogContext.of(null, String.join(",", input.accountIds()), input.executionId(),
                context)) {
            Json.write(out, service.grant(input));
        }
    }
}
