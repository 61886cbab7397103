package dev.amishare.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/** cdk-nag AwsSolutions runs on every synth (AmishareApp.build); here nothing may be left unsuppressed. */
class NagTest {

    private static List<String> findings(Stack stack, boolean errors) {
        Annotations annotations = Annotations.fromStack(stack);
        List<SynthesisMessage> messages = errors
                ? annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))
                : annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));
        return messages.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
    }

    @Test
    void awsSolutions_shouldReportNoUnsuppressedError_whenBothStacksSynthesize() {
        // GIVEN the app as cdk.json runs it / WHEN synthesized / THEN
        assertThat(Stream.concat(findings(Synth.OWNER, true).stream(), findings(Synth.CONSUMER, true).stream()))
                .isEmpty();
    }

    @Test
    void awsSolutions_shouldReportNoUnsuppressedWarning_whenBothStacksSynthesize() {
        assertThat(Stream.concat(findings(Synth.OWNER, false).stream(), findings(Synth.CONSUMER, false).stream()))
                .isEmpty();
    }
}
