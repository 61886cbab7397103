package dev.amishare.functions.launch;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point of the "grant launch permission" stage. */
public final class GrantLaunchPermissionHandler extends StageHandler<GrantLaunchPermissionInput, LaunchPermissionResult> {

    public GrantLaunchPermissionHandler() {
        this(new GrantLaunchPermissionService(AwsClients.ec2(), AwsClients.perimeterGuard()));
    }

    public GrantLaunchPermissionHandler(GrantLaunchPermissionService service) {
        super(GrantLaunchPermissionInput.class, in -> LogContext.Fields.of(in.imageId(), in.principals().accountIds(), in.executionId()),
                service::grant);
    }
}
