package dev.amishare.functions.copy;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point that reports a copy's state, polled by the workflow until it is final. */
public final class CopyStatusHandler extends StageHandler<CopyStatusInput, CopyStatusResult> {

    public CopyStatusHandler() {
        this(new CopyStatusService(AwsClients.consumerRoles(), AwsClients.targetClients()));
    }

    public CopyStatusHandler(CopyStatusService service) {
        super(CopyStatusInput.class, in -> new LogContext.Fields(in.imageId(), in.accountId(), in.executionId()),
                service::status);
    }
}
