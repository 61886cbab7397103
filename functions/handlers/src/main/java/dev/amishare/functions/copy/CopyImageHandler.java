package dev.amishare.functions.copy;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point of the "copy with re-encryption" stage, run once per target account and region. */
public final class CopyImageHandler extends StageHandler<CopyImageInput, CopyImageResult> {

    public CopyImageHandler() {
        this(new CopyImageService(AwsClients.consumerRoles(), AwsClients.targetClients(), AwsClients.perimeterGuard()));
    }

    public CopyImageHandler(CopyImageService service) {
        super(CopyImageInput.class, in -> new LogContext.Fields(in.sourceImageId(), in.accountId(), in.executionId()),
                service::copy);
    }
}
