package dev.amishare.functions.keypolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.OutsidePerimeterException;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.FakeDynamoDb;
import dev.amishare.functions.testing.Perimeters;

import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.errors.KeyPolicyOverwrittenException;
import dev.amishare.errors.KeyPolicyRejectedException;
import dev.amishare.errors.KeyPolicyTooLargeException;
import dev.amishare.functions.testing.RecordingKms;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GetKeyPolicyRequest;
import software.amazon.awssdk.services.kms.model.GetKeyPolicyResponse;
import software.amazon.awssdk.services.kms.model.PutKeyPolicyRequest;
import software.amazon.awssdk.services.kms.model.PutKeyPolicyResponse;

class KeyPolicyServiceTest {

    private static final String KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private static final String KEY_2 = "arn:aws:kms:us-east-1:111111111111:key/9999abcd-12ab-34cd-56ef-1234567890ab";
    private static final String ORG = "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5";

    private final RecordingKms kms = new RecordingKms();
    private final FakeS3 s3 = new FakeS3();
    private final KeyPolicyService service = new KeyPolicyService(kms, Perimeters.testGuard(), s3.store(), FakeDynamoDb.ledger());

    private static KeyPolicyInput input(List<String> keys, List<String> accounts, boolean dryRun) {
        return new KeyPolicyInput(keys, Principals.ofAccounts(accounts), null, dryRun, "exec-1");
    }

    @Test
    void grant_shouldWriteThePolicyOnce_whenRunTwice() {
        // GIVEN the default policy
        kms.policies.put(KEY, KeyPolicyDocumentTest.DEFAULT_POLICY);

        // WHEN the same grant runs twice
        KeyPolicyResult first = service.grant(input(List.of(KEY), List.of("222222222222"), false));
        String afterFirst = kms.policies.get(KEY);
        KeyPolicyResult second = service.grant(input(List.of(KEY), List.of("222222222222"), false));

        // THEN one PutKeyPolicy call, named "default"; the second run leaves the policy byte for byte
        assertThat(kms.puts).hasSize(1);
        assertThat(kms.puts.get(0).policyName()).isEqualTo("default");
        assertThat(kms.puts.get(0).bypassPolicyLockoutSafetyCheck()).isNull();
        assertThat(first.keys().get(0).policyChanged()).isTrue();
        assertThat(first.keys().get(0).added()).isEqualTo(1);
        assertThat(first.keys().get(0).verified()).isTrue();
        assertThat(second.keys().get(0).policyChanged()).isFalse();
        assertThat(second.keys().get(0).added()).isZero();
        assertThat(second.keys().get(0).alreadyPresent()).isEqualTo(1);
        assertThat(kms.policies.get(KEY)).isSameAs(afterFirst);
    }

    @Test
    void grant_shouldEditEveryKey_whenTheAmiHasSeveral() {
        // GIVEN two keys, the second already granting 222
        kms.policies.put(KEY, KeyPolicyDocumentTest.DEFAULT_POLICY);
        service.grant(input(List.of(KEY), List.of("222222222222"), false));
        kms.policies.put(KEY_2, kms.policies.get(KEY));
        kms.policies.put(KEY, KeyPolicyDocumentTest.DEFAULT_POLICY);
        kms.puts.clear();

        // WHEN
        KeyPolicyResult result = service.grant(input(List.of(KEY, KEY_2), List.of("222222222222"), false));

        // THEN only the key that needs it is written
        assertThat(result.keys()).extracting(KeyPolicyChange::keyArn).containsExactly(KEY, KEY_2);
        assertThat(result.keys()).extracting(KeyPolicyChange::policyChanged).containsExactly(true, false);
        assertThat(kms.puts).extracting(r -> r.keyId()).containsExactly(KEY);
    }

    @Test
    void grant_shouldChangeNothing_whenDryRun() {
        // GIVEN
        kms.policies.put(KEY, KeyPolicyDocumentTest.DEFAULT_POLICY);

        // WHEN
        KeyPolicyResult result = service.grant(
                new KeyPolicyInput(List.of(KEY), new Principals(List.of("222222222222"), List.of(ORG), null), null, true,
                        null));

        // THEN the change is reported and not made
        assertThat(result.dryRun()).isTrue();
        assertThat(result.keys().get(0).policyChanged()).isTrue();
        assertThat(result.keys().get(0).added()).isEqualTo(2);
        assertThat(kms.puts).isEmpty();
        assertThat(kms.policies.get(KEY)).isSameAs(KeyPolicyDocumentTest.DEFAULT_POLICY);
    }

    @Test
    void grant_shouldWrite_whenThePolicyIsExactly32768Bytes() {
        // GIVEN a policy padded so that granting 222 makes it exactly 32768 bytes
        kms.policies.put(KEY, padded(0));

        // WHEN
        KeyPolicyResult result = service.grant(input(List.of(KEY), List.of("222222222222"), false));

        // THEN
        assertThat(result.keys().get(0).policyBytes()).isEqualTo(32768);
        assertThat(kms.puts).hasSize(1);
    }

    @Test
    void grant_shouldRaiseTooLargeBeforeWriting_whenThePolicyWouldBe32769Bytes() {
        // GIVEN one byte more
        kms.policies.put(KEY, padded(1));

        // WHEN / THEN
        assertThatThrownBy(() -> service.grant(input(List.of(KEY), List.of("222222222222"), false)))
                .isInstanceOf(KeyPolicyTooLargeException.class)
                .hasMessageContaining("32769 bytes")
                .hasMessageContaining("organization");
        assertThat(kms.puts).isEmpty();
    }

    @Test
    void revoke_shouldRestoreThePolicy_whenItRevokesWhatGrantAdded() {
        // GIVEN
        kms.policies.put(KEY, KeyPolicyDocumentTest.BUSY_POLICY);
        service.grant(input(List.of(KEY), List.of("222222222222", "333333333333"), false));

        // WHEN
        KeyPolicyResult result = service.revoke(input(List.of(KEY), List.of("222222222222", "333333333333"), false));
        KeyPolicyResult again = service.revoke(input(List.of(KEY), List.of("222222222222", "333333333333"), false));

        // THEN the statements are gone; revoking again is a no-op
        assertThat(result.keys().get(0).removed()).isEqualTo(2);
        assertThat(result.keys().get(0).verified()).isTrue();
        assertThat(kms.policies.get(KEY)).doesNotContain("Amishare");
        assertThat(again.keys().get(0).policyChanged()).isFalse();
        assertThat(again.keys().get(0).removed()).isZero();
        assertThat(again.keys().get(0).absent()).isEqualTo(2);
        assertThat(kms.puts).hasSize(2);
    }

    @Test
    void grant_shouldRaiseRejected_whenKmsRefusesThePolicy() {
        // GIVEN KMS refuses the policy, as it does for an account that does not exist
        kms.policies.put(KEY, KeyPolicyDocumentTest.DEFAULT_POLICY);
        kms.putFailsWithCode = "MalformedPolicyDocumentException";

        // WHEN / THEN
        assertThatThrownBy(() -> service.grant(input(List.of(KEY), List.of("222222222222"), false)))
                .isInstanceOf(KeyPolicyRejectedException.class)
                .hasMessageContaining(KEY);
    }

    @Test
    void grant_shouldRaiseRetryableError_whenKmsThrottles() {
        kms.failWithCode = "ThrottlingException";
        assertThatThrownBy(() -> service.grant(input(List.of(KEY), List.of("222222222222"), false)))
                .isInstanceOf(AwsThrottledException.class);
    }

    @Test
    void grant_shouldFailBeforeAnyKmsCall_whenInputIsMalformed() {
        // GIVEN a key alias where an ARN is required and a short account
        KeyPolicyInput in = input(List.of("alias/golden"), List.of("2222"), false);

        // WHEN / THEN
        assertThatThrownBy(() -> service.grant(in))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems()).hasSize(2));
        assertThat(kms.reads).isZero();
    }

    @Test
    void grant_shouldCallNothing_whenTheAmiIsNotEncrypted() {
        // WHEN there is no key
        KeyPolicyResult result = service.grant(input(List.of(), List.of("222222222222"), false));

        // THEN
        assertThat(result.keys()).isEmpty();
        assertThat(kms.reads).isZero();
    }

    /** A policy that is {@code extra} bytes from the limit once 222 is granted. */
    private static String padded(int extra) {
        String template = KeyPolicyDocumentTest.DEFAULT_POLICY.replace("\"key-default-1\"", "\"%s\"");
        KeyPolicyDocument probe = KeyPolicyDocument.parse(template.formatted(""), KEY);
        probe.grant(Principals.ofAccounts(List.of("222222222222")));
        return template.formatted("x".repeat(KeyPolicyDocument.MAX_BYTES - probe.sizeBytes() + extra));
    }

    @Test
    void grant_shouldRefuseAndLeaveTheKeyAlone_whenInvokedDirectlyWithAnAccountOutsideThePerimeter() {
        // GIVEN the key-policy function invoked directly, naming an outside account
        kms.policies.put(KEY, KeyPolicyDocumentTest.DEFAULT_POLICY);

        // WHEN / THEN it is refused before the policy is even read
        assertThatThrownBy(() -> service.grant(input(List.of(KEY), List.of("222222222222", "999999999999"), false)))
                .isInstanceOfSatisfying(OutsidePerimeterException.class,
                        e -> assertThat(e.refused()).singleElement().asString().startsWith("999999999999 ("));
        assertThat(kms.reads).isZero();
        assertThat(kms.puts).isEmpty();
        assertThat(kms.policies.get(KEY)).isEqualTo(KeyPolicyDocumentTest.DEFAULT_POLICY);
    }

    @Test
    void grant_shouldGrantTheAccountsInS3_whenTheTargetsAreAnS3List() {
        // GIVEN the ready targets in S3, as the workflow passes them
        kms.policies.put(KEY, KeyPolicyDocumentTest.DEFAULT_POLICY);
        S3Location at = s3.seed("shares/exec-1/ready.json", List.of(new ShareRequest.Target("222222222222", null),
                new ShareRequest.Target("333333333333", null)));
        KeyPolicyInput in = new KeyPolicyInput(List.of(KEY), null, new TargetSet(at, 2, List.of(ORG), null), false,
                "exec-1");

        // WHEN
        KeyPolicyResult result = service.grant(in);

        // THEN one write names both accounts (as kms:CallerAccount values) and the organization
        assertThat(result.keys().get(0).added()).isEqualTo(3);
        assertThat(kms.puts).hasSize(1);
        assertThat(kms.policies.get(KEY)).contains("222222222222", "333333333333", "o-a1b2c3d4e5")
                .contains("kms:CallerAccount");
    }

    @Test
    void grant_shouldReapplyOnceThenFail_whenThePolicyReadBackLacksThePrincipals() {
        // GIVEN a KMS whose write is overwritten by another writer before amishare reads it back
        kms.policies.put(KEY, KeyPolicyDocumentTest.DEFAULT_POLICY);
        KmsClient racing = new KmsClient() {
            @Override
            public GetKeyPolicyResponse getKeyPolicy(GetKeyPolicyRequest request) {
                return kms.getKeyPolicy(request);
            }

            @Override
            public PutKeyPolicyResponse putKeyPolicy(PutKeyPolicyRequest request) {
                kms.putKeyPolicy(request);
                kms.policies.put(KEY, KeyPolicyDocumentTest.DEFAULT_POLICY);
                return PutKeyPolicyResponse.builder().build();
            }

            @Override
            public String serviceName() {
                return "kms";
            }

            @Override
            public void close() {
            }
        };

        // WHEN / THEN the change is written twice, then the stage fails naming the overwrite
        assertThatThrownBy(() -> new KeyPolicyService(racing, Perimeters.testGuard(), s3.store(), FakeDynamoDb.ledger())
                .grant(input(List.of(KEY), List.of("222222222222"), false)))
                .isInstanceOf(KeyPolicyOverwrittenException.class);
        assertThat(kms.puts).hasSize(2);
    }
}
