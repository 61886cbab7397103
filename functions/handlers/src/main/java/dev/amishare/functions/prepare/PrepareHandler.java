package dev.amishare.functions.prepare;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point of the "prepare" stage, the first of the workflow. */
public final class PrepareHandler extends StageHandler<PrepareInput, PreparedShare> {

    public PrepareHandler() {
        this(AwsClients.perimeterGuard());
    }

    private PrepareHandler(PerimeterGuard perimeter) {
        // The OUs a request copies into are listed through the perimeter's own Organizations client; a
        // perimeter without an organization has no OU to copy into (the perimeter check refuses it first).
        this(new PrepareService(AwsClients.ec2(), AwsClients.kms(), AwsClients.sts(), perimeter,
                ou -> perimeter.directory().accountsUnder(ou), AwsClients.shareStore(),
                AwsClients.shareLedger()));
    }

    public PrepareHandler(PrepareService service) {
        super(PrepareInput.class, in -> new LogContext.Fields(
                in.request() == null ? null : in.request().path("imageId").asText(null), null, in.executionId()),
                service::prepare);
    }
}
