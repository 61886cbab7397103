package dev.amishare.functions.revoke;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import java.io.InputStream;
import java.io.OutputStream;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** Lambda entry point of the "revoke" stage, also the workflow's rollback. */
public final class RevokeHandler implements RequestStreamHandler {

    private final RevokeService service;

    public RevokeHandler() {
        this(services(AwsClients.ec2()));
    }

    public RevokeHandler(RevokeService service) {
        this.service = service;
    }

    private static RevokeService services(Ec2Client ec2) {
        return new RevokeService(ec2, new SnapshotPermissionService(ec2), new KeyPolicyService(AwsClients.kms()));
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        RevokeInput input = Json.read(in, RevokeInput.class);
        try (LogContext ignored = LogContext.of(input.imageId(), String.join(",", input.accountIds()),
                input.executionId(), context)) {
            Json.write(out, service.revoke(input));
        }
    }
}
