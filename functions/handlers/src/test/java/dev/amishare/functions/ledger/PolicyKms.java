package dev.amishare.functions.ledger;

import dev.amishare.functions.testing.Stubs;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GetKeyPolicyRequest;
import software.amazon.awssdk.services.kms.model.GetKeyPolicyResponse;
import software.amazon.awssdk.services.kms.model.PutKeyPolicyRequest;
import software.amazon.awssdk.services.kms.model.PutKeyPolicyResponse;

/**
 * A KMS that holds one policy per key, as KMS does: PutKeyPolicy replaces it whole, with no version to
 * compare, which is what makes concurrent read-edit-write lose changes. Thread-safe, each call atomic.
 */
final class PolicyKms implements KmsClient {

    private final Map<String, String> policies = new HashMap<>();
    private int puts;

    synchronized PolicyKms with(String keyArn, String policy) {
        policies.put(keyArn, policy);
        return this;
    }

    synchronized String policy(String keyArn) {
        return policies.get(keyArn);
    }

    synchronized int puts() {
        return puts;
    }

    @Override
    public GetKeyPolicyResponse getKeyPolicy(GetKeyPolicyRequest request) {
        String policy;
        synchronized (this) {
            policy = policies.get(request.keyId());
        }
        if (policy == null || !"default".equals(request.policyName())) {
            throw Stubs.error("NotFoundException");
        }
        // Lets another writer in between a read and the write that follows it, as on a busy key.
        Thread.yield();
        return GetKeyPolicyResponse.builder().policy(policy).policyName("default").build();
    }

    @Override
    public synchronized PutKeyPolicyResponse putKeyPolicy(PutKeyPolicyRequest request) {
        puts++;
        policies.put(request.keyId(), request.policy());
        return PutKeyPolicyResponse.builder().build();
    }

    @Override
    public String serviceName() {
        return "kms";
    }

    @Override
    public void close() {
    }
}
