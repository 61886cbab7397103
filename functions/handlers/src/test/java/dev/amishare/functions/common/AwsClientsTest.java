package dev.amishare.functions.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;
import software.amazon.awssdk.services.ec2.Ec2Client;

class AwsClientsTest {

    private static AwsServiceException error(String code, int status) {
        return AwsServiceException.builder()
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("stubbed " + code).build())
                .statusCode(status)
                .build();
    }

    private static RetryStrategy strategy() {
        return AwsClients.overrides().retryStrategy().orElseThrow();
    }

    /** Asks the strategy whether it would retry {@code failure} after the attempt {@code token} made. */
    private static RetryToken retry(RetryStrategy strategy, RetryToken token, Throwable failure) {
        return strategy.refreshRetryToken(RefreshRetryTokenRequest.builder().token(token).failure(failure).build())
                .token();
    }

    @Test
    void clients_shouldUseTheStandardStrategyWithTwoAttempts_whenBuilt() {
        // GIVEN a client built as every amishare client is
        try (Ec2Client ec2 = AwsClients.configure(Ec2Client.builder().httpClient(AwsClients.http()))
                .region(Region.US_EAST_1).credentialsProvider(AnonymousCredentialsProvider.create()).build()) {

            // WHEN
            RetryStrategy strategy = ec2.serviceClientConfiguration().overrideConfiguration().retryStrategy()
                    .orElseThrow();

            // THEN
            assertThat(strategy).isInstanceOf(StandardRetryStrategy.class);
            assertThat(strategy.maxAttempts()).isEqualTo(2);
        }
    }

    @Test
    void strategy_shouldRetryThrottlingOnceOnly_whenEveryAttemptIsThrottled() {
        // GIVEN
        RetryStrategy strategy = strategy();
        RetryToken first = strategy.acquireInitialToken(AcquireInitialTokenRequest.create("ec2")).token();
        AwsServiceException throttled = error("RequestLimitExceeded", 503);

        // WHEN the first attempt is throttled, the SDK tries again
        RetryToken second = retry(strategy, first, throttled);

        // THEN but not a third time: the state machine's backoff takes over
        assertThatThrownBy(() -> retry(strategy, second, throttled))
                .isInstanceOf(TokenAcquisitionFailedException.class);
    }

    @Test
    void strategy_shouldNotRetry_whenKmsSaysAQuotaIsExceeded() {
        // GIVEN
        RetryStrategy strategy = strategy();
        RetryToken first = strategy.acquireInitialToken(AcquireInitialTokenRequest.create("kms")).token();

        // WHEN / THEN a quota does not refill within the SDK's backoff either
        assertThatThrownBy(() -> retry(strategy, first, error("LimitExceededException", 400)))
                .isInstanceOf(TokenAcquisitionFailedException.class);
    }
}
