package dev.amishare.functions.prepare;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.Principals;
import java.util.List;

/**
 * The checked request and what the later stages need to know about the AMI.
 *
 * @param request the request, with defaults filled and {@code sourceRegion} set
 * @param ownerAccountId the account that owns the AMI and runs the workflow
 * @param region the AMI's region
 * @param imageName the AMI's name, reused for the copies
 * @param snapshots the AMI's EBS snapshots
 * @param customerManagedKeyArns distinct keys of the snapshots, all customer-managed; empty when unencrypted
 * @param principals every target account (in request order), organization and OU of the request
 * @param copyingAccountIds target accounts that copy the AMI (need the snapshots shared)
 * @param copies every copy to make, one per target account and region
 * @param encrypted whether any snapshot is encrypted
 * @param baseline which of the request's principals already had access before this execution; rollback
 *     keeps it
 * @param executionId the workflow execution, for the logs
 */
public record PreparedShare(
        ShareRequest request,
        String ownerAccountId,
        String region,
        // Written even when null: the workflow passes it on by JSONPath, which fails on a missing field.
        @JsonInclude(JsonInclude.Include.ALWAYS) String imageName,
        List<SnapshotInfo> snapshots,
        List<String> customerManagedKeyArns,
        Principals principals,
        List<String> copyingAccountIds,
        List<CopyDestination> copies,
        boolean encrypted,
        AccessBaseline baseline,
        String executionId) {

    public PreparedShare {
        snapshots = List.copyOf(snapshots);
        customerManagedKeyArns = List.copyOf(customerManagedKeyArns);
        copyingAccountIds = List.copyOf(copyingAccountIds);
        copies = List.copyOf(copies);
        baseline = baseline == null ? AccessBaseline.NONE : baseline;
    }
}
