package dev.amishare.functions.ledger;

import dev.amishare.functions.model.Principals;
import java.util.List;

/**
 * One share as the ledger keeps it ({@code pk = SHARES, sk = <shareId>}): what was asked, by whom, and where
 * it stands. A share is one workflow execution, named after it; Prepare writes it, the report and the
 * revoke stage move its state on.
 *
 * @param shareId the execution's name
 * @param imageId the owner's AMI
 * @param region the region of the AMI and of the owner stack
 * @param principals whom the request named (accounts, organizations, OUs)
 * @param keyArns the AMI's customer-managed keys
 * @param snapshotIds the AMI's snapshots
 * @param state where the share stands
 * @param requestedBy who asked, as the entry point knows it (an IAM ARN, a rule, an event); may be null
 * @param createdAt when Prepare recorded it, ISO-8601
 * @param updatedAt when the state last changed, ISO-8601
 * @param executionArn the execution that carries it out
 * @param summary the report's summary once written (JSON), else null
 */
public record ShareRecord(String shareId, String imageId, String region, Principals principals, List<String> keyArns,
        List<String> snapshotIds, State state, String requestedBy, String createdAt, String updatedAt,
        String executionArn, String summary) {

    /** Where a share stands. */
    public enum State {
        /** Prepared; grants may be under way. */
        RUNNING,
        /** The report was written and the share is within its failure tolerance. */
        SHARED,
        /** The share ended with failed targets or a failed grant; what it granted may remain for the ready targets. */
        FAILED,
        /** A failed grant was rolled back: this share holds nothing. */
        ROLLED_BACK,
        /** An unshare is taking its grants back. */
        UNSHARING,
        /** Unshared: this share holds nothing. */
        UNSHARED
    }

    public ShareRecord {
        principals = principals == null ? Principals.NONE : principals;
        keyArns = keyArns == null ? List.of() : List.copyOf(keyArns);
        snapshotIds = snapshotIds == null ? List.of() : List.copyOf(snapshotIds);
    }
}
