package dev.amishare.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.services.events.EventPattern;

/**
 * The EventBridge patterns of every amishare rule, kept as files in {@code events/patterns/} so that the
 * stacks deploy exactly what the integration tests check with EventBridge's TestEventPattern.
 */
public final class EventPatterns {

    public static final String SHARE_TAG_CHANGED = "share-tag-changed.json";
    public static final String CONTROL_TOWER_ACCOUNT_CREATED = "control-tower-account-created.json";
    public static final String ORGANIZATIONS_ACCOUNT_CREATED = "organizations-account-created.json";
    public static final String AMI_STATE_CHANGE = "ami-state-change.json";

    private EventPatterns() {
    }

    /** {@code events/patterns}, found from the working directory up to the repository root. */
    public static Path directory() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("events").resolve("patterns");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("events/patterns not found above " + Path.of("").toAbsolutePath());
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(String file) {
        try {
            return new ObjectMapper().readValue(directory().resolve(file).toFile(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The file's pattern, matching only events of these accounts ({@code account}, which AWS sets to the
     * account the event happened in): the owner for tag changes, the management account for vending.
     */
    public static EventPattern pattern(String file, List<String> accounts) {
        EventPattern base = pattern(file);
        return EventPattern.builder().source(base.getSource()).detailType(base.getDetailType())
                .detail(base.getDetail()).account(accounts).build();
    }

    /** The file as CDK's typed pattern; the top-level fields amishare uses are the only ones allowed. */
    @SuppressWarnings("unchecked")
    public static EventPattern pattern(String file) {
        Map<String, Object> json = read(file);
        EventPattern.Builder builder = EventPattern.builder();
        for (Map.Entry<String, Object> e : json.entrySet()) {
            switch (e.getKey()) {
                case "source" -> builder.source((List<String>) e.getValue());
                case "detail-type" -> builder.detailType((List<String>) e.getValue());
                case "detail" -> builder.detail((Map<String, Object>) e.getValue());
                case "account" -> builder.account((List<String>) e.getValue());
                default -> throw new IllegalArgumentException(file + ": unsupported pattern field " + e.getKey());
            }
        }
        return builder.build();
    }
}
