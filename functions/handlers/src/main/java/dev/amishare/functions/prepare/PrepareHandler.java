package dev.amishare.functions.prepare;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point of the "prepare" stage, the first of the workflow. */
public final class PrepareHandler extends StageHandler<PrepareInput, PreparedShare> {

    public PrepareHandler() {
        this(new PrepareService(AwsClients.ec2(), AwsClients.kms(), AwsClients.sts(), AwsClients.perimeterGuard(),
                AwsClients.organizationalUnitAccounts(), AwsClients.shareStore()));
    }

    public PrepareHandler(PrepareService service) {
        super(PrepareInput.class, in -> new LogContext.Fields(
                in.request() == null ? null : in.request().path("imageId").asText(null), null, in.executionId()),
                service::prepare);
    }
}
