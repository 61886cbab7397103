package dev.amishare.functions.copy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/**
 * Lambda entry point, target of the owner event bus's rule for forwarded "EC2 AMI State Change" events:
 * resumes the workflow executions waiting for that copy (see {@link CopyEventService}). The event is read as a tree:
 * it is EventBridge's, not one of amishare's records, and AWS may add fields to it.
 */
public final class CopyEventHandler extends StageHandler<JsonNode, CopyEventResult> {

    public CopyEventHandler() {
        this(new CopyEventService(CopyTokenStore.fromEnvironment(AwsClients.dynamoDb()), new CopyResumer(AwsClients.sfn()),
                new CopyStatusService(AwsClients.consumerRoles(), AwsClients.targetClients())));
    }

    public CopyEventHandler(CopyEventService service) {
        super(JsonNode.class, event -> new LogContext.Fields(event.path("detail").path("ImageId").asText(null),
                event.path("account").asText(null), null),
                event -> new CopyEventResult(service.handle(event)));
    }
}
