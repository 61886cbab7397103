package dev.amishare.functions.entry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * "AWS Service Event via CloudTrail" for a new account: Control Tower's {@code CreateManagedAccount}
 * lifecycle event or Organizations' {@code CreateAccountResult}. Both carry the new account under
 * {@code detail.serviceEventDetails}, each under its own name. Unknown fields are ignored (AWS adds some).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AccountCreatedEvent(
        String id,
        @JsonProperty("detail-type") String detailType,
        String source,
        String account,
        String region,
        Detail detail) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detail(String eventName, String eventSource, ServiceEventDetails serviceEventDetails) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ServiceEventDetails(
            CreateManagedAccountStatus createManagedAccountStatus,
            CreateAccountStatus createAccountStatus) {
    }

    /** Control Tower: {@code account.accountId}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreateManagedAccountStatus(ManagedAccount account, String state) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ManagedAccount(String accountName, String accountId) {
    }

    /** Organizations: {@code accountId} directly. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreateAccountStatus(String id, String state, String accountName, String accountId) {
    }
}
