package dev.amishare.functions.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/**
 * A stub of Step Functions' execution API for the share API's tests: one state machine's executions by
 * name, each started once (a name already used is ExecutionAlreadyExists), described as RUNNING or as set.
 */
final class RecordingSfn implements SfnClient {

    static final String STATE_MACHINE = "arn:aws:states:us-east-1:111111111111:stateMachine:ShareWorkflow";
    static final String EXECUTIONS = "arn:aws:states:us-east-1:111111111111:execution:ShareWorkflow:";

    /** Executions by name, in start order. */
    final Map<String, DescribeExecutionResponse> executions = new LinkedHashMap<>();
    /** Every StartExecution call, refused ones included. */
    final List<StartExecutionRequest> starts = new ArrayList<>();
    Instant now = Instant.parse("2026-12-02T18:00:00Z");

    /** An execution that exists already, as after a crash between StartExecution and the answer. */
    void existing(String name, String input, ExecutionStatus status) {
        executions.put(name, DescribeExecutionResponse.builder().executionArn(EXECUTIONS + name).name(name)
                .stateMachineArn(STATE_MACHINE).input(input).status(status).startDate(now).build());
    }

    void ended(String name, ExecutionStatus status, String output, String error, String cause) {
        executions.put(name, executions.get(name).toBuilder().status(status).stopDate(now.plusSeconds(60))
                .output(output).error(error).cause(cause).build());
    }

    @Override
    public StartExecutionResponse startExecution(StartExecutionRequest request) {
        starts.add(request);
        if (!STATE_MACHINE.equals(request.stateMachineArn())) {
            throw new IllegalArgumentException("no such state machine " + request.stateMachineArn());
        }
        if (request.name().length() > 80) {
            throw new IllegalArgumentException("execution name longer than 80: " + request.name());
        }
        if (executions.containsKey(request.name())) {
            throw ExecutionAlreadyExistsException.builder().message("Execution Already Exists: '"
                    + EXECUTIONS + request.name() + "'").build();
        }
        existing(request.name(), request.input(), ExecutionStatus.RUNNING);
        return StartExecutionResponse.builder().executionArn(EXECUTIONS + request.name()).startDate(now).build();
    }

    @Override
    public DescribeExecutionResponse describeExecution(DescribeExecutionRequest request) {
        String arn = request.executionArn();
        DescribeExecutionResponse execution = arn.startsWith(EXECUTIONS)
                ? executions.get(arn.substring(EXECUTIONS.length())) : null;
        if (execution == null) {
            throw ExecutionDoesNotExistException.builder().message("Execution Does Not Exist: '" + arn + "'").build();
        }
        return execution;
    }

    @Override
    public String serviceName() {
        return "states";
    }

    @Override
    public void close() {
    }
}
