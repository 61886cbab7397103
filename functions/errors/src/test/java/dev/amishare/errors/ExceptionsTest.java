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
}
