package dev.amishare.functions.entry;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Target of the owner stack's account-vending rules (Control Tower {@code CreateManagedAccount},
 * Organizations {@code CreateAccountResult}): shares the AMIs tagged for new accounts with the new one.
 */
public final class NewAccountHandler implements RequestStreamHandler {

    private final NewAccountService service;

    public NewAccountHandler() {
        this(new NewAccountService(AwsClients.ec2(), ExecutionStarter.fromEnvironment(AwsClients.sfn())));
    }

    public NewAccountHandler(NewAccountService service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        Json.write(out, service.share(Json.read(in, AccountCreatedEvent.class)));
    }
}
