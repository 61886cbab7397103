package dev.amishare.errors;

/**
 * Thrown when KMS rejects the merged key policy ({@code MalformedPolicyDocumentException}), typically
 * because a target account does not exist. The key policy is unchanged.
 */
public final class KeyPolicyRejectedException extends TerminalException {

    public KeyPolicyRejectedException(String keyArn, Throwable cause) {
        super("KMS rejected the key policy for " + keyArn + ": " + cause.getMessage()
                + "; check that every target account exists", cause);
    }
}
