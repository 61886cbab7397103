package dev.amishare.functions.readiness;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;
import dev.amishare.functions.model.ShareRequest;

/** Lambda entry point of the "check readiness" stage: one batch of the "Check targets" Distributed Map. */
public final class CheckTargetsHandler extends StageHandler<CheckTargetsInput, CheckTargetsResult> {

    public CheckTargetsHandler() {
        this(new ReadinessService(AwsClients.consumerRoles(), AwsClients.targetClients()));
    }

    public CheckTargetsHandler(ReadinessService service) {
        super(CheckTargetsInput.class, in -> LogContext.Fields.of(
                        in.batchInput() == null ? null : in.batchInput().imageId(),
                        in.items().stream().map(ShareRequest.Target::accountId).toList(),
                        in.batchInput() == null ? null : in.batchInput().executionId()),
                service::check);
    }
}
