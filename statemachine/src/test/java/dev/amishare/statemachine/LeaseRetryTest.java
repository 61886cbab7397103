package dev.amishare.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.contract.Names;
import dev.amishare.errors.KeyPolicyLeaseHeldException;
import dev.amishare.errors.KeyPolicyOverwrittenException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The retries of the key-policy lease: every task that edits key policies waits out a held lease. */
class LeaseRetryTest {

    private static void collect(JsonNode machine, Map<String, JsonNode> into) {
        machine.get("States").fields().forEachRemaining(e -> {
            into.put(e.getKey(), e.getValue());
            if (e.getValue().has("ItemProcessor")) {
                collect(e.getValue().get("ItemProcessor"), into);
            }
        });
    }

    private static List<JsonNode> retriers(JsonNode task, String error) {
        List<JsonNode> found = new ArrayList<>();
        task.path("Retry").forEach(r -> r.get("ErrorEquals").forEach(e -> {
            if (e.asText().equals(error)) {
                found.add(r);
            }
        }));
        return found;
    }

    /** The longest total wait of a retrier: the sum of its capped delays (full jitter draws below each cap). */
    private static double longestWait(JsonNode retry) {
        double total = 0;
        double delay = retry.get("IntervalSeconds").asDouble();
        for (int i = 0; i < retry.get("MaxAttempts").asInt(); i++) {
            total += Math.min(delay, retry.get("MaxDelaySeconds").asDouble());
            delay *= retry.get("BackoffRate").asDouble();
        }
        return total;
    }

    @Test
    void keyPolicyTasks_shouldRetryAHeldLeasePastItsExpiry_whenSynthesized() {
        // GIVEN the tasks that edit key policies: the grant and both revokes of the rollback
        Map<String, JsonNode> states = new LinkedHashMap<>();
        collect(Synth.definition(Synth.template()), states);
        List<String> editors = List.of("Patch key policies", "Revoke grants", "Revoke failed targets");

        // WHEN their retriers for a held lease are read
        // THEN each has exactly one, alone in it, with full jitter, soon at first and adding up past the lease
        assertThat(states.keySet()).containsAll(editors);
        for (String name : editors) {
            List<JsonNode> lease = retriers(states.get(name), KeyPolicyLeaseHeldException.class.getName());
            assertThat(lease).as(name).hasSize(1);
            JsonNode retry = lease.get(0);
            assertThat(retry.get("ErrorEquals")).as(name).hasSize(1);
            assertThat(retry.get("JitterStrategy").asText()).as(name).isEqualTo("FULL");
            assertThat(retry.get("IntervalSeconds").asInt()).as(name).isLessThanOrEqualTo(2);
            assertThat(longestWait(retry)).as(name).isGreaterThan(Names.LEDGER_LEASE_SECONDS);
            assertThat(retriers(states.get(name), KeyPolicyOverwrittenException.class.getName())).as(name).hasSize(1);
        }
    }
}
