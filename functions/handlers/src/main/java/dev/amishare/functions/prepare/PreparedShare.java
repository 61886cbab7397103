package dev.amishare.functions.prepare;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import java.util.List;

/**
 * The checked request and what the later stages need to know about the AMI. Its size does not grow with
 * the number of target accounts: they, and the access they had before, are in S3.
 *
 * @param request the request, with defaults filled and {@code sourceRegion} set, without its target list
 *     (the accounts are in {@code targets})
 * @param ownerAccountId the account that owns the AMI and runs the workflow
 * @param region the AMI's region
 * @param imageName the AMI's name, reused for the copies
 * @param snapshots the AMI's EBS snapshots
 * @param customerManagedKeyArns distinct keys of the snapshots, all customer-managed; empty when unencrypted
 * @param encrypted whether any snapshot is encrypted
 * @param targets every target: the request's accounts and those of its {@code copyToOrganizationalUnits}
 *     (in S3, one {@link ShareRequest.Target} each), its organizations and OUs
 * @param copyingAccountCount how many of the target accounts copy the AMI
 * @param baseline which of the targets already had access before this execution (an
 *     {@code AccessBaseline} in S3); rollback keeps it
 * @param executionId the workflow execution, for the logs and the S3 keys
 */
public record PreparedShare(
        ShareRequest request,
        String ownerAccountId,
        String region,
        // Written even when null: the workflow passes it on by JSONPath, which fails on a missing field.
        @JsonInclude(JsonInclude.Include.ALWAYS) String imageName,
        List<SnapshotInfo> snapshots,
        List<String> customerManagedKeyArns,
        boolean encrypted,
        TargetSet targets,
        int copyingAccountCount,
        S3Location baseline,
        String executionId) {

    public PreparedShare {
        snapshots = List.copyOf(snapshots);
        customerManagedKeyArns = List.copyOf(customerManagedKeyArns);
    }
}
