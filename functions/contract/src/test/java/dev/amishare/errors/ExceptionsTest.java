package dev.amishare.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExceptionsTest {

    @Test
    void invalidShareRequest_shouldListEveryProblem_whenSeveralAreGiven() {
        // GIVEN two problems
        List<String> problems = List.of("imageId: bad", "targets[0].accountId: bad");

        // WHEN
        InvalidShareRequestException e = new InvalidShareRequestException(problems);

        // THEN
        assertThat(e.getMessage()).isEqualTo("Invalid share request (2 problems): imageId: bad; targets[0].accountId: bad");
        assertThat(e.problems()).containsExactlyElementsOf(problems);
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    void invalidShareRequest_shouldRefuse_whenThereIsNoProblem() {
        assertThatThrownBy(() -> new InvalidShareRequestException(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void throttled_shouldBeRetryable_whenRaised() {
        assertThat(new AwsThrottledException("slow down", new RuntimeException()).isRetryable()).isTrue();
        assertThat(new ImageNotFoundException("ami-12345678", "us-east-1", null).isRetryable()).isFalse();
    }

    @Test
    void transientFailures_shouldBeRetryable_whenRaised() {
        // GIVEN every failure mode that clears by itself
        List<AmishareException> transientFailures = List.of(
                new AwsThrottledException("slow down", new RuntimeException()),
                new AwsUnavailableException("kms:DescribeKey", new RuntimeException("KMSInternalException")),
                new AwsNotYetVisibleException("ec2:DescribeImages", "copy ami-12345678", null));

        // THEN
        assertThat(transientFailures).allSatisfy(e -> {
            assertThat(e).isInstanceOf(TransientException.class);
            assertThat(e.isRetryable()).isTrue();
        });
        assertThat(transientFailures.get(1)).hasMessageContaining("kms:DescribeKey")
                .hasMessageContaining("KMSInternal");
        assertThat(transientFailures.get(2)).hasMessageContaining("copy ami-12345678")
                .hasMessageContaining("ec2:DescribeImages");
    }

    @Test
    void quotaExceeded_shouldBeTerminalAndNameTheQuota_whenRaised() {
        // WHEN
        AwsQuotaExceededException e = new AwsQuotaExceededException("ssm:PutParameter",
                "SSM parameters per account and region", new RuntimeException("ParameterLimitExceeded"));

        // THEN
        assertThat(e).isInstanceOf(TerminalException.class);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.quota()).isEqualTo("SSM parameters per account and region");
        assertThat(e.getMessage()).contains("ssm:PutParameter", "SSM parameters per account and region",
                "ParameterLimitExceeded");
    }

    @Test
    void consumerValidationFailed_shouldListEveryFailedCheck_whenSeveralFailed() {
        // GIVEN
        List<String> failed = List.of("image visible: FAILED, not listed", "iam allows ec2:CopyImage: FAILED, implicitDeny");

        // WHEN
        ConsumerValidationFailedException e = new ConsumerValidationFailedException("222222222222", failed);

        // THEN the message carries every check, so the state machine's Cause does too
        assertThat(e.getMessage()).isEqualTo("Target account 222222222222 failed 2 consumer checks: "
                + "image visible: FAILED, not listed; iam allows ec2:CopyImage: FAILED, implicitDeny");
        assertThat(e.failedChecks()).containsExactlyElementsOf(failed);
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    void consumerValidationFailed_shouldRefuse_whenNoCheckFailed() {
        assertThatThrownBy(() -> new ConsumerValidationFailedException("222222222222", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void awsManagedKey_shouldSuggestACustomerManagedKey_whenRaised() {
        // WHEN
        AwsManagedKeyException e = new AwsManagedKeyException("ami-12345678", "snap-12345678",
                "arn:aws:kms:us-east-1:111111111111:key/k");

        // THEN
        assertThat(e.getMessage()).contains("snap-12345678", "aws/ebs", "AWS refuses to share",
                "Re-create the AMI under a customer-managed key");
    }

    @Test
    void keyPolicyTooLarge_shouldStateSizeLimitAccountsAndSuggestOrganizationSharing_whenRaised() {
        // WHEN
        KeyPolicyTooLargeException e = new KeyPolicyTooLargeException("arn:k", 32769, 32768, 2159);

        // THEN the figures, the way out, and a type a retry cannot help
        assertThat(e.getMessage()).contains("arn:k", "32769 bytes", "limit of 32768 bytes", "2159 accounts",
                "organization or OU ARN", "one condition value");
        assertThat(e).isInstanceOf(TerminalException.class);
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    void stageFailures_shouldBeTerminal_whenRaised() {
        // GIVEN every failure mode a retry cannot fix
        List<AmishareException> terminal = List.of(
                new ImageNotOwnedException("ami-12345678", "999999999999", "111111111111"),
                new ImageNotAvailableException("ami-12345678", "pending"),
                new KeyPolicyRejectedException("arn:k", new RuntimeException("bad")),
                new ConsumerRoleNotAssumableException("arn:r", new RuntimeException("denied")),
                new CopyImageRejectedException("ami-12345678", "222222222222", "eu-west-1", new RuntimeException("no")));

        // THEN
        assertThat(terminal).allSatisfy(e -> {
            assertThat(e).isInstanceOf(TerminalException.class);
            assertThat(e.isRetryable()).isFalse();
        });
    }
}
