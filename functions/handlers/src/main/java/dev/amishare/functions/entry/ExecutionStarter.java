package dev.amishare.functions.entry;

import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.model.ShareRequest;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

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

    /** Names tried after the first: a share that failed may be started again this many times. */
    static final int MAX_ATTEMPTS = 5;
    private static final int MAX_NAME = 80;

    /**
     * Starts one execution. ExecutionAlreadyExists means this name ran within the last 90 days: when that
     * execution is running or succeeded the share was already started, which is what idempotency asks for;
     * when it failed, timed out or was aborted, the event is a new chance (a redelivered tag change, an
     * account-vending event sent again), so the share starts again under the next attempt's name.
     */
    public StartedExecution start(String name, ShareRequest request) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            String attemptName = attemptName(name, attempt);
            try {
                String arn = sfn.startExecution(r -> r.stateMachineArn(stateMachineArn).name(attemptName)
                        .input(Json.write(request))).executionArn();
                LOG.info("started {} for {}", arn, request.imageId());
                return new StartedExecution(attemptName, arn, false);
            } catch (ExecutionAlreadyExistsException e) {
                String arn = executionArn(attemptName);
                ExecutionStatus status = status(arn);
                if (status != ExecutionStatus.FAILED && status != ExecutionStatus.TIMED_OUT
                        && status != ExecutionStatus.ABORTED) {
                    LOG.info("execution {} already exists ({}); not starting it again", attemptName, status);
                    return new StartedExecution(attemptName, arn, true);
                }
                LOG.info("execution {} of {} ended {}; starting the share again", attemptName, request.imageId(),
                        status);
            } catch (AwsServiceException e) {
                throw AwsErrors.common("states:StartExecution", e);
            }
        }
        LOG.info("execution {} failed {} times; not starting it again", name, MAX_ATTEMPTS);
        String last = attemptName(name, MAX_ATTEMPTS);
        return new StartedExecution(last, executionArn(last), true);
    }

    /** The first attempt keeps the name; later ones end in -2, -3, … within Step Functions' 80 characters. */
    static String attemptName(String name, int attempt) {
        if (attempt == 1) {
            return name;
        }
        String suffix = "-" + attempt;
        return (name.length() + suffix.length() <= MAX_NAME ? name : name.substring(0, MAX_NAME - suffix.length()))
                + suffix;
    }

    private String executionArn(String name) {
        return stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name;
    }

    private ExecutionStatus status(String executionArn) {
        try {
            return sfn.describeExecution(r -> r.executionArn(executionArn)).status();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("states:DescribeExecution", e);
        }
    }
}
