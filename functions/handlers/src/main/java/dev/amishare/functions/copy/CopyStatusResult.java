package dev.amishare.functions.copy;

/**
 * A copy's state, for the workflow's wait loop.
 *
 * @param accountId the target account that owns the copy
 * @param region its region
 * @param imageId the copy
 * @param state {@code pending}, {@code available}, {@code failed}, … as EC2 reports it
 * @param stateReason EC2's reason when the copy failed, else null
 */
public record CopyStatusResult(String accountId, String region, String imageId, String state, String stateReason) {
}
