package dev.amishare.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code statemachine/share-workflow.asl.json}, the synthesized definition a reviewer reads without
 * running CDK, in step with the construct: the build rewrites the file whenever the construct changes it,
 * and fails that build, so a stale file can never pass CI unnoticed; committing the rewritten file makes
 * the next build green.
 */
class AslFileTest {

    /** The module directory: Surefire runs tests there. */
    private static final Path ASL = Path.of("share-workflow.asl.json");

    @Test
    void aslFile_shouldMatchTheSynthesizedDefinition_whenCheckedIn() throws IOException {
        // GIVEN the definition synthesized with placeholder function ARNs
        String synthesized = Synth.pretty(Synth.definition(Synth.template()));

        // WHEN the checked-in file is read, and rewritten if it differs
        String checkedIn = Files.exists(ASL) ? Files.readString(ASL, StandardCharsets.UTF_8) : "";
        if (!checkedIn.equals(synthesized)) {
            Files.writeString(ASL, synthesized, StandardCharsets.UTF_8);
        }

        // THEN it was already up to date
        assertThat(checkedIn)
                .as("statemachine/share-workflow.asl.json was stale and has been regenerated: review it and commit it")
                .isEqualTo(synthesized);
    }
}
