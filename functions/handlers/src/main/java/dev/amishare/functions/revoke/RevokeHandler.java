package dev.amishare.functions.revoke;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.ledger.ShareLedger;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** Lambda entry point of the "revoke" stage, also the workflow's rollback. */
public final class RevokeHandler extends StageHandler<RevokeInput, RevokeResult> {

    public RevokeHandler() {
        this(services(AwsClients.ec2()));
    }

    public RevokeHandler(RevokeService service) {
        super(RevokeInput.class, in -> new LogContext.Fields(in.imageId(), null, in.executionId()),
                service::revoke);
    }

    private static RevokeService services(Ec2Client ec2) {
        // One guard for the three: a principal checked once is not asked about again in the same invocation.
        PerimeterGuard perimeter = AwsClients.perimeterGuard();
        ShareStore store = AwsClients.shareStore();
        ShareLedger ledger = AwsClients.shareLedger();
        return new RevokeService(ec2, new SnapshotPermissionService(ec2, perimeter, store, ledger),
                new KeyPolicyService(AwsClients.kms(), perimeter, store, ledger), perimeter, store, ledger);
    }
}
