package dev.amishare.functions.keypolicy;

import dev.amishare.errors.KeyPolicyOverwrittenException;
import dev.amishare.errors.KeyPolicyRejectedException;
import dev.amishare.errors.KeyPolicyTooLargeException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.ledger.Grant;
import dev.amishare.functions.ledger.GrantScope;
import dev.amishare.functions.ledger.KeyLease;
import dev.amishare.functions.ledger.ShareLedger;
import dev.amishare.functions.model.Principals;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Lets the targets use the owner's customer-managed keys, by editing amishare's statements in each key
 * policy (see {@link KeyPolicyDocument}). A policy already in the wanted state is not written, so a
 * second run makes no PutKeyPolicy call and leaves the policy byte for byte as it was.
 *
 * <h2>Concurrent executions</h2>
 * Many shares run at once over the same keys, and PutKeyPolicy replaces the whole policy: two executions
 * that both read, edit and write one policy lose each other's principals, without an error. So every edit
 * of a key's policy happens under that key's lease in the share ledger ({@link ShareLedger}): take the
 * lease (or fail with the retryable {@code KeyPolicyLeaseHeldException}), read, edit, write, read back,
 * release. Only one amishare writer edits a policy at a time; a policy read back without amishare's change
 * was written by somebody outside amishare, and the edit is applied once more on what that writer left
 * before failing with {@link KeyPolicyOverwrittenException}.
 *
 * <h2>Revoking one share of several</h2>
 * A principal appears once in a policy however many shares (of one AMI, or of several AMIs under the key)
 * gave it the key. Each grant is therefore recorded in the ledger per key, principal and share
 * ({@link dev.amishare.functions.ledger.Grant}), before the policy is written, and a revoke removes a
 * principal from the policy only when the ledger holds no grant of the key to it outside the revoke's scope
 * ({@link GrantScope}: its share, else its image, else everything); it then deletes the grant items in its
 * scope. Grants made before the ledger existed are not recorded, nor are grants of a direct invocation
 * without an execution, so they do not keep a principal in the policy.
 */
public record KeyPolicyService(KmsClient kms, PerimeterGuard perimeter, ShareStore store, ShareLedger ledger) {

    private static final Logger LOG = LogManager.getLogger(KeyPolicyService.class);
    // Keys have exactly one policy, and KMS names it "default".
    private static final String POLICY_NAME = "default";

    public KeyPolicyResult grant(KeyPolicyInput input) {
        return run(input, true);
    }

    public KeyPolicyResult revoke(KeyPolicyInput input) {
        return run(input, false);
    }

    private KeyPolicyResult run(KeyPolicyInput input, boolean grant) {
        input.validate();
        Principals principals = input.principals().plus(store.principals(input.targets(), false));
        // Checked again here: this function changes key policies, whoever invokes it.
        perimeter.check(principals);
        List<KeyPolicyChange> changes = new ArrayList<>();
        String requestedBy = grant && !input.dryRun() && !input.keyArns().isEmpty() ? ledger.requester(input.share())
                : null;
        for (String keyArn : input.keyArns()) {
            // One read and at most one write per key, whatever the number of principals; one lease at a time,
            // so two executions editing the same keys in different orders cannot wait on each other.
            changes.add(input.dryRun() ? dryRun(keyArn, principals, grant, input)
                    : underLease(keyArn, principals, grant, input, requestedBy));
        }
        return new KeyPolicyResult(changes, input.dryRun());
    }

    /** What would change, from the policy and the ledger as they are: no lease, no write. */
    private KeyPolicyChange dryRun(String keyArn, Principals principals, boolean grant, KeyPolicyInput input) {
        Principals editing = grant ? principals
                : principals.without(ShareLedger.removal(ledger.grants(keyArn), principals.all(), scope(input)).kept());
        return apply(keyArn, editing, grant, true);
    }

    private static GrantScope scope(KeyPolicyInput input) {
        return new GrantScope(input.shareId(), input.imageId());
    }

    private KeyPolicyChange underLease(String keyArn, Principals principals, boolean grant, KeyPolicyInput input,
            String requestedBy) {
        KeyLease lease = ledger.acquire(keyArn, input.executionId());
        try {
            if (grant) {
                if (input.share() != null) {
                    // Before the policy: a revoke of another share that reads the ledger after this grant's
                    // write must find this grant.
                    ledger.record(ledger.grantsOf(Grant.Kind.KEY, keyArn, principals.all(), input.imageId(),
                            input.share(), input.executionId(), requestedBy));
                }
                return apply(keyArn, principals, true, false);
            }
            ShareLedger.Removal removal = ShareLedger.removal(ledger.grants(keyArn), principals.all(), scope(input));
            if (!removal.kept().isEmpty()) {
                LOG.info("key policy of {} keeps {} principals: the ledger holds another share's grant to them",
                        keyArn, removal.kept().size());
            }
            KeyPolicyChange change = apply(keyArn, principals.without(removal.kept()), false, false);
            // After the policy: a revoke that failed before its write leaves the grants for its retry to see.
            ledger.forget(removal.ending());
            return change;
        } finally {
            ledger.release(lease);
        }
    }

    /**
     * Read, edit, write, read back; once more when the read-back lacks the change (only a writer outside
     * amishare can have replaced the policy in between: amishare's writers hold the lease).
     */
    private KeyPolicyChange apply(String keyArn, Principals principals, boolean grant, boolean dryRun) {
        KeyPolicyDocument.Outcome first = null;
        for (int attempt = 1; ; attempt++) {
            KeyPolicyDocument policy = KeyPolicyDocument.parse(read(keyArn), keyArn);
            KeyPolicyDocument.Outcome outcome = grant ? policy.grant(principals) : policy.revoke(principals);
            // The counts are those of the first read: what this call found and changed.
            first = first == null ? outcome : first;
            boolean written = attempt > 1;
            int bytes = policy.sizeBytes();
            if (!policy.changed()) {
                if (!written) {
                    LOG.info("key policy of {} already {} all {} principals: no write", keyArn,
                            grant ? "grants" : "excludes", outcome.unchanged.size());
                }
                return change(keyArn, grant, written, first, bytes);
            }
            if (bytes > KeyPolicyDocument.MAX_BYTES) {
                throw new KeyPolicyTooLargeException(keyArn, bytes, KeyPolicyDocument.MAX_BYTES,
                        policy.accountCount());
            }
            if (dryRun) {
                LOG.info("would {} {} principals in key policy of {} ({} bytes)", grant ? "grant" : "revoke",
                        outcome.changed.size(), keyArn, bytes);
                return change(keyArn, grant, true, first, bytes);
            }
            write(keyArn, policy.json());
            int missing = missing(keyArn, principals, grant);
            if (missing == 0) {
                LOG.info("{} {} principals in key policy of {} ({} bytes){}", grant ? "granted" : "revoked",
                        first.changed.size(), keyArn, bytes, written ? ", on the second write" : "");
                return change(keyArn, grant, true, first, bytes);
            }
            if (written) {
                throw new KeyPolicyOverwrittenException(keyArn, missing, grant);
            }
            LOG.warn("key policy of {} read back without {} of the principals just {}: another writer replaced "
                    + "it; applying the change once more", keyArn, missing, grant ? "granted" : "revoked");
        }
    }

    private static KeyPolicyChange change(String keyArn, boolean grant, boolean changed,
            KeyPolicyDocument.Outcome outcome, int bytes) {
        int c = outcome.changed.size();
        int u = outcome.unchanged.size();
        return grant
                ? new KeyPolicyChange(keyArn, changed, c, u, 0, 0, bytes, true)
                : new KeyPolicyChange(keyArn, changed, 0, 0, c, u, bytes, true);
    }

    /**
     * How many principals the policy read back lacks (grant) or still holds (revoke): a policy another writer
     * replaced in the meantime would lose our principals without any error, and the consumers then fail at
     * launch.
     */
    private int missing(String keyArn, Principals principals, boolean grant) {
        KeyPolicyDocument.Outcome held = KeyPolicyDocument.parse(read(keyArn), keyArn).held(principals);
        return grant ? held.changed.size() : held.unchanged.size();
    }

    private String read(String keyArn) {
        try {
            return kms.getKeyPolicy(r -> r.keyId(keyArn).policyName(POLICY_NAME)).policy();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("kms:GetKeyPolicy", e);
        }
    }

    private void write(String keyArn, String policy) {
        try {
            kms.putKeyPolicy(r -> r.keyId(keyArn).policyName(POLICY_NAME).policy(policy));
        } catch (AwsServiceException e) {
            if ("MalformedPolicyDocumentException".equals(AwsErrors.code(e))) {
                throw new KeyPolicyRejectedException(keyArn, e);
            }
            throw AwsErrors.common("kms:PutKeyPolicy", e);
        }
    }
}
