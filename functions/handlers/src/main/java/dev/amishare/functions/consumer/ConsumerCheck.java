package dev.amishare.functions.consumer;

import dev.amishare.errors.TransientException;
import dev.amishare.functions.common.AwsErrors;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * One check made with the consumer role.
 *
 * @param name what was checked, e.g. {@code iam allows kms:Decrypt on arn:aws:kms:…}
 * @param passed whether it passed
 * @param reason why it failed (AWS error code or IAM decision), or what passed
 */
public record ConsumerCheck(String name, boolean passed, String reason) {

    @Override
    public String toString() {
        return name + ": " + (passed ? "ok" : "FAILED, " + reason);
    }

    /**
     * A call the check made as the consumer role that AWS refused: a failed check with the error code and
     * message. A transient failure (throttling, AWS 5xx) says nothing about the target and is thrown, so
     * that the workflow retries the whole check.
     */
    public static ConsumerCheck failed(String name, AwsServiceException e, String action) {
        RuntimeException mapped = AwsErrors.common(action, e);
        if (mapped instanceof TransientException transientFailure) {
            throw transientFailure;
        }
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        return new ConsumerCheck(name, false, AwsErrors.code(e) + ": " + message);
    }
}
