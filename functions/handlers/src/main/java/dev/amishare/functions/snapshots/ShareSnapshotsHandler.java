package dev.amishare.functions.snapshots;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point of the "share snapshots" stage. */
public final class ShareSnapshotsHandler extends StageHandler<SnapshotPermissionInput, SnapshotPermissionResult> {

    public ShareSnapshotsHandler() {
        this(new SnapshotPermissionService(AwsClients.ec2(), AwsClients.perimeterGuard(), AwsClients.shareStore(),
                AwsClients.shareLedger()));
    }

    public ShareSnapshotsHandler(SnapshotPermissionService service) {
        super(SnapshotPermissionInput.class, in -> new LogContext.Fields(null, null, in.executionId()),
                service::grant);
    }
}
