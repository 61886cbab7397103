package dev.amishare.functions.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DescribeKeyRequest;
import software.amazon.awssdk.services.kms.model.DescribeKeyResponse;
import software.amazon.awssdk.services.kms.model.GetKeyPolicyRequest;
import software.amazon.awssdk.services.kms.model.GetKeyPolicyResponse;
import software.amazon.awssdk.services.kms.model.KeyManagerType;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.PutKeyPolicyRequest;
import software.amazon.awssdk.services.kms.model.PutKeyPolicyResponse;

/** A stub of the KMS interface for unit tests: keeps keys and their policies in memory and records writes. */
public final class RecordingKms implements KmsClient {

    /** Key policies by key ARN. */
    public final Map<String, String> policies = new HashMap<>();
    /** Key metadata by every id a caller may use: key id, key ARN, alias name. */
    public final Map<String, KeyMetadata> keys = new HashMap<>();
    public final List<PutKeyPolicyRequest> puts = new ArrayList<>();
    public final List<String> describedKeys = new ArrayList<>();
    /** The policy a registered key starts with: the owner account may administer it. */
    public static final String DEFAULT_POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Admin\","
            + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},"
            + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
    public int reads;
    public String failWithCode;
    public String putFailsWithCode;

    /** Registers a key under its ARN, its id and any aliases. */
    public RecordingKms key(String arn, KeyManagerType manager, String... aliases) {
        KeyMetadata metadata = KeyMetadata.builder().arn(arn).keyId(arn.substring(arn.indexOf("key/") + 4))
                .keyManager(manager).keyState(KeyState.ENABLED).enabled(true).build();
        keys.put(arn, metadata);
        keys.put(metadata.keyId(), metadata);
        // Every KMS key has a policy; a test that cares sets its own.
        policies.putIfAbsent(arn, DEFAULT_POLICY);
        for (String alias : aliases) {
            keys.put(alias, metadata);
        }
        return this;
    }

    @Override
    public GetKeyPolicyResponse getKeyPolicy(GetKeyPolicyRequest request) {
        reads++;
        if (failWithCode != null) {
            throw Stubs.error(failWithCode);
        }
        String policy = policies.get(request.keyId());
        if (policy == null || !"default".equals(request.policyName())) {
            throw Stubs.error("NotFoundException");
        }
        return GetKeyPolicyResponse.builder().policy(policy).policyName(request.policyName()).build();
    }

    @Override
    public PutKeyPolicyResponse putKeyPolicy(PutKeyPolicyRequest request) {
        if (putFailsWithCode != null) {
            throw Stubs.error(putFailsWithCode);
        }
        puts.add(request);
        policies.put(request.keyId(), request.policy());
        return PutKeyPolicyResponse.builder().build();
    }

    @Override
    public DescribeKeyResponse describeKey(DescribeKeyRequest request) {
        describedKeys.add(request.keyId());
        if (failWithCode != null) {
            throw Stubs.error(failWithCode);
        }
        KeyMetadata metadata = keys.get(request.keyId());
        if (metadata == null) {
            throw Stubs.error("NotFoundException");
        }
        return DescribeKeyResponse.builder().keyMetadata(metadata).build();
    }

    @Override
    public String serviceName() {
        return "kms";
    }

    @Override
    public void close() {
    }
}
