package dev.amishare.functions.readiness;

import dev.amishare.functions.model.MapRunOutput;
import dev.amishare.functions.model.TargetSet;

/**
 * What "Select ready targets" needs.
 *
 * @param checks the "Check targets" Map's output: where its ResultWriter put the batches' results
 * @param targets every target of the share, as Prepare listed them
 * @param executionId the workflow execution, for the logs and the S3 keys
 */
public record SelectReadyInput(MapRunOutput checks, TargetSet targets, String executionId) {
}
