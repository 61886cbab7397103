package dev.amishare.functions.entry;

import dev.amishare.contract.Names;
import dev.amishare.errors.UnsupportedEntryEventException;
import dev.amishare.functions.model.ShareRequest;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns entry-point events into share requests and execution names. Pure functions: an EventBridge
 * input transformer cannot split a comma-separated tag value into a list, so this small step exists.
 */
public final class EntryNormalizer {

    /** Step Functions execution names: at most 80 characters. */
    static final int MAX_NAME = 80;
    private static final Pattern NAME_UNSAFE = Pattern.compile("[^A-Za-z0-9_-]");
    private static final String SUCCEEDED = "SUCCEEDED";

    private EntryNormalizer() {
    }

    /** {@link #shareRequest(TagChangeEvent, TagTargets)} for a tag naming account ids only. */
    public static Optional<ShareRequest> shareRequest(TagChangeEvent event) {
        return shareRequest(event, TagTargets.accountsOnly());
    }

    /**
     * The share request a tag change asks for, or empty when the targets tag is gone or names nobody (this
     * entry point only shares; revoking is an explicit request). The tag's account ids, organizations, OUs
     * and target groups are resolved by {@code targets}; each principal comes once, in tag order. Account
     * ids are not checked here: the workflow's prepare stage reports every problem of the request at once.
     *
     * @throws dev.amishare.errors.TargetGroupNotFoundException when the tag names an undefined group
     * @throws dev.amishare.errors.UnresolvableTargetException when an organization, OU or group cannot be
     *     turned into a principal
     */
    public static Optional<ShareRequest> shareRequest(TagChangeEvent event, TagTargets targets) {
        TagChangeEvent.Detail detail = event.detail();
        if (detail == null) {
            throw new UnsupportedEntryEventException(event.id(), "no detail");
        }
        String imageId = imageId(event);
        String value = detail.tags().get(Names.TAG_TARGETS);
        if (value == null) {
            return Optional.empty();
        }
        TagTargets.Resolved resolved = targets.resolve(value, partition(event));
        if (resolved.isEmpty()) {
            return Optional.empty();
        }
        List<ShareRequest.Target> accounts = resolved.accountIds().stream()
                .map(a -> new ShareRequest.Target(a, null)).toList();
        return Optional.of(new ShareRequest(imageId, event.region(), accounts, resolved.organizationArns(),
                resolved.organizationalUnitArns(), null, null, null, null, null,
                "tag change of " + String.join(",", event.resources()) + " (event " + event.id() + ")"));
    }

    /** The partition of the tagged image's ARN ({@code aws}, {@code aws-cn}, ...). */
    static String partition(TagChangeEvent event) {
        String arn = event.resources().stream().filter(a -> a.contains(":image/")).findFirst().orElseThrow(
                () -> new UnsupportedEntryEventException(event.id(), "no image ARN in resources"));
        String[] parts = arn.split(":", 3);
        return parts.length == 3 && "arn".equals(parts[0]) && !parts[1].isEmpty() ? parts[1] : "aws";
    }

    /**
     * One execution per event: EventBridge and Lambda's async retries redeliver the same event id, which
     * then finds its execution already there. A later change of the tag is a new event and a new share.
     */
    public static String executionName(TagChangeEvent event) {
        return name("tag-" + imageId(event) + "-" + event.id());
    }

    /** The image id from the event's resource ARN {@code arn:aws:ec2:<region>:<account>:image/ami-…}. */
    static String imageId(TagChangeEvent event) {
        return event.resources().stream()
                .filter(arn -> arn.contains(":image/"))
                .map(arn -> arn.substring(arn.indexOf(":image/") + ":image/".length()))
                .findFirst()
                .orElseThrow(() -> new UnsupportedEntryEventException(event.id(), "no image ARN in resources"));
    }

    /** The new account's id, or empty when the event reports a failed or unfinished creation. */
    public static Optional<String> newAccountId(AccountCreatedEvent event) {
        AccountCreatedEvent.ServiceEventDetails details = event.detail() == null ? null
                : event.detail().serviceEventDetails();
        if (details == null) {
            throw new UnsupportedEntryEventException(event.id(), "no serviceEventDetails");
        }
        String state;
        String accountId;
        if (details.createManagedAccountStatus() != null) {
            AccountCreatedEvent.CreateManagedAccountStatus s = details.createManagedAccountStatus();
            state = s.state();
            accountId = s.account() == null ? null : s.account().accountId();
        } else if (details.createAccountStatus() != null) {
            state = details.createAccountStatus().state();
            accountId = details.createAccountStatus().accountId();
        } else {
            throw new UnsupportedEntryEventException(event.id(),
                    "neither createManagedAccountStatus nor createAccountStatus");
        }
        if (!SUCCEEDED.equals(state)) {
            return Optional.empty();
        }
        if (accountId == null || accountId.isBlank()) {
            throw new UnsupportedEntryEventException(event.id(), "account creation succeeded without an account id");
        }
        return Optional.of(accountId);
    }

    /** Launch access for the new account; copies are the account owners' own business. */
    public static ShareRequest newAccountRequest(String imageId, String accountId) {
        return new ShareRequest(imageId, null, List.of(new ShareRequest.Target(accountId, null)), null, null, null,
                null, null, null, null, "account vending: new account " + accountId);
    }

    /** One execution per AMI and new account, however often account vending reports it. */
    public static String executionName(String accountId, String imageId) {
        return name("new-account-" + accountId + "-" + imageId);
    }

    static String name(String raw) {
        String safe = NAME_UNSAFE.matcher(raw).replaceAll("_");
        return safe.length() <= MAX_NAME ? safe : safe.substring(0, MAX_NAME);
    }
}
