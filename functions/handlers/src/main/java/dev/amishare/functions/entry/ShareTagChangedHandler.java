package dev.amishare.functions.entry;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.model.ShareRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Target of the owner stack's "Tag Change on Resource" rule: an AMI's {@value EntryTags#TARGETS} tag
 * changed, so share it with the accounts the tag lists.
 */
public final class ShareTagChangedHandler implements RequestStreamHandler {

    private final ExecutionStarter starter;

    public ShareTagChangedHandler() {
        this(ExecutionStarter.fromEnvironment(AwsClients.sfn()));
    }

    public ShareTagChangedHandler(ExecutionStarter starter) {
        this.starter = starter;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        TagChangeEvent event = Json.read(in, TagChangeEvent.class);
        Optional<ShareRequest> request = EntryNormalizer.shareRequest(event);
        EntryResult result = request
                .map(r -> new EntryResult(List.of(starter.start(EntryNormalizer.executionName(event), r)), null))
                .orElseGet(() -> EntryResult.skipped("tag " + EntryTags.TARGETS + " removed or empty"));
        Json.write(out, result);
    }
}
