package dev.amishare.functions.report;

import dev.amishare.functions.model.MapRunOutput;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.TargetSet;

/**
 * What the report stage needs.
 *
 * @param imageId the shared AMI
 * @param executionId the workflow execution, for the logs and the S3 keys
 * @param dryRun whether nothing was changed on purpose
 * @param toleratedFailurePercentage the request's tolerance (percent of all target accounts)
 * @param targets every target, as Prepare listed them
 * @param notReady the targets that got nothing ({@code not-ready.json}); null when none was checked
 * @param results the per-target Map's output; null when no target was ready
 */
public record ShareReportInput(
        String imageId,
        String executionId,
        Boolean dryRun,
        Integer toleratedFailurePercentage,
        TargetSet targets,
        S3Location notReady,
        MapRunOutput results) {

    public ShareReportInput {
        dryRun = Boolean.TRUE.equals(dryRun);
        toleratedFailurePercentage = toleratedFailurePercentage == null ? 0 : toleratedFailurePercentage;
        targets = targets == null ? TargetSet.NONE : targets;
    }
}
