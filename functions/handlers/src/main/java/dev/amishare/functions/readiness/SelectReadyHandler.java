package dev.amishare.functions.readiness;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point of the "select ready targets" stage. */
public final class SelectReadyHandler extends StageHandler<SelectReadyInput, ReadyTargets> {

    public SelectReadyHandler() {
        this(new SelectReadyService(AwsClients.shareStore()));
    }

    public SelectReadyHandler(SelectReadyService service) {
        super(SelectReadyInput.class, in -> new LogContext.Fields(null, null, in.executionId()), service::select);
    }
}
