package dev.amishare.errors;

/**
 * Thrown when another execution holds the lease on a key's policy: it is editing the policy right now, and
 * a second writer would overwrite its change (KMS PutKeyPolicy replaces the whole policy and takes no
 * version to compare). Nothing was changed; the state machine retries with backoff and full jitter until
 * the holder releases the lease, or it expires ({@code Names.LEDGER_LEASE_SECONDS}) after a holder that
 * stopped without releasing it.
 */
public final class KeyPolicyLeaseHeldException extends TransientException {

    private final String keyArn;

    /**
     * @param keyArn the key
     * @param holder who holds the lease (its execution), or null when the ledger did not say
     * @param expiresAt when the holder's lease expires, epoch seconds, or 0 when not known
     */
    public KeyPolicyLeaseHeldException(String keyArn, String holder, long expiresAt, Throwable cause) {
        super("The key policy of " + keyArn + " is being edited by "
                + (holder == null ? "another execution" : "execution " + holder)
                + (expiresAt > 0 ? " (its lease expires at " + java.time.Instant.ofEpochSecond(expiresAt) + ")" : "")
                + "; nothing was changed, try again", cause);
        this.keyArn = keyArn;
    }

    public String keyArn() {
        return keyArn;
    }
}
