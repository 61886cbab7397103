package dev.amishare.functions.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.Account;
import software.amazon.awssdk.services.organizations.model.DescribeAccountRequest;
import software.amazon.awssdk.services.organizations.model.DescribeAccountResponse;
import software.amazon.awssdk.services.organizations.model.ListParentsRequest;
import software.amazon.awssdk.services.organizations.model.ListParentsResponse;
import software.amazon.awssdk.services.organizations.model.Parent;
import software.amazon.awssdk.services.organizations.model.ParentType;

/** A stub of Organizations for unit tests: members and each account's or OU's parent, as a tree. */
public final class FakeOrganizations implements OrganizationsClient {

    /** Child (account or OU) → its parent (OU or root, "r-…"). */
    public final Map<String, String> parents = new HashMap<>();
    public final List<String> calls = new ArrayList<>();

    /** Puts an account or OU under a parent (an OU id or a root id r-…). */
    public FakeOrganizations under(String parent, String... children) {
        for (String child : children) {
            parents.put(child, parent);
        }
        return this;
    }

    @Override
    public DescribeAccountResponse describeAccount(DescribeAccountRequest request) {
        calls.add("DescribeAccount " + request.accountId());
        if (!parents.containsKey(request.accountId())) {
            throw Stubs.error("AccountNotFoundException");
        }
        return DescribeAccountResponse.builder().account(Account.builder().id(request.accountId()).build()).build();
    }

    @Override
    public ListParentsResponse listParents(ListParentsRequest request) {
        calls.add("ListParents " + request.childId());
        String parent = parents.get(request.childId());
        if (parent == null) {
            throw Stubs.error("ChildNotFoundException");
        }
        return ListParentsResponse.builder().parents(Parent.builder().id(parent)
                .type(parent.startsWith("r-") ? ParentType.ROOT : ParentType.ORGANIZATIONAL_UNIT).build()).build();
    }

    @Override
    public String serviceName() {
        return "organizations";
    }

    @Override
    public void close() {
    }
}
