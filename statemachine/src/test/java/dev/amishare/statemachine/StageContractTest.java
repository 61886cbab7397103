package dev.amishare.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.functions.consumer.ConsumerValidationInput;
import dev.amishare.functions.copy.AwaitCopyInput;
import dev.amishare.functions.copy.CopyImageInput;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.launch.GrantLaunchPermissionInput;
import dev.amishare.functions.prepare.PrepareInput;
import dev.amishare.functions.revoke.RevokeInput;
import dev.amishare.functions.snapshots.SnapshotPermissionInput;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The handlers refuse unknown input fields and the mocked workflow IT never calls them, so this test holds
 * each task's payload to its handler's input record: the same field names, no more, no fewer.
 */
class StageContractTest {

    private static final Map<String, JsonNode> STATES = new LinkedHashMap<>();

    static {
        collect(Synth.definition(Synth.template()));
    }

    private static void collect(JsonNode machine) {
        machine.get("States").fields().forEachRemaining(e -> {
            STATES.put(e.getKey(), e.getValue());
            if (e.getValue().has("ItemProcessor")) {
                collect(e.getValue().get("ItemProcessor"));
            }
        });
    }

    static java.util.stream.Stream<Arguments> stages() {
        return java.util.stream.Stream.of(
                Arguments.of("Prepare share", PrepareInput.class),
                Arguments.of("Grant launch permission", GrantLaunchPermissionInput.class),
                Arguments.of("Patch key policies", KeyPolicyInput.class),
                Arguments.of("Share snapshots", SnapshotPermissionInput.class),
                Arguments.of("Validate consumer", ConsumerValidationInput.class),
                Arguments.of("Copy image", CopyImageInput.class),
                Arguments.of("Await copy", AwaitCopyInput.class),
                Arguments.of("Revoke grants", RevokeInput.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stages")
    void payload_shouldNameExactlyTheInputRecordsFields_whenSynthesized(String state, Class<? extends Record> input) {
        // GIVEN the task's payload (the Lambda:Invoke integration wraps it in Parameters.Payload)
        JsonNode parameters = STATES.get(state).get("Parameters");
        JsonNode payload = parameters.has("Payload") ? parameters.get("Payload") : parameters;

        // WHEN
        Set<String> sent = new TreeSet<>();
        payload.fieldNames().forEachRemaining(f -> sent.add(f.endsWith(".$") ? f.substring(0, f.length() - 2) : f));
        Set<String> expected = new TreeSet<>(Arrays.stream(input.getRecordComponents())
                .map(RecordComponent::getName).toList());

        // THEN
        assertThat(sent).as(state).isEqualTo(expected);
    }
}
