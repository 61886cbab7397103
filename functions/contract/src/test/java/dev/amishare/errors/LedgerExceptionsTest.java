package dev.amishare.errors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LedgerExceptionsTest {

    private static final String KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    @Test
    void leaseHeld_shouldBeRetryableAndNameTheHolder_whenRaised() {
        // WHEN
        KeyPolicyLeaseHeldException e = new KeyPolicyLeaseHeldException(KEY, "exec-a", 1_796_205_675L, null);

        // THEN
        assertThat(e).isInstanceOf(TransientException.class);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.keyArn()).isEqualTo(KEY);
        assertThat(e.getMessage()).contains(KEY, "execution exec-a", "2026-12-02T10:01:15Z", "nothing was changed");
        assertThat(new KeyPolicyLeaseHeldException(KEY, null, 0, null).getMessage())
                .contains("another execution").doesNotContain("expires");
    }

    @Test
    void overwritten_shouldBeRetryableAndSayWhatWasMissing_whenRaised() {
        // WHEN
        KeyPolicyOverwrittenException grant = new KeyPolicyOverwrittenException(KEY, 3, true);
        KeyPolicyOverwrittenException revoke = new KeyPolicyOverwrittenException(KEY, 1, false);

        // THEN
        assertThat(grant.isRetryable()).isTrue();
        assertThat(grant.keyArn()).isEqualTo(KEY);
        assertThat(grant.getMessage()).contains(KEY, "granted", "lacked 3");
        assertThat(revoke.getMessage()).contains("revoked", "still held 1");
    }
}
