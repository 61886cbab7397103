package dev.amishare.functions.consumer;

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
}
