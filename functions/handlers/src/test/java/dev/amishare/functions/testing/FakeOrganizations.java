package dev.amishare.functions.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.Account;
import software.amazon.awssdk.services.organizations.model.AccountState;
import software.amazon.awssdk.services.organizations.model.Child;
import software.amazon.awssdk.services.organizations.model.ChildType;
import software.amazon.awssdk.services.organizations.model.DescribeAccountRequest;
import software.amazon.awssdk.services.organizations.model.DescribeAccountResponse;
import software.amazon.awssdk.services.organizations.model.ListAccountsForParentRequest;
import software.amazon.awssdk.services.organizations.model.ListAccountsForParentResponse;
import software.amazon.awssdk.services.organizations.model.ListAccountsRequest;
import software.amazon.awssdk.services.organizations.model.ListAccountsResponse;
import software.amazon.awssdk.services.organizations.model.ListChildrenRequest;
import software.amazon.awssdk.services.organizations.model.ListChildrenResponse;
import software.amazon.awssdk.services.organizations.model.ListParentsRequest;
import software.amazon.awssdk.services.organizations.model.ListParentsResponse;
import software.amazon.awssdk.services.organizations.model.Parent;
import software.amazon.awssdk.services.organizations.model.ParentType;

/**
 * A stub of Organizations for unit tests: members and each account's or OU's parent, as a tree. Listings
 * page as Organizations does, at most {@link #PAGE_SIZE} items (MaxResults' maximum), and every call is
 * recorded, so tests can count what a check costs.
 */
public final class FakeOrganizations implements OrganizationsClient {

    public static final int PAGE_SIZE = 20;
    public static final String ORGANIZATION_ID = "o-a1b2c3d4e5";
    public static final String MANAGEMENT_ACCOUNT = "111111111111";

    /** Child (account or OU) → its parent (OU or root, "r-…"), in the order they were added. */
    public final Map<String, String> parents = new LinkedHashMap<>();
    /** Accounts not ACTIVE; the others are. */
    public final Map<String, AccountState> states = new HashMap<>();
    /** Operation name ("ListAccounts", ...) → the error code it fails with. */
    public final Map<String, String> failures = new HashMap<>();
    public final List<String> calls = new ArrayList<>();

    /** Puts an account or OU under a parent (an OU id or a root id r-…). */
    public FakeOrganizations under(String parent, String... children) {
        for (String child : children) {
            parents.put(child, parent);
        }
        return this;
    }

    /** Calls of one operation ("ListAccounts", "DescribeAccount", ...). */
    public long count(String operation) {
        return calls.stream().filter(c -> c.equals(operation) || c.startsWith(operation + " ")).count();
    }

    private void record(String operation, String call) {
        calls.add(call);
        String code = failures.get(operation);
        if (code != null) {
            throw Stubs.error(code);
        }
    }

    private static boolean isAccount(String id) {
        return id.matches("\\d{12}");
    }

    private Account account(String id) {
        AccountState state = states.getOrDefault(id, AccountState.ACTIVE);
        return Account.builder().id(id).state(state)
                .arn("arn:aws:organizations::" + MANAGEMENT_ACCOUNT + ":account/" + ORGANIZATION_ID + "/" + id).build();
    }

    private boolean isParent(String id) {
        return id.startsWith("r-") ? parents.containsValue(id) : parents.containsKey(id) && id.startsWith("ou-");
    }

    @Override
    public DescribeAccountResponse describeAccount(DescribeAccountRequest request) {
        record("DescribeAccount", "DescribeAccount " + request.accountId());
        if (!parents.containsKey(request.accountId())) {
            throw Stubs.error("AccountNotFoundException");
        }
        return DescribeAccountResponse.builder().account(account(request.accountId())).build();
    }

    @Override
    public ListParentsResponse listParents(ListParentsRequest request) {
        record("ListParents", "ListParents " + request.childId());
        String parent = parents.get(request.childId());
        if (parent == null) {
            throw Stubs.error("ChildNotFoundException");
        }
        return ListParentsResponse.builder().parents(Parent.builder().id(parent)
                .type(parent.startsWith("r-") ? ParentType.ROOT : ParentType.ORGANIZATIONAL_UNIT).build()).build();
    }

    @Override
    public ListAccountsResponse listAccounts(ListAccountsRequest request) {
        record("ListAccounts", "ListAccounts " + request.nextToken());
        List<String> all = parents.keySet().stream().filter(FakeOrganizations::isAccount).toList();
        Page page = page(all, request.nextToken(), request.maxResults());
        return ListAccountsResponse.builder().accounts(page.items().stream().map(this::account).toList())
                .nextToken(page.next()).build();
    }

    @Override
    public ListAccountsForParentResponse listAccountsForParent(ListAccountsForParentRequest request) {
        record("ListAccountsForParent", "ListAccountsForParent " + request.parentId() + " " + request.nextToken());
        if (!isParent(request.parentId())) {
            throw Stubs.error("ParentNotFoundException");
        }
        Page page = page(children(request.parentId(), true), request.nextToken(), request.maxResults());
        return ListAccountsForParentResponse.builder().accounts(page.items().stream().map(this::account).toList())
                .nextToken(page.next()).build();
    }

    @Override
    public ListChildrenResponse listChildren(ListChildrenRequest request) {
        record("ListChildren", "ListChildren " + request.parentId() + " " + request.childType() + " "
                + request.nextToken());
        if (!isParent(request.parentId())) {
            throw Stubs.error("ParentNotFoundException");
        }
        boolean accounts = request.childType() == ChildType.ACCOUNT;
        Page page = page(children(request.parentId(), accounts), request.nextToken(), request.maxResults());
        return ListChildrenResponse.builder().children(page.items().stream()
                .map(id -> Child.builder().id(id).type(request.childType()).build()).toList())
                .nextToken(page.next()).build();
    }

    private List<String> children(String parent, boolean accounts) {
        return parents.entrySet().stream().filter(e -> e.getValue().equals(parent))
                .map(Map.Entry::getKey).filter(id -> isAccount(id) == accounts).toList();
    }

    private record Page(List<String> items, String next) {
    }

    private static Page page(List<String> items, String token, Integer maxResults) {
        int start = token == null ? 0 : Integer.parseInt(token);
        int size = Math.min(maxResults == null ? PAGE_SIZE : maxResults, PAGE_SIZE);
        int end = Math.min(start + size, items.size());
        return new Page(items.subList(start, end), end < items.size() ? String.valueOf(end) : null);
    }

    @Override
    public String serviceName() {
        return "organizations";
    }

    @Override
    public void close() {
    }
}
