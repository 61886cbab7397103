package dev.amishare.functions.copy;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Parks the workflow's Await copy task until the copy is final. Stores the task token first, then reads
 * the copy's state once: a copy that finished before the token was stored (its event found no token) is
 * resumed here at once; one still in progress is resumed by {@link CopyEventService} when EC2's event
 * arrives. Storing before reading leaves no gap in which an event could be missed.
 */
public record AwaitCopyService(CopyStatusService status, CopyTokenStore tokens, CopyResumer resumer) {

    private static final Logger LOG = LogManager.getLogger(AwaitCopyService.class);


    /** The copy's state as read now; the task is resumed already when it is final. */
    public CopyStatusResult await(AwaitCopyInput input) {
        input.validate();
        tokens.put(input.accountId(), input.region(), input.imageId(),
                new CopyTokenStore.Waiter(input.taskToken(), input.executionId(), input.targetRole().roleName()));
        CopyStatusResult now = status.status(input.status());
        if (resumer.resume(input.taskToken(), now)) {
            tokens.delete(input.accountId(), input.region(), input.imageId(), input.executionId());
        } else {
            LOG.info("copy {} in {} of {} is {}: waiting for EC2's state change event", input.imageId(),
                    input.region(), input.accountId(), now.state());
        }
        return now;
    }
}
