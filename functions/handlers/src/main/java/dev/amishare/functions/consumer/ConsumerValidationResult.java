package dev.amishare.functions.consumer;

import java.util.List;

/**
 * Every check made in one target account; returned only when all passed (otherwise the stage raises
 * {@code ConsumerValidationFailedException} naming the failed ones).
 *
 * @param accountId the target account
 * @param roleArn the consumer role that was assumed
 * @param checks every check, in the order made
 */
public record ConsumerValidationResult(String accountId, String roleArn, List<ConsumerCheck> checks) {

    public ConsumerValidationResult {
        checks = List.copyOf(checks);
    }
}
