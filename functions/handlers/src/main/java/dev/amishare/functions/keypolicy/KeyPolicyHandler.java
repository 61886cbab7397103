package dev.amishare.functions.keypolicy;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point of the "patch key policies" stage. */
public final class KeyPolicyHandler extends StageHandler<KeyPolicyInput, KeyPolicyResult> {

    public KeyPolicyHandler() {
        this(new KeyPolicyService(AwsClients.kms(), AwsClients.perimeterGuard(), AwsClients.shareStore(),
                AwsClients.shareLedger()));
    }

    public KeyPolicyHandler(KeyPolicyService service) {
        super(KeyPolicyInput.class, in -> new LogContext.Fields(null, null, in.executionId()),
                service::grant);
    }
}
