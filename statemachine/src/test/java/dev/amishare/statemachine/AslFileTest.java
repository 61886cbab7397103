package dev.amishare.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code statemachine/share-workflow.asl.json}, the synthesized definition a reviewer reads without
 * running CDK, in step with the construct. Regenerate it with
 * {@code ./mvnw -B -pl statemachine -am test -Dtest=AslFileTest -Dsurefire.failIfNoSpecifiedTests=false -Damishare.asl.write=true}.
 */
class AslFileTest {

    /** The module directory: Surefire runs tests there. */
    private static final Path ASL = Path.of("share-workflow.asl.json");

    @Test
    void aslFile_shouldMatchTheSynthesizedDefinition_whenCheckedIn() throws IOException {
        // GIVEN the definition synthesized with placeholder function ARNs
        String synthesized = Synth.pretty(Synth.definition(Synth.template()));
        if (Boolean.getBoolean("amishare.asl.write")) {
            Files.writeString(ASL, synthesized, StandardCharsets.UTF_8);
        }

        // WHEN
        String checkedIn = Files.exists(ASL) ? Files.readString(ASL, StandardCharsets.UTF_8) : "";

        // THEN
        assertThat(checkedIn)
                .as("statemachine/share-workflow.asl.json is stale; regenerate it with: ./mvnw -B -pl statemachine -am "
                        + "test -Dtest=AslFileTest -Dsurefire.failIfNoSpecifiedTests=false -Damishare.asl.write=true")
                .isEqualTo(synthesized);
    }
}
