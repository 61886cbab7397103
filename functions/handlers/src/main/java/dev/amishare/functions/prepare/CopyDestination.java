package dev.amishare.functions.prepare;

/**
 * One copy to make: the request's {@code targets[].copy[]} flattened, so the workflow can run the copy
 * stage with a single Map.
 *
 * @param accountId the target account
 * @param region destination region
 * @param kmsKeyId the target's key in that region
 */
public record CopyDestination(String accountId, String region, String kmsKeyId) {
}
