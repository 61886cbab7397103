package dev.amishare.functions.launch;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point of the "grant launch permission" stage. */
public final class GrantLaunchPermissionHandler extends StageHandler<GrantLaunchPermissionInput, LaunchPermissionResult> {

    public GrantLaunchPermissionHandler() {
        this(new GrantLaunchPermissionService(AwsClients.ec2(), AwsClients.perimeterGuard(), AwsClients.shareStore(),
                AwsClients.shareLedger()));
    }

    public GrantLaunchPermissionHandler(GrantLaunchPermissionService service) {
        super(GrantLaunchPermissionInput.class, in -> new LogContext.Fields(in.imageId(), null, in.executionId()),
                service::grant);
    }
}
