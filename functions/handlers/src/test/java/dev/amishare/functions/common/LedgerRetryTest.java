package dev.amishare.functions.common;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

class LedgerRetryTest {

    @Test
    void strategy_shouldNotRetry_whenALeaseConditionFails() {
        // GIVEN the strategy every client, the ledger's DynamoDB client included, is built with
        RetryStrategy strategy = AwsClients.overrides().retryStrategy().orElseThrow();
        RetryToken first = strategy.acquireInitialToken(AcquireInitialTokenRequest.create("dynamodb")).token();
        ConditionalCheckFailedException held = ConditionalCheckFailedException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ConditionalCheckFailedException")
                        .errorMessage("The conditional request failed").build())
                .build();

        // WHEN / THEN a held lease goes to the state machine's backoff at once, not to a quick SDK retry
        assertThatThrownBy(() -> strategy.refreshRetryToken(RefreshRetryTokenRequest.builder().token(first)
                .failure(held).build())).isInstanceOf(TokenAcquisitionFailedException.class);
    }
}
