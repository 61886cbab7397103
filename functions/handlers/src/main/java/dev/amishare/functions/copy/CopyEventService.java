package dev.amishare.functions.copy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.functions.model.TargetRole;
import dev.amishare.errors.UntrustedEventException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Handles an "EC2 AMI State Change" event (source {@code aws.ec2}) that a target account forwarded to the
 * owner account's copy-event bus: finds every execution awaiting that copy, resumes each, forgets its token.
 * Events of images nobody waits for (copies made outside amishare, a copy already resumed by the re-check)
 * are ignored.
 * <p>
 * The event only says which copy to look at, never how it ended: the state is read again, as the target's
 * consumer role each waiting execution stored, and that execution resumes with what EC2 answers. An event
 * whose claim EC2 contradicts (made up, or sent by somebody else than EC2) raises
 * {@link UntrustedEventException} and resumes nothing for that waiter; it carries on waiting. One waiter's
 * failure does not keep the others waiting: each is handled, then the first failure is raised.
 */
public record CopyEventService(CopyTokenStore tokens, CopyResumer resumer, CopyStatusService status) {

    private static final Logger LOG = LogManager.getLogger(CopyEventService.class);


    /**
     * @return whether an awaiting execution was resumed
     */
    public boolean handle(JsonNode event) {
        String accountId = event.path("account").asText(null);
        String region = event.path("region").asText(null);
        JsonNode detail = event.path("detail");
        String imageId = detail.path("ImageId").asText(null);
        if (imageId == null && event.path("resources").size() > 0) {
            // arn:aws:ec2:<region>::image/ami-…
            String arn = event.path("resources").get(0).asText("");
            imageId = arn.substring(arn.lastIndexOf('/') + 1);
        }
        String state = detail.path("State").asText(null);
        if (accountId == null || region == null || imageId == null || imageId.isEmpty() || state == null) {
            LOG.warn("ignoring an event without account, region, image id or state: {}", event);
            return false;
        }
        String claimed = state.toLowerCase();
        if (!CopyResumer.isFinal(claimed)) {
            LOG.info("copy {} in {} of {} is {}: not final, nothing to resume", imageId, region, accountId, state);
            return false;
        }
        List<CopyTokenStore.Waiter> waiters = tokens.get(accountId, region, imageId);
        if (waiters.isEmpty()) {
            LOG.info("no execution awaits {} in {} of {} ({})", imageId, region, accountId, state);
            return false;
        }
        // The same copy read as the same role answers the same: one read per role, not per waiter.
        Map<String, CopyStatusResult> observedAs = new HashMap<>();
        boolean resumed = false;
        RuntimeException failure = null;
        for (CopyTokenStore.Waiter waiter : waiters) {
            try {
                resume(accountId, region, imageId, claimed, waiter, observedAs);
                resumed = true;
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return resumed;
    }

    private void resume(String accountId, String region, String imageId, String claimed,
            CopyTokenStore.Waiter waiter, Map<String, CopyStatusResult> observedAs) {
        // Only the copy the waiting execution stored, in its account and region, read as its consumer role.
        CopyStatusResult observed = observedAs.get(waiter.roleName());
        if (observed == null) {
            observed = status.status(new CopyStatusInput(new TargetRole(accountId, waiter.roleName()), region,
                    imageId, waiter.executionId()));
            observedAs.put(waiter.roleName(), observed);
        }
        if (!observed.state().equals(claimed)) {
            throw new UntrustedEventException("the event says copy " + imageId + " in " + region + " of "
                    + accountId + " is " + claimed + ", but EC2 says " + observed.state()
                    + "; execution " + waiter.executionId() + " keeps waiting");
        }
        resumer.resume(waiter.taskToken(), observed);
        tokens.delete(accountId, region, imageId, waiter.executionId());
        LOG.info("resumed execution {}: copy {} in {} of {} is {}", waiter.executionId(), imageId, region,
                accountId, observed.state());
    }
}
