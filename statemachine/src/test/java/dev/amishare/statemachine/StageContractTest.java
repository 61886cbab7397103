package dev.amishare.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amishare.contract.Stage;
import java.lang.reflect.ParameterizedType;
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
 * each task's payload to its handler's input record: no field it does not know, none it needs left out.
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

    /** Every workflow stage with its handler's input record, read off the handler's StageHandler type. */
    static java.util.stream.Stream<Arguments> stages() {
        return Arrays.stream(Stage.values()).filter(Stage::inWorkflow)
                .map(stage -> Arguments.of(stage.stateName(), inputRecord(stage)));
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Record> inputRecord(Stage stage) {
        try {
            ParameterizedType base = (ParameterizedType) Class.forName(stage.handlerClass()).getGenericSuperclass();
            return (Class<? extends Record>) base.getActualTypeArguments()[0];
        } catch (ClassNotFoundException e) {
            throw new AssertionError(stage + ": no handler class " + stage.handlerClass(), e);
        }
    }

    /**
     * Inline forms a handler also takes when invoked on its own, each the alternative of a field the workflow
     * sends: the principals or accounts of a small request instead of {@code targets} in S3, a baseline
     * instead of its S3 location. The workflow always sends the S3 form, so its payloads stay bounded.
     */
    private static final Map<String, String> INLINE_ALTERNATIVES = Map.of(
            "principals", "targets", "accountIds", "targets", "keep", "keepAt");

    /**
     * Fields a workflow state may leave out, by state, each with why: the handler's default is what the
     * workflow means there.
     */
    private static final Map<String, Set<String>> LEFT_OUT = Map.of(
            // A grant belongs to the execution's own share (KeyPolicyInput.share()).
            Stage.KEY_POLICY.stateName(), Set.of("shareId"),
            // Only the unshare path ("Unshare") sends an unshare and who asked for it.
            Stage.REVOKE.stateName(), Set.of("unshare", "requestedBy"));

    /** The names Jackson reads the record by: its components, or their {@code @JsonProperty} names. */
    private static Set<String> jsonProperties(Class<? extends Record> input) {
        ObjectMapper mapper = new ObjectMapper();
        Set<String> names = new TreeSet<>();
        mapper.getDeserializationConfig().introspect(mapper.constructType(input)).findProperties()
                .forEach(p -> names.add(p.getName()));
        return names;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stages")
    void payload_shouldNameOnlyTheInputRecordsFieldsAndEveryRequiredOne_whenSynthesized(String state,
            Class<? extends Record> input) {
        // GIVEN the task's payload (the Lambda:Invoke integration wraps it in Parameters.Payload)
        JsonNode parameters = STATES.get(state).get("Parameters");
        JsonNode payload = parameters.has("Payload") ? parameters.get("Payload") : parameters;

        // WHEN
        Set<String> sent = new TreeSet<>();
        payload.fieldNames().forEachRemaining(f -> sent.add(f.endsWith(".$") ? f.substring(0, f.length() - 2) : f));
        Set<String> expected = jsonProperties(input);
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(sent);
        missing.removeAll(LEFT_OUT.getOrDefault(state, Set.of()));

        // THEN nothing the handler would refuse as unknown, and only inline forms left out, for their S3 form
        assertThat(expected).as(state).containsAll(sent);
        assertThat(missing).as(state).allSatisfy(field -> {
            assertThat(INLINE_ALTERNATIVES).containsKey(field);
            assertThat(sent).contains(INLINE_ALTERNATIVES.get(field));
        });
    }

    @org.junit.jupiter.api.Test
    void payload_shouldUseTheMapsBatchFieldNames_whenTheReadinessCheckIsInvokedPerBatch() {
        // GIVEN the readiness check, which a Distributed Map with an ItemBatcher invokes
        // invoked by its ARN, so the parameters are the payload
        JsonNode payload = STATES.get(Stage.CHECK_TARGETS.stateName()).get("Parameters");

        // WHEN / THEN it passes the batch as Step Functions names it, and the record reads those names
        assertThat(payload.get("BatchInput.$").asText()).isEqualTo("$.BatchInput");
        assertThat(payload.get("Items.$").asText()).isEqualTo("$.Items");
        assertThat(jsonProperties(dev.amishare.functions.readiness.CheckTargetsInput.class))
                .containsExactlyInAnyOrder("BatchInput", "Items");
    }

    @org.junit.jupiter.api.Test
    void targetRole_shouldNameExactlyTheTargetRoleRecordsFields_whenTheTargetMapBuildsIt() {
        // GIVEN the target Map's item selector, which builds the role every per-target stage acts as
        JsonNode role = STATES.get("For each target").get("ItemSelector").get("targetRole");

        // WHEN
        Set<String> built = new TreeSet<>();
        role.fieldNames().forEachRemaining(f -> built.add(f.endsWith(".$") ? f.substring(0, f.length() - 2) : f));

        // THEN
        assertThat(built).isEqualTo(new TreeSet<>(Arrays.stream(
                dev.amishare.functions.model.TargetRole.class.getRecordComponents()).map(RecordComponent::getName)
                .toList()));
    }

    @org.junit.jupiter.api.Test
    void unsharePayload_shouldNameOnlyRevokeInputFields_whenSynthesized() {
        // GIVEN the unshare path's task, on the revoke function
        // invoked by its ARN, so the parameters are the payload
        JsonNode payload = STATES.get("Unshare").get("Parameters");

        // WHEN
        Set<String> sent = new TreeSet<>();
        payload.fieldNames().forEachRemaining(f -> sent.add(f.endsWith(".$") ? f.substring(0, f.length() - 2) : f));

        // THEN the revoke reads every one of them, and the share comes from the ledger alone
        assertThat(jsonProperties(dev.amishare.functions.revoke.RevokeInput.class)).containsAll(sent);
        assertThat(sent).containsExactlyInAnyOrder("unshare", "requestedBy", "executionId");
    }
}
