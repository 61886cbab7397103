package dev.amishare.functions.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.AwsAccessDeniedException;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.OrganizationalUnitNotFoundException;
import dev.amishare.functions.testing.FakeOrganizations;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.Account;
import software.amazon.awssdk.services.organizations.model.AccountState;
import software.amazon.awssdk.services.organizations.model.AccountStatus;
import software.amazon.awssdk.services.organizations.model.ListAccountsRequest;
import software.amazon.awssdk.services.organizations.model.ListAccountsResponse;

class OrganizationDirectoryTest {

    private static final String TARGETS_OU = "ou-ab12-targets1";
    private static final String NESTED_OU = "ou-ab12-nested01";
    private static final String DEEPER_OU = "ou-ab12-deeper01";
    private static final String OTHER_OU = "ou-ab12-others01";

    private final FakeOrganizations organizations = new FakeOrganizations();
    private final OrganizationDirectory directory = new OrganizationDirectory(organizations);

    private static String ouArn(String ou) {
        return "arn:aws:organizations::111111111111:ou/" + FakeOrganizations.ORGANIZATION_ID + "/" + ou;
    }

    /** Accounts numbered from {@code first}, 12 digits each. */
    private static String[] accounts(long first, int count) {
        return IntStream.range(0, count).mapToObj(i -> String.valueOf(first + i)).toArray(String[]::new);
    }

    @Test
    void accountsUnder_shouldListTheActiveAccountsAtAnyDepth_whenTheOuHasOusBelowIt() {
        // GIVEN targets (45 accounts) ─ nested (2, one suspended) ─ deeper (1); others (1) beside targets
        organizations.under("r-ab12", TARGETS_OU, OTHER_OU)
                .under(TARGETS_OU, accounts(200000000000L, 45)).under(TARGETS_OU, NESTED_OU)
                .under(NESTED_OU, "300000000001", "300000000002", DEEPER_OU)
                .under(DEEPER_OU, "400000000001")
                .under(OTHER_OU, "333333333333");
        organizations.states.put("300000000002", AccountState.SUSPENDED);

        // WHEN
        List<String> accounts = directory.accountsUnder(ouArn(TARGETS_OU));

        // THEN every active account below targets, none beside it
        List<String> expected = new ArrayList<>(List.of(accounts(200000000000L, 45)));
        expected.addAll(List.of("300000000001", "400000000001"));
        assertThat(accounts).containsExactlyElementsOf(expected);
        // 45 accounts are three pages of 20; each OU is asked for its accounts and its OUs
        assertThat(organizations.count("ListAccountsForParent")).isEqualTo(3 + 1 + 1);
        assertThat(organizations.count("ListChildren")).isEqualTo(3);
        assertThat(organizations.calls).allSatisfy(c -> assertThat(c).doesNotContain(OTHER_OU));
    }

    @Test
    void subtree_shouldNameEveryOuBelowAndKeepSuspendedAccounts_whenListed() {
        // GIVEN
        organizations.under("r-ab12", TARGETS_OU).under(TARGETS_OU, "222222222222", NESTED_OU)
                .under(NESTED_OU, "444444444444");
        organizations.states.put("444444444444", AccountState.SUSPENDED);

        // WHEN
        OrganizationDirectory.Subtree subtree = directory.subtree(TARGETS_OU);

        // THEN
        assertThat(subtree.organizationalUnitIds()).containsExactlyInAnyOrder(TARGETS_OU, NESTED_OU);
        assertThat(subtree.accounts()).extracting(OrganizationDirectory.MemberAccount::accountId,
                OrganizationDirectory.MemberAccount::parentId, OrganizationDirectory.MemberAccount::active)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("222222222222", TARGETS_OU, true),
                        org.assertj.core.groups.Tuple.tuple("444444444444", NESTED_OU, false));
        assertThat(subtree.accounts().get(0).organizationId()).isEqualTo(FakeOrganizations.ORGANIZATION_ID);
        assertThat(subtree.activeAccountIds()).containsExactly("222222222222");
    }

    @Test
    void accountsUnder_shouldThrowOrganizationalUnitNotFound_whenTheOuDoesNotExist() {
        // GIVEN an organization without that OU
        organizations.under("r-ab12", TARGETS_OU);

        // WHEN / THEN
        assertThatThrownBy(() -> directory.accountsUnder(ouArn("ou-ab12-missing1")))
                .isInstanceOfSatisfying(OrganizationalUnitNotFoundException.class, e -> {
                    assertThat(e.organizationalUnit()).isEqualTo(ouArn("ou-ab12-missing1"));
                    assertThat(e.isRetryable()).isFalse();
                })
                .hasMessageContaining("does not exist");
    }

    @Test
    void organizationAccounts_shouldFollowEveryPage_whenTheOrganizationHasAThousandAccounts() {
        // GIVEN 1,000 accounts, one of them closed
        organizations.under("r-ab12", accounts(500000000000L, 1000));
        organizations.states.put("500000000007", AccountState.CLOSED);

        // WHEN
        List<String> accounts = directory.organizationAccounts();

        // THEN every active account, in ceil(1000 / 20) calls
        assertThat(accounts).hasSize(999).doesNotContain("500000000007").startsWith("500000000000")
                .endsWith("500000000999");
        assertThat(organizations.count("ListAccounts")).isEqualTo(50);
    }

    @Test
    void organizationAccounts_shouldKeepListing_whenAPageIsEmptyButHasANextToken() {
        // GIVEN Organizations answers an empty first page that still has a token (its List* pages may)
        List<String> tokens = new ArrayList<>();
        OrganizationsClient paging = new OrganizationsClient() {
            @Override
            public ListAccountsResponse listAccounts(ListAccountsRequest request) {
                tokens.add(request.nextToken());
                return request.nextToken() == null ? ListAccountsResponse.builder().nextToken("more").build()
                        : ListAccountsResponse.builder().accounts(Account.builder().id("222222222222")
                                .status(AccountStatus.ACTIVE).build()).build();
            }

            @Override
            public String serviceName() {
                return "organizations";
            }

            @Override
            public void close() {
            }
        };

        // WHEN
        List<String> accounts = new OrganizationDirectory(paging).organizationAccounts();

        // THEN the second page was asked for, and an answer with only the older Status counts too
        assertThat(tokens).containsExactly(null, "more");
        assertThat(accounts).containsExactly("222222222222");
    }

    @Test
    void organizationAccounts_shouldThrowTheCommonErrors_whenOrganizationsThrottlesOrDenies() {
        // GIVEN
        organizations.under("r-ab12", "222222222222");
        organizations.failures.put("ListAccounts", "TooManyRequestsException");

        // WHEN / THEN throttling is retryable
        assertThatThrownBy(directory::organizationAccounts).isInstanceOfSatisfying(AwsThrottledException.class,
                e -> assertThat(e.isRetryable()).isTrue()).hasMessageContaining("organizations:ListAccounts");

        // GIVEN / WHEN / THEN a role without the listing permission is not
        organizations.failures.put("ListAccounts", "AccessDeniedException");
        assertThatThrownBy(directory::organizationAccounts).isInstanceOf(AwsAccessDeniedException.class);
    }

    @Test
    void accountsUnder_shouldRefuse_whenGivenSomethingElseThanAnOuArn() {
        assertThatThrownBy(() -> directory.accountsUnder(TARGETS_OU)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an OU ARN");
        assertThat(organizations.calls).isEmpty();
    }
}
