package dev.amishare.functions.entry;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/**
 * Target of the owner stack's "Tag Change on Resource" rule: an AMI's {@value Names#TAG_TARGETS} tag
 * changed, so share it with the accounts, organization, OUs and target groups the tag lists.
 */
public final class ShareTagChangedHandler extends StageHandler<TagChangeEvent, EntryResult> {

    public ShareTagChangedHandler() {
        this(new ShareTagChangedService(ExecutionStarter.fromEnvironment(AwsClients.sfn()),
                System.getenv(Names.ENV_OWNER_ACCOUNT_ID), TagTargets.fromEnvironment()));
    }

    public ShareTagChangedHandler(ShareTagChangedService service) {
        super(TagChangeEvent.class, event -> LogContext.Fields.NONE, service::share);
    }
}
