package dev.amishare.functions.report;

import java.util.List;

/**
 * The share report written to S3: one outcome per target account, in request order.
 *
 * @param imageId the shared AMI
 * @param executionId the workflow execution
 * @param dryRun whether nothing was changed on purpose
 * @param organizationArns organizations granted as a whole
 * @param organizationalUnitArns OUs granted as a whole
 * @param counts how many targets ended in each status
 * @param targets one outcome per target account
 */
public record ShareReport(String imageId, String executionId, boolean dryRun, List<String> organizationArns,
        List<String> organizationalUnitArns, ShareSummary.Counts counts, List<TargetOutcome> targets) {
}
