package dev.amishare.functions.copy;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/**
 * Lambda entry point of the workflow's Await copy task, invoked with {@code waitForTaskToken}: stores the
 * token and resumes at once when the copy is already final (see {@link AwaitCopyService}). Its own output
 * is ignored by Step Functions; the task's result is what the resumer sends.
 */
public final class AwaitCopyHandler extends StageHandler<AwaitCopyInput, CopyStatusResult> {

    public AwaitCopyHandler() {
        this(new AwaitCopyService(new CopyStatusService(AwsClients.consumerRoles(), AwsClients.targetClients()),
                CopyTokenStore.fromEnvironment(AwsClients.dynamoDb()),
                new CopyResumer(AwsClients.sfn())));
    }

    public AwaitCopyHandler(AwaitCopyService service) {
        super(AwaitCopyInput.class, in -> new LogContext.Fields(in.imageId(), in.accountId(), in.executionId()),
                service::await);
    }
}
