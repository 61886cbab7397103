package dev.amishare.functions.report;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.MapRunResults;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import dev.amishare.functions.readiness.Readiness;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import dev.amishare.functions.ledger.ShareLedger;
import dev.amishare.functions.ledger.ShareRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Builds the share report from what each phase left in S3: the targets that were not ready, and the
 * per-target Map's results (a succeeded child is validated, or copied when it made copies; a failed one
 * carries its error and cause). A ready target without any result did not finish and counts as failed.
 * Writes {@code report.json} with one outcome per target and returns the bounded summary.
 */
public record ShareReportService(ShareStore store, ShareLedger ledger) {

    private static final Logger LOG = LogManager.getLogger(ShareReportService.class);

    /** How many failed targets the summary names; the report names them all. */
    public static final int MAX_FAILED_LISTED = 20;

    private static final TypeReference<List<Readiness>> READINESS = new TypeReference<>() {
    };

    public ShareSummary report(ShareReportInput input) {
        List<ShareRequest.Target> targets = store.targets(input.targets());
        Map<String, TargetOutcome> outcomes = new LinkedHashMap<>();
        if (input.notReady() != null) {
            for (Readiness r : store.get(input.notReady(), READINESS)) {
                outcomes.put(r.accountId(), new TargetOutcome(r.accountId(), TargetOutcome.Status.NOT_READY,
                        r.reasons(), List.of()));
            }
        }
        for (MapRunResults.Child child : MapRunResults.read(store, input.results())) {
            TargetOutcome outcome = outcome(child);
            if (outcome != null) {
                outcomes.put(outcome.accountId(), outcome);
            }
        }
        List<TargetOutcome> ordered = new ArrayList<>();
        for (ShareRequest.Target t : targets) {
            ordered.add(outcomes.getOrDefault(t.accountId(), new TargetOutcome(t.accountId(),
                    TargetOutcome.Status.GRANTED, List.of("granted, but its validation did not finish"), List.of())));
        }

        Map<TargetOutcome.Status, Integer> n = new EnumMap<>(TargetOutcome.Status.class);
        ordered.forEach(o -> n.merge(o.status(), 1, Integer::sum));
        ShareSummary.Counts counts = new ShareSummary.Counts(ordered.size(),
                n.getOrDefault(TargetOutcome.Status.NOT_READY, 0), n.getOrDefault(TargetOutcome.Status.GRANTED, 0),
                n.getOrDefault(TargetOutcome.Status.VALIDATED, 0), n.getOrDefault(TargetOutcome.Status.COPIED, 0),
                n.getOrDefault(TargetOutcome.Status.FAILED, 0));
        List<TargetOutcome> failed = ordered.stream().filter(o -> o.status().failed()).toList();
        boolean within = failed.size() * 100L <= (long) input.toleratedFailurePercentage() * ordered.size();

        ShareReport report = new ShareReport(input.imageId(), input.executionId(), input.dryRun(),
                input.targets().organizationArns(), input.targets().organizationalUnitArns(), counts, ordered);
        S3Location reportAt = store.put(input.executionId(), "report.json", report);
        // What a rollback may take back: the failed targets that were granted (not-ready ones got nothing).
        List<ShareRequest.Target> granted = failed.stream().filter(o -> o.status() != TargetOutcome.Status.NOT_READY)
                .map(o -> new ShareRequest.Target(o.accountId(), null)).toList();
        TargetSet rollback = granted.isEmpty() ? TargetSet.NONE
                : new TargetSet(store.put(input.executionId(), "rollback.json", granted), granted.size(), null, null);

        List<ShareSummary.FailedTarget> listed = failed.stream().limit(MAX_FAILED_LISTED)
                .map(o -> new ShareSummary.FailedTarget(o.accountId(), o.status(),
                        o.reasons().isEmpty() ? "" : o.reasons().get(0)))
                .toList();
        String message = message(counts, failed, input.toleratedFailurePercentage(), within, reportAt);
        for (TargetOutcome o : ordered) {
            LOG.info("target {}: {}{}", o.accountId(), o.status(),
                    o.reasons().isEmpty() ? "" : " (" + o.reasons().get(0) + ")");
        }
        LOG.info(message);
        if (!input.dryRun()) {
            // The share's record follows the report: SHARED within tolerance, else FAILED (its failed targets
            // may then be rolled back, the others keep what they were granted).
            ledger.moveShare(input.executionId(), EnumSet.of(ShareRecord.State.RUNNING),
                    within ? ShareRecord.State.SHARED : ShareRecord.State.FAILED, Json.write(counts));
        }
        return new ShareSummary(input.imageId(), input.executionId(), input.dryRun(), counts, listed,
                failed.size() - listed.size(), input.toleratedFailurePercentage(), within, message, reportAt,
                reportAt.uri(), rollback);
    }

    /** A child's outcome: from its output when it succeeded, from its input and error when it failed. */
    static TargetOutcome outcome(MapRunResults.Child child) {
        if (child.succeeded()) {
            JsonNode out = Json.read(child.output(), JsonNode.class);
            List<TargetOutcome.Copy> copies = new ArrayList<>();
            for (JsonNode c : out.path("copies")) {
                copies.add(new TargetOutcome.Copy(c.path("region").asText(null), c.path("imageId").asText(null),
                        c.path("state").asText(null)));
            }
            return new TargetOutcome(out.path("accountId").asText(), copies.isEmpty()
                    ? TargetOutcome.Status.VALIDATED : TargetOutcome.Status.COPIED, List.of(), copies);
        }
        JsonNode in = child.input() == null ? null : Json.read(child.input(), JsonNode.class);
        String account = in == null ? null : in.path("target").path("accountId").asText(null);
        if (account == null) {
            return null;
        }
        String reason = "FAILED".equals(child.status()) || child.error() != null
                ? shortName(child.error()) + ": " + causeMessage(child.cause())
                : "child execution " + child.status();
        return new TargetOutcome(account, TargetOutcome.Status.FAILED, List.of(reason), List.of());
    }

    /** The error's simple name: the Lambda runtime reports an exception by its class's full name. */
    static String shortName(String error) {
        if (error == null) {
            return "error";
        }
        int dot = error.lastIndexOf('.');
        return error.startsWith("dev.amishare.") && dot >= 0 ? error.substring(dot + 1) : error;
    }

    /** A Lambda error's cause is JSON with an errorMessage; other causes are kept as they are. */
    static String causeMessage(String cause) {
        if (cause == null) {
            return "";
        }
        if (cause.startsWith("{")) {
            try {
                JsonNode node = Json.read(cause, JsonNode.class);
                if (node.hasNonNull("errorMessage")) {
                    return node.get("errorMessage").asText();
                }
            } catch (RuntimeException e) {
                return cause;
            }
        }
        return cause;
    }

    /** A reason short enough for a one-line message; the report keeps it whole. */
    static String abbreviate(String reason) {
        return reason.length() <= 160 ? reason : reason.substring(0, 157) + "...";
    }

    private static String message(ShareSummary.Counts c, List<TargetOutcome> failed, int tolerance, boolean within,
            S3Location reportAt) {
        StringBuilder m = new StringBuilder();
        m.append(c.targets() - failed.size()).append(" of ").append(c.targets()).append(" targets succeeded (")
                .append(c.copied()).append(" copied, ").append(c.validated()).append(" validated); ")
                .append(failed.size()).append(" failed (").append(c.notReady()).append(" not ready), tolerated ")
                .append(tolerance).append("%");
        if (!within) {
            m.append(": ");
            m.append(String.join(", ", failed.stream().limit(MAX_FAILED_LISTED)
                    .map(o -> o.accountId() + " " + o.status().name().toLowerCase().replace('_', ' ')
                            + (o.reasons().isEmpty() ? "" : " (" + abbreviate(o.reasons().get(0)) + ")")).toList()));
            if (failed.size() > MAX_FAILED_LISTED) {
                m.append(" and ").append(failed.size() - MAX_FAILED_LISTED).append(" more");
            }
        }
        m.append("; report ").append(reportAt.uri());
        return m.toString();
    }
}
