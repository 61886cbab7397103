package dev.amishare.functions.readiness;

import java.util.List;

/**
 * Whether one target can take the share before anything is granted to it.
 *
 * @param accountId the target account
 * @param ready true when every check passed
 * @param reasons every failed check, each with its reason (AWS error code, IAM decision); empty when ready
 */
public record Readiness(String accountId, boolean ready, List<String> reasons) {

    public Readiness {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }
}
