package dev.amishare.functions.report;

import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.TargetSet;
import java.util.List;

/**
 * The execution's output: bounded, whatever the number of targets. The outcome of every target is in the
 * report ({@code report}).
 *
 * @param imageId the shared AMI
 * @param executionId the workflow execution
 * @param dryRun whether nothing was changed on purpose
 * @param counts how many targets ended in each status
 * @param failed the first {@value ShareReportService#MAX_FAILED_LISTED} failed targets, each with its first reason
 * @param moreFailed how many more failed than {@code failed} lists
 * @param toleratedFailurePercentage the request's tolerance
 * @param withinTolerance whether the share succeeds: failed targets (not ready, failed, unfinished) are within
 *     the tolerance
 * @param message one line for people and for the execution's error cause
 * @param report where the full report is
 * @param reportUri the same as an {@code s3://} URI
 * @param rollback the failed targets that got grants, which a rollback takes back from (in S3)
 */
public record ShareSummary(
        String imageId,
        String executionId,
        boolean dryRun,
        Counts counts,
        List<FailedTarget> failed,
        int moreFailed,
        int toleratedFailurePercentage,
        boolean withinTolerance,
        String message,
        S3Location report,
        String reportUri,
        TargetSet rollback) {

    public ShareSummary {
        failed = List.copyOf(failed);
    }

    /**
     * @param targets target accounts of the share
     * @param notReady got nothing
     * @param granted granted, validation unfinished
     * @param validated granted and validated (launch-only targets end here)
     * @param copied validated and copied
     * @param failed granted, then failed
     */
    public record Counts(int targets, int notReady, int granted, int validated, int copied, int failed) {
    }

    /**
     * @param accountId the target
     * @param status not ready, failed or granted (unfinished)
     * @param reason its first reason
     */
    public record FailedTarget(String accountId, TargetOutcome.Status status, String reason) {
    }
}
