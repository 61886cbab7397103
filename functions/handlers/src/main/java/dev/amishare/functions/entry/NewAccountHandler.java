package dev.amishare.functions.entry;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.contract.Names;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/**
 * Target of the owner stack's account-vending rules (Control Tower {@code CreateManagedAccount},
 * Organizations {@code CreateAccountResult}): shares the AMIs tagged for new accounts with the new one.
 */
public final class NewAccountHandler extends StageHandler<AccountCreatedEvent, EntryResult> {

    public NewAccountHandler() {
        this(new NewAccountService(AwsClients.ec2(), ExecutionStarter.fromEnvironment(AwsClients.sfn()),
                System.getenv(Names.ENV_MANAGEMENT_ACCOUNT_ID), AwsClients.perimeterGuard()));
    }

    public NewAccountHandler(NewAccountService service) {
        super(AccountCreatedEvent.class, in -> LogContext.Fields.NONE,
                service::share);
    }
}
