package dev.amishare.functions.entry;

import dev.amishare.contract.Names;
import java.util.List;

/** Starts a share when an AMI's {@value Names#TAG_TARGETS} tag changes; skips a removed or empty tag. */
public final class ShareTagChangedService {

    private final ExecutionStarter starter;

    public ShareTagChangedService(ExecutionStarter starter) {
        this.starter = starter;
    }

    public EntryResult share(TagChangeEvent event) {
        return EntryNormalizer.shareRequest(event)
                .map(r -> new EntryResult(List.of(starter.start(EntryNormalizer.executionName(event), r)), null))
                .orElseGet(() -> EntryResult.skipped("tag " + Names.TAG_TARGETS + " removed or empty"));
    }
}
