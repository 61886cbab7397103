package dev.amishare.functions.prepare;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the first stage gets: the share request as sent (checked here, field by field) and the
 * execution it starts. The state machine builds it as {@code {"request.$": "$", "executionId.$": "$$.Execution.Name"}}
 * (the name, not the ARN: the logs and the copy-token records carry it).
 *
 * @param request the share request, in the format of {@code share-request.schema.json}; kept as JSON so
 *     that every problem in it is reported, not just the first
 * @param executionId the workflow execution, for the logs
 */
public record PrepareInput(JsonNode request, String executionId) {
}
