package dev.amishare.functions.common;

import dev.amishare.errors.OrganizationalUnitNotFoundException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.Account;
import software.amazon.awssdk.services.organizations.model.AccountState;
import software.amazon.awssdk.services.organizations.model.AccountStatus;
import software.amazon.awssdk.services.organizations.model.Child;
import software.amazon.awssdk.services.organizations.model.ChildType;

/**
 * The accounts of an organization and of its OUs, as Organizations lists them. It reads through the
 * function's own Organizations client ({@link AwsClients#organizations()}): the listing operations answer
 * only in the management account or a delegated administrator, where the owner stack runs (Organizations
 * API reference, ListAccounts, ListAccountsForParent, ListChildren).
 * <p>
 * Every list is followed to its last page: Organizations may answer a page with no items and a
 * {@code NextToken}, so only a missing token ends a listing. An OU's accounts are those directly in it and
 * those of every OU below it, walked breadth first. Pages hold at most 20 items (MaxResults' maximum), so
 * listing 1,000 accounts costs about 50 calls instead of 1,000 {@code DescribeAccount} calls.
 */
public final class OrganizationDirectory {

    private static final Pattern OU_ARN =
            Pattern.compile("arn:[^:]+:organizations::\\d{12}:ou/(o-[a-z0-9]+)/(ou-[a-z0-9-]+)");
    private static final Pattern ACCOUNT_ARN =
            Pattern.compile("arn:[^:]+:organizations::\\d{12}:account/(o-[a-z0-9]+)/\\d{12}");
    /** How Organizations says that a parent, child or OU is not there. */
    private static final Set<String> OU_NOT_FOUND = Set.of(
            "ParentNotFoundException", "ChildNotFoundException", "OrganizationalUnitNotFoundException");
    /** MaxResults' maximum for every listing used here. */
    static final int PAGE_SIZE = 20;

    private final OrganizationsClient organizations;

    public OrganizationDirectory(OrganizationsClient organizations) {
        this.organizations = Objects.requireNonNull(organizations, "organizations");
    }

    /**
     * One account of the organization as listed.
     *
     * @param accountId 12 digits
     * @param arn {@code arn:<partition>:organizations::<management account>:account/o-…/<id>}; names the
     *     organization the account belongs to
     * @param parentId the OU (or root) it was listed under; null when listed for the whole organization
     * @param active whether the account is {@code ACTIVE} (not suspended, closing or closed)
     */
    public record MemberAccount(String accountId, String arn, String parentId, boolean active) {

        /** The organization ({@code o-…}) its ARN names, or null when the ARN is missing or malformed. */
        public String organizationId() {
            Matcher m = arn == null ? null : ACCOUNT_ARN.matcher(arn);
            return m != null && m.matches() ? m.group(1) : null;
        }
    }

    /**
     * An OU and everything below it.
     *
     * @param organizationalUnitId the OU listed
     * @param organizationalUnitIds that OU and every OU below it, at any depth
     * @param accounts the accounts directly in any of them, in every state
     */
    public record Subtree(String organizationalUnitId, Set<String> organizationalUnitIds,
            List<MemberAccount> accounts) {

        public Subtree {
            organizationalUnitIds = Set.copyOf(organizationalUnitIds);
            accounts = List.copyOf(accounts);
        }

        /** The ids of the active accounts, in listing order. */
        public List<String> activeAccountIds() {
            return accounts.stream().filter(MemberAccount::active).map(MemberAccount::accountId).toList();
        }
    }

    /**
     * The ids of the active accounts in an OU and in every OU below it: where a request's
     * {@code copyToOrganizationalUnits} copies to.
     *
     * @param organizationalUnitArn {@code arn:<partition>:organizations::<management account>:ou/o-…/ou-…}
     * @throws OrganizationalUnitNotFoundException when the OU does not exist
     */
    public List<String> accountsUnder(String organizationalUnitArn) {
        Matcher m = OU_ARN.matcher(String.valueOf(organizationalUnitArn));
        if (!m.matches()) {
            throw new IllegalArgumentException("not an OU ARN: " + organizationalUnitArn);
        }
        try {
            return subtree(m.group(2)).activeAccountIds();
        } catch (OrganizationalUnitNotFoundException e) {
            if (e.organizationalUnit().equals(m.group(2))) {
                throw new OrganizationalUnitNotFoundException(organizationalUnitArn, e.getCause());
            }
            throw e;
        }
    }

    /** The ids of the active accounts of the whole organization ({@code ListAccounts}). */
    public List<String> organizationAccounts() {
        return members().stream().filter(MemberAccount::active).map(MemberAccount::accountId).toList();
    }

    /** Every account of the organization the caller administers, in every state ({@code ListAccounts}). */
    public List<MemberAccount> members() {
        return pages("organizations:ListAccounts", null, token -> {
            var page = organizations.listAccounts(r -> r.maxResults(PAGE_SIZE).nextToken(token));
            return new Page<>(page.accounts().stream().map(a -> member(a, null)).toList(), page.nextToken());
        });
    }

    /**
     * An OU, the OUs below it and their accounts in every state: {@code ListAccountsForParent} and
     * {@code ListChildren} (child type {@code ORGANIZATIONAL_UNIT}) for each OU, all pages.
     *
     * @throws OrganizationalUnitNotFoundException when the OU, or one below it while it is walked, does not
     *     exist
     */
    public Subtree subtree(String organizationalUnitId) {
        Set<String> ous = new LinkedHashSet<>();
        List<MemberAccount> accounts = new ArrayList<>();
        Deque<String> pending = new ArrayDeque<>(List.of(organizationalUnitId));
        while (!pending.isEmpty()) {
            String ou = pending.removeFirst();
            // The set also stops a malformed answer that lists an OU below itself from looping.
            if (!ous.add(ou)) {
                continue;
            }
            accounts.addAll(pages("organizations:ListAccountsForParent", ou, token -> {
                var page = organizations.listAccountsForParent(
                        r -> r.parentId(ou).maxResults(PAGE_SIZE).nextToken(token));
                return new Page<>(page.accounts().stream().map(a -> member(a, ou)).toList(), page.nextToken());
            }));
            pending.addAll(pages("organizations:ListChildren", ou, token -> {
                var page = organizations.listChildren(r -> r.parentId(ou).childType(ChildType.ORGANIZATIONAL_UNIT)
                        .maxResults(PAGE_SIZE).nextToken(token));
                return new Page<>(page.children().stream().map(Child::id).toList(), page.nextToken());
            }));
        }
        return new Subtree(organizationalUnitId, ous, accounts);
    }

    private static MemberAccount member(Account account, String parentId) {
        // State replaces the older Status; an answer may carry either.
        boolean active = account.state() != null ? account.state() == AccountState.ACTIVE
                : account.status() == AccountStatus.ACTIVE;
        return new MemberAccount(account.id(), account.arn(), parentId, active);
    }

    private record Page<T>(List<T> items, String nextToken) {
    }

    /** Every item of a listing; {@code ou} is the OU listed (null: the organization), for not-found errors. */
    private static <T> List<T> pages(String action, String ou, Function<String, Page<T>> call) {
        List<T> items = new ArrayList<>();
        String token = null;
        do {
            Page<T> page;
            try {
                page = call.apply(token);
            } catch (AwsServiceException e) {
                if (ou != null && OU_NOT_FOUND.contains(AwsErrors.code(e))) {
                    throw new OrganizationalUnitNotFoundException(ou, e);
                }
                throw AwsErrors.common(action, e);
            }
            items.addAll(page.items());
            token = page.nextToken() == null || page.nextToken().isEmpty() ? null : page.nextToken();
        } while (token != null);
        return items;
    }
}
