package dev.amishare.functions.entry;

import dev.amishare.contract.Names;
import dev.amishare.errors.UntrustedEventException;
import java.util.List;

/**
 * Starts a share when an AMI's {@value Names#TAG_TARGETS} tag changes; skips a removed or empty tag. Only
 * tag changes of the owner account's own AMIs count: AWS puts the account of the tagged resource in the
 * event's {@code account}, and an event forwarded from any other account is refused. The tag's targets
 * then go through Prepare's perimeter check like any request's. The tag may name accounts, the
 * organization, OUs and target groups ({@link TagTargets}); a group that is not defined starts nothing.
 *
 * @param ownerAccountId the account amishare runs in; null refuses every event (fail closed)
 * @param targets resolves the tag's value into accounts, organization and OU ARNs
 */
public record ShareTagChangedService(ExecutionStarter starter, String ownerAccountId, TagTargets targets) {

    /** A service for tags naming account ids only. */
    public ShareTagChangedService(ExecutionStarter starter, String ownerAccountId) {
        this(starter, ownerAccountId, TagTargets.accountsOnly());
    }

    public EntryResult share(TagChangeEvent event) {
        if (ownerAccountId == null || !ownerAccountId.equals(event.account())) {
            throw new UntrustedEventException("tag change of account " + event.account()
                    + "; amishare shares on tag changes of the owner account " + ownerAccountId + " only");
        }
        return EntryNormalizer.shareRequest(event, targets)
                .map(r -> new EntryResult(List.of(starter.start(EntryNormalizer.executionName(event), r)), null))
                .orElseGet(() -> EntryResult.skipped("tag " + Names.TAG_TARGETS + " removed or names nobody"));
    }
}
