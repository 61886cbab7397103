package dev.amishare.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

/** Every IAM statement of both stacks names its actions: no "*", no "service:*". */
class PolicyTest {

    @Test
    void policies_shouldNameEveryAction_whenScanningBothStacks() {
        for (Template template : List.of(Synth.OWNER_TEMPLATE, Synth.CONSUMER_TEMPLATE)) {
            // GIVEN every statement / WHEN its actions are read
            List<Map<String, Object>> statements = Synth.statements(template);
            assertThat(statements).isNotEmpty();
            // THEN none is a wildcard
            statements.forEach(s -> assertThat(Synth.actions(s))
                    .as("actions of %s", s)
                    .noneMatch(a -> a.equals("*") || a.endsWith(":*")));
        }
    }

    @Test
    void policies_shouldHaveNoNotActionOrDeny_whenScanningBothStacks() {
        for (Template template : List.of(Synth.OWNER_TEMPLATE, Synth.CONSUMER_TEMPLATE)) {
            Synth.statements(template).forEach(s -> assertThat(s).doesNotContainKey("NotAction"));
        }
    }
}
