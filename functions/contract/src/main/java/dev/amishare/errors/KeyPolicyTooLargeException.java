package dev.amishare.errors;

/**
 * Thrown when adding the targets to a KMS key policy would exceed the 32 KB key-policy limit, which
 * AWS does not raise. Raised before the policy is written, so the key is unchanged.
 */
public final class KeyPolicyTooLargeException extends TerminalException {

    public KeyPolicyTooLargeException(String keyArn, int bytes, int limit) {
        super("The key policy of " + keyArn + " would be " + bytes + " bytes, over the KMS limit of " + limit
                + " bytes; share with an organization or OU (organizationArns, organizationalUnitArns) instead of"
                + " listing that many accounts");
    }
}
