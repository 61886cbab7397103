package dev.amishare.errors;

/**
 * Thrown when a key policy read back right after amishare wrote it still lacks amishare's change after one
 * more read, edit and write: somebody outside amishare (a hand edit, an infrastructure-as-code deployment)
 * wrote the policy in between, since amishare's own writers take turns under the key's lease. It is
 * retried like other transient failures, because KMS key policies are eventually consistent (a read can
 * briefly return the policy before a write, KMS DeveloperGuide "programming-eventual-consistency") and the
 * edit is idempotent; a policy that keeps being replaced fails the execution with this error once the
 * retries are used up, and the other writer has to keep amishare's statements.
 */
public final class KeyPolicyOverwrittenException extends TransientException {

    private final String keyArn;

    /**
     * @param keyArn the key
     * @param missing how many principals the policy read back lacked (grant) or still held (revoke)
     * @param grant whether amishare was granting or revoking
     */
    public KeyPolicyOverwrittenException(String keyArn, int missing, boolean grant) {
        super("The key policy of " + keyArn + " was replaced while amishare " + (grant ? "granted" : "revoked")
                + " access: read back twice after writing, it " + (grant ? "lacked " : "still held ") + missing
                + " principal(s); another writer outside amishare is editing it", null);
        this.keyArn = keyArn;
    }

    public String keyArn() {
        return keyArn;
    }
}
