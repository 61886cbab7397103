package dev.amishare.functions.copy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Lambda entry point of the workflow's Await copy task, invoked with {@code waitForTaskToken}: stores the
 * token and resumes at once when the copy is already final (see {@link AwaitCopyService}). Its own output
 * is ignored by Step Functions; the task's result is what the resumer sends.
 */
public final class AwaitCopyHandler implements RequestStreamHandler {

    private final AwaitCopyService service;

    public AwaitCopyHandler() {
        this(new AwaitCopyService(new CopyStatusService(AwsClients.sts(), AwsClients.targetClients()),
                new CopyTokenStore(AwsClients.ssm(), CopyTokenStore.prefixFromEnvironment()),
                new CopyResumer(AwsClients.sfn())));
    }

    public AwaitCopyHandler(AwaitCopyService service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        AwaitCopyInput input = Json.read(in, AwaitCopyInput.class);
        try (LogContext ignored = LogContext.of(input.imageId(), input.accountId(), input.executionId(), context)) {
            Json.write(out, service.await(input));
        }
    }
}
