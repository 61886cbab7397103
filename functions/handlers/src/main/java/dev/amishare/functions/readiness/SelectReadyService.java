package dev.amishare.functions.readiness;

import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.MapRunResults;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Splits the share's targets into ready and not ready from the "Check targets" Map's results. A batch
 * whose check failed after its retries makes each of its targets not ready with that error, and a target
 * the results do not mention at all is not ready too: nothing is granted to a target that was not checked.
 * Writes {@code ready.json} (the targets, with their copies, for the grants and the per-target Map) and
 * {@code not-ready.json}; returns counts and where they are.
 */
public record SelectReadyService(ShareStore store) {

    private static final Logger LOG = LogManager.getLogger(SelectReadyService.class);

    public ReadyTargets select(SelectReadyInput input) {
        List<ShareRequest.Target> targets = store.targets(input.targets());
        Map<String, Readiness> byAccount = new LinkedHashMap<>();
        for (MapRunResults.Child child : MapRunResults.read(store, input.checks())) {
            if (child.succeeded()) {
                for (Readiness r : Json.read(child.output(), CheckTargetsResult.class).targets()) {
                    byAccount.put(r.accountId(), r);
                }
            } else {
                CheckTargetsInput batch = Json.read(child.input(), CheckTargetsInput.class);
                String reason = "readiness check failed: " + child.error() + ": " + child.cause();
                for (ShareRequest.Target t : batch.items()) {
                    byAccount.putIfAbsent(t.accountId(), new Readiness(t.accountId(), false, List.of(reason)));
                }
            }
        }
        List<ShareRequest.Target> ready = new ArrayList<>();
        List<Readiness> notReady = new ArrayList<>();
        for (ShareRequest.Target t : targets) {
            Readiness r = byAccount.get(t.accountId());
            if (r == null) {
                notReady.add(new Readiness(t.accountId(), false, List.of("no readiness result for this target")));
            } else if (r.ready()) {
                ready.add(t);
            } else {
                notReady.add(r);
            }
        }
        for (Readiness r : notReady) {
            LOG.info("target {} not ready, gets nothing: {}", r.accountId(), String.join("; ", r.reasons()));
        }
        S3Location readyAt = ready.isEmpty() ? null : store.put(input.executionId(), "ready.json", ready);
        S3Location notReadyAt = store.put(input.executionId(), "not-ready.json", notReady);
        int copying = (int) ready.stream().filter(t -> !t.copy().isEmpty()).count();
        LOG.info("{} of {} targets ready ({} copying), {} not ready", ready.size(), targets.size(), copying,
                notReady.size());
        TargetSet readySet = new TargetSet(readyAt, ready.size(), input.targets().organizationArns(),
                input.targets().organizationalUnitArns());
        return new ReadyTargets(readySet, ready.size(), copying, notReady.size(), notReadyAt, !readySet.isEmpty());
    }
}
