package dev.amishare.functions.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.SendTaskFailureRequest;
import software.amazon.awssdk.services.sfn.model.SendTaskFailureResponse;
import software.amazon.awssdk.services.sfn.model.SendTaskSuccessRequest;
import software.amazon.awssdk.services.sfn.model.SendTaskSuccessResponse;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;

/**
 * A stub of Step Functions' callback API for unit tests: records what was sent; a token can be answered
 * once, as in Step Functions, after which it is closed (TaskTimedOut).
 */
public final class FakeSfn implements SfnClient {

    public final List<SendTaskSuccessRequest> successes = new ArrayList<>();
    public final List<SendTaskFailureRequest> failures = new ArrayList<>();
    public final Set<String> closed = new HashSet<>();

    private void close(String token) {
        if (!closed.add(token)) {
            throw TaskTimedOutException.builder().message("stubbed TaskTimedOut").build();
        }
    }

    @Override
    public SendTaskSuccessResponse sendTaskSuccess(SendTaskSuccessRequest request) {
        close(request.taskToken());
        successes.add(request);
        return SendTaskSuccessResponse.builder().build();
    }

    @Override
    public SendTaskFailureResponse sendTaskFailure(SendTaskFailureRequest request) {
        close(request.taskToken());
        failures.add(request);
        return SendTaskFailureResponse.builder().build();
    }

    @Override
    public String serviceName() {
        return "states";
    }

    @Override
    public void close() {
    }
}
