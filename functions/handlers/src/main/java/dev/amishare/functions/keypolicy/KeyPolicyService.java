package dev.amishare.functions.keypolicy;

import dev.amishare.errors.KeyPolicyRejectedException;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.errors.KeyPolicyTooLargeException;
import dev.amishare.functions.common.AwsErrors;
import java.util.ArrayList;
import dev.amishare.functions.model.Principals;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Lets the targets use the owner's customer-managed keys, by editing amishare's statements in each key
 * policy (see {@link KeyPolicyDocument}). A policy already in the wanted state is not written, so a
 * second run makes no PutKeyPolicy call and leaves the policy byte for byte as it was.
 */
public record KeyPolicyService(KmsClient kms, PerimeterGuard perimeter, ShareStore store) {

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
        for (String keyArn : input.keyArns()) {
            // One read and at most one write per key, whatever the number of principals.
            changes.add(edit(keyArn, principals, grant, input.dryRun()));
        }
        return new KeyPolicyResult(changes, input.dryRun());
    }

    private KeyPolicyChange edit(String keyArn, Principals principals, boolean grant, boolean dryRun) {
        KeyPolicyDocument policy = KeyPolicyDocument.parse(read(keyArn), keyArn);
        KeyPolicyDocument.Outcome outcome = grant ? policy.grant(principals) : policy.revoke(principals);
        int bytes = policy.sizeBytes();
        boolean verified = true;
        if (!policy.changed()) {
            LOG.info("key policy of {} already {} all {} principals: no write", keyArn,
                    grant ? "grants" : "excludes", outcome.unchanged.size());
        } else {
            if (bytes > KeyPolicyDocument.MAX_BYTES) {
                throw new KeyPolicyTooLargeException(keyArn, bytes, KeyPolicyDocument.MAX_BYTES,
                        policy.accountCount());
            }
            if (!dryRun) {
                write(keyArn, policy.json());
                verified = verify(keyArn, principals, grant);
            }
            LOG.info("{} {} principals in key policy of {} ({} bytes){}", (dryRun ? "would " : "")
                    + (grant ? "grant" : "revoke"), outcome.changed.size(), keyArn, bytes,
                    verified ? "" : "; NOT found as written on reading back");
        }
        int changed = outcome.changed.size();
        int unchanged = outcome.unchanged.size();
        return grant
                ? new KeyPolicyChange(keyArn, policy.changed(), changed, unchanged, 0, 0, bytes, verified)
                : new KeyPolicyChange(keyArn, policy.changed(), 0, 0, changed, unchanged, bytes, verified);
    }

    /**
     * Reads the policy back: a policy another writer replaced in the meantime would lose our principals
     * without any error, and the consumers then fail at launch.
     */
    private boolean verify(String keyArn, Principals principals, boolean grant) {
        KeyPolicyDocument.Outcome held = KeyPolicyDocument.parse(read(keyArn), keyArn).held(principals);
        return grant ? held.changed.isEmpty() : held.unchanged.isEmpty();
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
