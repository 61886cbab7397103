package dev.amishare.functions.entry;

import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.model.ShareRequest;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;

/** Starts the share workflow with a share request under a deterministic name. */
public final class ExecutionStarter {

    private static final Logger LOG = LogManager.getLogger(ExecutionStarter.class);

    /** The environment variable the owner stack sets on the entry functions. */
    public static final String STATE_MACHINE_ARN = "STATE_MACHINE_ARN";

    private final SfnClient sfn;
    private final String stateMachineArn;

    public ExecutionStarter(SfnClient sfn, String stateMachineArn) {
        if (stateMachineArn == null || stateMachineArn.isBlank()) {
            throw new IllegalStateException(STATE_MACHINE_ARN + " is not set");
        }
        this.sfn = sfn;
        this.stateMachineArn = stateMachineArn;
    }

    public static ExecutionStarter fromEnvironment(SfnClient sfn) {
        return new ExecutionStarter(sfn, System.getenv(STATE_MACHINE_ARN));
    }

    /**
     * Starts one execution. ExecutionAlreadyExists means this name ran within the last 90 days (or runs
     * with other input): the share was already started, which is what idempotency asks for.
     */
    public StartedExecution start(String name, ShareRequest request) {
        try {
            String arn = sfn.startExecution(r -> r.stateMachineArn(stateMachineArn).name(name)
                    .input(Json.write(request))).executionArn();
            LOG.info("started {} for {}", arn, request.imageId());
            return new StartedExecution(name, arn, false);
        } catch (ExecutionAlreadyExistsException e) {
            LOG.info("execution {} already exists; not starting it again", name);
            return new StartedExecution(name, null, true);
        } catch (AwsServiceException e) {
            throw AwsErrors.common("states:StartExecution", e);
        }
    }
}
