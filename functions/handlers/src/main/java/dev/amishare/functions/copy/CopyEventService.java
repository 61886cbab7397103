package dev.amishare.functions.copy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Handles an "EC2 AMI State Change" event (source {@code aws.ec2}) that a target account forwarded to the
 * owner account's event bus: finds the token of the execution awaiting that copy, resumes it, forgets it.
 * Events of images nobody waits for (copies made outside amishare, a copy already resumed by the re-check)
 * are ignored.
 */
public final class CopyEventService {

    private static final Logger LOG = LogManager.getLogger(CopyEventService.class);

    private final CopyTokenStore tokens;
    private final CopyResumer resumer;

    public CopyEventService(CopyTokenStore tokens, CopyResumer resumer) {
        this.tokens = tokens;
        this.resumer = resumer;
    }

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
        String reason = detail.path("ErrorMessage").asText("");
        CopyStatusResult status = new CopyStatusResult(accountId, region, imageId, state.toLowerCase(),
                reason.isBlank() ? null : reason);
        if (!CopyResumer.isFinal(status.state())) {
            LOG.info("copy {} in {} of {} is {}: not final, nothing to resume", imageId, region, accountId, state);
            return false;
        }
        Optional<String> token = tokens.get(accountId, region, imageId);
        if (token.isEmpty()) {
            LOG.info("no execution awaits {} in {} of {} ({})", imageId, region, accountId, state);
            return false;
        }
        resumer.resume(token.get(), status);
        tokens.delete(accountId, region, imageId);
        return true;
    }
}
