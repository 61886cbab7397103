package dev.amishare.functions.copy;

import dev.amishare.errors.CopyFailedException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.Json;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;

/**
 * Resumes the Await copy task of a finished copy: SendTaskSuccess with the {@link CopyStatusResult} for
 * {@code available}, SendTaskFailure with {@link CopyFailedException}'s name for a state the copy never
 * leaves. Shared by {@link AwaitCopyService} (copy already finished) and {@link CopyEventService} (EC2's
 * event), which can both resume the same token: the second call finds the task closed, which is fine.
 */
public final class CopyResumer {

    private static final Logger LOG = LogManager.getLogger(CopyResumer.class);

    /** The error type the workflow sees for a failed copy: the exception class's full name. */
    public static final String COPY_FAILED = CopyFailedException.class.getName();

    // States EC2 never moves a copy out of, other than available. "pending" and "transient" are waited for.
    private static final Set<String> FAILED = Set.of("failed", "error", "invalid", "deregistered", "disabled");

    private final SfnClient sfn;

    public CopyResumer(SfnClient sfn) {
        this.sfn = sfn;
    }

    /** Whether {@code state} is final: the copy will not change any more. */
    public static boolean isFinal(String state) {
        return "available".equals(state) || FAILED.contains(state);
    }

    /**
     * Resumes {@code token} with {@code status} when the copy is final.
     *
     * @return false when the copy is still in progress (nothing sent)
     */
    public boolean resume(String token, CopyStatusResult status) {
        if (!isFinal(status.state())) {
            return false;
        }
        try {
            if ("available".equals(status.state())) {
                sfn.sendTaskSuccess(r -> r.taskToken(token).output(Json.write(status)));
                LOG.info("copy {} in {} of {} is available: resumed", status.imageId(), status.region(),
                        status.accountId());
            } else {
                CopyFailedException failure = new CopyFailedException(status.imageId(), status.accountId(),
                        status.region(), status.state(), status.stateReason());
                // SendTaskFailure caps the cause at 32768 characters and the error at 256; ours are far shorter.
                sfn.sendTaskFailure(r -> r.taskToken(token).error(COPY_FAILED).cause(failure.getMessage()));
                LOG.warn("{}: resumed with {}", failure.getMessage(), COPY_FAILED);
            }
        } catch (TaskTimedOutException | TaskDoesNotExistException | InvalidTokenException e) {
            // The other resumer was first, or the wait ended (timeout, execution stopped): nobody listens.
            LOG.info("token for copy {} in {} is closed already: {}", status.imageId(), status.region(),
                    e.getClass().getSimpleName());
        } catch (AwsServiceException e) {
            throw AwsErrors.common("states:SendTask*", e);
        }
        return true;
    }
}
