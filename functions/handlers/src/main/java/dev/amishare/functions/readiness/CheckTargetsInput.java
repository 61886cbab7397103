package dev.amishare.functions.readiness;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import dev.amishare.functions.model.ShareRequest;
import java.util.List;

/**
 * One batch of the "Check targets" Distributed Map, in the shape its ItemBatcher gives a child:
 * {@code {"BatchInput": …, "Items": [...]}}.
 *
 * @param batchInput what every target's check shares
 * @param items the targets of this batch, as Prepare listed them
 */
public record CheckTargetsInput(
        @JsonProperty("BatchInput") ReadinessContext batchInput,
        @JsonProperty("Items") List<ShareRequest.Target> items) {

    public CheckTargetsInput {
        items = items == null ? List.of() : List.copyOf(items);
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation().require(batchInput != null, "BatchInput: missing");
        if (batchInput != null) {
            batchInput.checkInto(v);
        }
        for (int i = 0; i < items.size(); i++) {
            ShareRequest.Target t = items.get(i);
            v.matches(t.accountId(), IdKind.ACCOUNT_ID, "Items[" + i + "].accountId");
            for (int j = 0; j < t.copy().size(); j++) {
                v.matches(t.copy().get(j).region(), IdKind.REGION, "Items[" + i + "].copy[" + j + "].region");
                v.matches(t.copy().get(j).kmsKeyId(), IdKind.KMS_KEY_ID, "Items[" + i + "].copy[" + j + "].kmsKeyId");
            }
        }
        v.throwIfInvalid();
    }
}
