package dev.amishare.functions.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What happened to one target account, one entry of the share report.
 *
 * @param accountId the target account
 * @param status {@link Status}
 * @param reasons why it is not ready or failed (every failed readiness check; the error of the stage that
 *     failed); empty otherwise
 * @param copies the copies made for it (region, image id, state); empty for launch-only targets
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record TargetOutcome(String accountId, Status status, List<String> reasons, List<Copy> copies) {

    public TargetOutcome {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        copies = copies == null ? List.of() : List.copyOf(copies);
    }

    /** Where a target ended up, in the order a share goes through. */
    public enum Status {
        /** A readiness check failed: nothing was granted to it. */
        NOT_READY,
        /** Granted, but its validation did not finish (the share was stopped, or its result is missing). */
        GRANTED,
        /** Granted and validated as its consumer role; a launch-only target ends here. */
        VALIDATED,
        /** Validated and every copy it asked for is available in its account. */
        COPIED,
        /** Granted, then its validation or a copy failed. */
        FAILED;

        public boolean failed() {
            return this == NOT_READY || this == FAILED || this == GRANTED;
        }
    }

    /**
     * @param region the copy's region
     * @param imageId the new AMI in the target account
     * @param state its state: available, or dryRun
     */
    public record Copy(String region, String imageId, String state) {
    }
}
