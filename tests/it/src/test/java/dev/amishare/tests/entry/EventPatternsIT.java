package dev.amishare.tests.entry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.DeployedSystem;
import dev.amishare.tests.LocalStackExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * Each rule's pattern, as the stacks deploy it (events/patterns, asserted against the synthesized
 * template by the infra tests), against its documented sample event and a near-miss, evaluated by
 * EventBridge's own TestEventPattern.
 */
@ExtendWith(LocalStackExtension.class)
class EventPatternsIT {

    private static final Path EVENTS = DeployedSystem.repositoryRoot().resolve("events");

    private final EventBridgeClient events;

    EventPatternsIT(Aws aws) {
        events = aws.events(Accounts.OWNER);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "share-tag-changed.json, tag-change-image-targets.json, true",
            "share-tag-changed.json, tag-change-instance-near-miss.json, false",
            "share-tag-changed.json, tag-change-image-other-key-near-miss.json, false",
            "control-tower-account-created.json, controltower-create-managed-account.json, true",
            "control-tower-account-created.json, controltower-create-managed-account-failed-near-miss.json, false",
            "control-tower-account-created.json, organizations-create-account-result.json, false",
            "organizations-account-created.json, organizations-create-account-result.json, true",
            "organizations-account-created.json, organizations-create-account-result-failed-near-miss.json, false",
            "organizations-account-created.json, controltower-create-managed-account.json, false",
            "ami-state-change.json, ec2-ami-state-change-available.json, true",
            "ami-state-change.json, ec2-instance-state-change-near-miss.json, false",
    })
    void testEventPattern_shouldMatchOnlyTheSample_whenGivenTheSampleOrANearMiss(String pattern, String event,
            boolean expected) throws IOException {
        // GIVEN the deployed pattern and a sample event exactly as AWS sends it
        String patternJson = Files.readString(EVENTS.resolve("patterns").resolve(pattern));
        String eventJson = Files.readString(EVENTS.resolve("entry").resolve(event));

        // WHEN EventBridge evaluates it
        boolean matched = events.testEventPattern(r -> r.eventPattern(patternJson).event(eventJson)).result();

        // THEN
        assertThat(matched).isEqualTo(expected);
    }
}
