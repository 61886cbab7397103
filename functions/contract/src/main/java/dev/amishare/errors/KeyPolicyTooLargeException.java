package dev.amishare.errors;

/**
 * Thrown when adding the targets to a KMS key policy would take it past the 32,768-byte key-policy
 * limit, which AWS does not raise (KMS DeveloperGuide "resource-limits"). Raised before the policy is
 * written, so the key is unchanged. A retry cannot fix it: the request has to name an organization or OU
 * instead of that many accounts.
 */
public final class KeyPolicyTooLargeException extends TerminalException {

    /**
     * @param keyArn the key whose policy would be too large
     * @param bytes the size the policy would have
     * @param limit the KMS limit
     * @param accounts how many accounts amishare's statement in that policy would name
     */
    public KeyPolicyTooLargeException(String keyArn, int bytes, int limit, int accounts) {
        super("The key policy of " + keyArn + " would be " + bytes + " bytes, over the KMS limit of " + limit
                + " bytes, which cannot be raised; it would name " + accounts + " accounts. Share with the"
                + " organization or OU ARN instead (organizationArns, organizationalUnitArns): it costs one"
                + " condition value in the key policy, however many accounts it holds");
    }
}
