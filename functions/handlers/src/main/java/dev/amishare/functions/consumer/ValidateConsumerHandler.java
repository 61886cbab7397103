package dev.amishare.functions.consumer;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point of the "validate consumer" stage, run once per target account. */
public final class ValidateConsumerHandler extends StageHandler<ConsumerValidationInput, ConsumerValidationResult> {

    public ValidateConsumerHandler() {
        this(new ConsumerValidationService(AwsClients.consumerRoles(), AwsClients.targetClients()));
    }

    public ValidateConsumerHandler(ConsumerValidationService service) {
        super(ConsumerValidationInput.class, in -> new LogContext.Fields(in.imageId(), in.accountId(), in.executionId()),
                service::validate);
    }
}
