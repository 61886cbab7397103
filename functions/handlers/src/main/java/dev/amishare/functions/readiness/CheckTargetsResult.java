package dev.amishare.functions.readiness;

import java.util.List;

/**
 * The readiness of each target of one batch, in batch order.
 *
 * @param targets one entry per item of the batch
 */
public record CheckTargetsResult(List<Readiness> targets) {

    public CheckTargetsResult {
        targets = List.copyOf(targets);
    }
}
