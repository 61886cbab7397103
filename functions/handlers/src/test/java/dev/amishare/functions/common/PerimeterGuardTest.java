package dev.amishare.functions.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.contract.Perimeter;
import dev.amishare.errors.AwsAccessDeniedException;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.OutsidePerimeterException;
import dev.amishare.errors.PerimeterNotConfiguredException;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.testing.FakeOrganizations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PerimeterGuardTest {

    private static final String ORG = "o-a1b2c3d4e5";
    private static final String TARGETS_OU = "ou-ab12-targets1";
    private static final String NESTED_OU = "ou-ab12-nested01";
    private static final String OTHER_OU = "ou-ab12-others01";

    /** r-ab12 ─ targets (222, nested ─ 444) ─ others (333). */
    private final FakeOrganizations organizations = new FakeOrganizations()
            .under("r-ab12", TARGETS_OU, OTHER_OU)
            .under(TARGETS_OU, "222222222222", NESTED_OU)
            .under(NESTED_OU, "444444444444")
            .under(OTHER_OU, "333333333333");

    private static String orgArn(String org) {
        return "arn:aws:organizations::111111111111:organization/" + org;
    }

    private static String ouArn(String ou) {
        return "arn:aws:organizations::111111111111:ou/" + ORG + "/" + ou;
    }

    @Test
    void check_shouldAllowMembersAndListedAccounts_whenThePerimeterIsTheOrganization() {
        // GIVEN the organization plus one partner account outside it
        PerimeterGuard guard = new PerimeterGuard(new Perimeter(ORG, null, List.of("555555555555")), organizations);

        // WHEN / THEN members, the partner, our organization and its OUs pass
        assertThatCode(() -> guard.check(new Principals(List.of("222222222222", "333333333333", "555555555555"),
                List.of(orgArn(ORG)), List.of(ouArn(OTHER_OU))))).doesNotThrowAnyException();
        // The listed partner needs no Organizations call.
        assertThat(organizations.calls).doesNotContain("DescribeAccount 555555555555");
    }

    @Test
    void check_shouldListEveryRefusedPrincipalWithItsReason_whenSeveralAreOutside() {
        // GIVEN
        PerimeterGuard guard = new PerimeterGuard(Perimeter.ofOrganization(ORG), organizations);

        // WHEN / THEN an outside account, a foreign organization and a foreign OU are all named in one error
        assertThatThrownBy(() -> guard.check(new Principals(List.of("222222222222", "999999999999"),
                List.of(orgArn("o-zzzzzzzzzz")),
                List.of("arn:aws:organizations::999999999999:ou/o-zzzzzzzzzz/ou-zz99-abcdefgh")))).isInstanceOfSatisfying(
                OutsidePerimeterException.class, e -> assertThat(e.refused()).containsExactly(
                        "999999999999 (not an allowed account and not a member of o-a1b2c3d4e5)",
                        "arn:aws:organizations::111111111111:organization/o-zzzzzzzzzz (not the perimeter's "
                                + "organization o-a1b2c3d4e5)",
                        "arn:aws:organizations::999999999999:ou/o-zzzzzzzzzz/ou-zz99-abcdefgh (not an OU of the "
                                + "perimeter's organization o-a1b2c3d4e5)"));
    }

    @Test
    void check_shouldAllowOnlyWhatIsUnderTheAllowedOus_whenOusAreConfigured() {
        // GIVEN only the targets OU (and below) of the organization
        PerimeterGuard guard = new PerimeterGuard(new Perimeter(ORG, List.of(TARGETS_OU), null), organizations);

        // WHEN / THEN a member deep under it and the nested OU pass
        assertThatCode(() -> guard.check(new Principals(List.of("222222222222", "444444444444"), null,
                List.of(ouArn(TARGETS_OU), ouArn(NESTED_OU))))).doesNotThrowAnyException();
        // ... a member elsewhere, the sibling OU and the whole organization do not
        assertThatThrownBy(() -> guard.check(new Principals(List.of("333333333333"), List.of(orgArn(ORG)),
                List.of(ouArn(OTHER_OU))))).isInstanceOfSatisfying(OutsidePerimeterException.class,
                e -> assertThat(e.refused()).hasSize(3).allSatisfy(r -> assertThat(r).contains(TARGETS_OU)));
    }

    @Test
    void check_shouldFailClosed_whenNoPerimeterIsConfigured() {
        // GIVEN a function deployed without the perimeter's environment variables
        PerimeterGuard guard = new PerimeterGuard(Perimeter.fromEnvironment(Map.<String, String>of()::get), null);

        // WHEN / THEN nobody is allowed
        assertThatThrownBy(() -> guard.checkAccounts(List.of("222222222222")))
                .isInstanceOf(PerimeterNotConfiguredException.class);
    }

    @Test
    void check_shouldAskOrganizationsOncePerPrincipal_whenCheckedAgain() {
        // GIVEN
        PerimeterGuard guard = new PerimeterGuard(Perimeter.ofOrganization(ORG), organizations);

        // WHEN the same account is checked by several stages of one invocation
        guard.checkAccounts(List.of("222222222222"));
        guard.checkAccounts(List.of("222222222222"));

        // THEN
        assertThat(organizations.calls).containsExactly("DescribeAccount 222222222222");
    }

    @Test
    void perimeter_shouldRoundTripThroughTheEnvironment_whenWrittenByTheStack() {
        // GIVEN
        Perimeter perimeter = new Perimeter(ORG, List.of(TARGETS_OU), List.of("555555555555", "666666666666"));

        // WHEN
        Perimeter read = Perimeter.fromEnvironment(perimeter.environment()::get);

        // THEN
        assertThat(read).isEqualTo(perimeter);
        assertThatThrownBy(() -> new Perimeter("not-an-org", List.of("x"), List.of("12")))
                .hasMessageContaining("not an organization id").hasMessageContaining("not an OU id")
                .hasMessageContaining("not a 12-digit account id");
    }

    // --- organization scale: listing the membership instead of asking per account ---

    private final AtomicLong now = new AtomicLong(1_000_000);

    private PerimeterGuard guard(Perimeter perimeter, FakeOrganizations fake) {
        return new PerimeterGuard(perimeter, fake, now::get);
    }

    /** Accounts numbered from {@code first}, 12 digits each. */
    private static List<String> accounts(long first, int count) {
        return IntStream.range(0, count).mapToObj(i -> String.valueOf(first + i)).toList();
    }

    /** An organization of 1,000 accounts directly under the root. */
    private static FakeOrganizations thousandMembers() {
        return new FakeOrganizations().under("r-ab12", accounts(500000000000L, 1000).toArray(String[]::new));
    }

    @Test
    void check_shouldListTheOrganizationInPages_whenAThousandAccountsAreChecked() {
        // GIVEN
        FakeOrganizations fake = thousandMembers();
        PerimeterGuard guard = guard(Perimeter.ofOrganization(ORG), fake);

        // WHEN all of them are checked, twice (as Prepare, then the grant stages, would)
        guard.checkAccounts(accounts(500000000000L, 1000));
        guard.checkAccounts(accounts(500000000000L, 1000));

        // THEN one listing of ceil(1000 / 20) pages answered both, and no account was asked about
        assertThat(fake.count("ListAccounts")).isEqualTo(50);
        assertThat(fake.count("DescribeAccount")).isZero();
        assertThat(fake.calls).hasSize(50);
    }

    @Test
    void check_shouldRefuseNonMembersAndAllowNamedAccounts_whenTheMembershipIsListed() {
        // GIVEN the organization and a named partner outside it
        FakeOrganizations fake = thousandMembers();
        PerimeterGuard guard = guard(new Perimeter(ORG, null, List.of("555555555555")), fake);
        List<String> checked = new ArrayList<>(accounts(500000000000L, 30));
        checked.addAll(List.of("555555555555", "999999999999"));

        // WHEN / THEN only the outsider is refused, with the same reason as when asked one by one
        assertThatThrownBy(() -> guard.checkAccounts(checked)).isInstanceOfSatisfying(OutsidePerimeterException.class,
                e -> assertThat(e.refused()).containsExactly(
                        "999999999999 (not an allowed account and not a member of o-a1b2c3d4e5)"));
        assertThat(fake.count("DescribeAccount")).isZero();
        assertThat(fake.count("ListAccounts")).isEqualTo(50);
    }

    @Test
    void check_shouldAskPerAccount_whenFewAccountsAreChecked() {
        // GIVEN
        FakeOrganizations fake = thousandMembers();
        PerimeterGuard guard = guard(Perimeter.ofOrganization(ORG), fake);

        // WHEN as many accounts as one page of a listing holds
        guard.checkAccounts(accounts(500000000000L, PerimeterGuard.DESCRIBE_LIMIT));

        // THEN asking them is no dearer than listing 1,000
        assertThat(fake.count("DescribeAccount")).isEqualTo(PerimeterGuard.DESCRIBE_LIMIT);
        assertThat(fake.count("ListAccounts")).isZero();
    }

    @Test
    void check_shouldListOnceAskingAddsUp_whenAccountsAreCheckedOneAtATime() {
        // GIVEN a function checking one target per invocation, as a per-target fan-out calls it
        FakeOrganizations fake = thousandMembers();
        PerimeterGuard guard = guard(Perimeter.ofOrganization(ORG), fake);

        // WHEN 200 different accounts are checked one by one within a minute
        accounts(500000000000L, 200).forEach(a -> guard.checkAccounts(List.of(a)));

        // THEN after one page's worth of DescribeAccount calls, one listing answers the rest
        assertThat(fake.count("DescribeAccount")).isEqualTo(PerimeterGuard.DESCRIBE_LIMIT);
        assertThat(fake.count("ListAccounts")).isEqualTo(50);
    }

    @Test
    void check_shouldListAgain_whenTheListingIsOlderThanAMinute() {
        // GIVEN a listing made now
        FakeOrganizations fake = thousandMembers();
        PerimeterGuard guard = guard(Perimeter.ofOrganization(ORG), fake);
        List<String> checked = accounts(500000000000L, 100);
        guard.checkAccounts(checked);

        // WHEN an account leaves the organization and the same accounts are checked a minute later
        fake.parents.remove("500000000042");
        now.addAndGet(60_001);

        // THEN the membership is listed again and the account that left is refused
        assertThatThrownBy(() -> guard.checkAccounts(checked)).isInstanceOfSatisfying(OutsidePerimeterException.class,
                e -> assertThat(e.refused()).singleElement().asString().startsWith("500000000042 "));
        assertThat(fake.count("ListAccounts")).isEqualTo(50 + 50);
    }

    @Test
    void check_shouldListOnlyTheAllowedOus_whenOusAreConfiguredAndManyAccountsAreChecked() {
        // GIVEN targets (300 accounts) ─ nested (200 accounts); others (500 accounts) beside it
        FakeOrganizations fake = new FakeOrganizations()
                .under("r-ab12", TARGETS_OU, OTHER_OU)
                .under(TARGETS_OU, accounts(200000000000L, 300).toArray(String[]::new)).under(TARGETS_OU, NESTED_OU)
                .under(NESTED_OU, accounts(400000000000L, 200).toArray(String[]::new))
                .under(OTHER_OU, accounts(300000000000L, 500).toArray(String[]::new));
        PerimeterGuard guard = guard(new Perimeter(ORG, List.of(TARGETS_OU), null), fake);
        List<String> inside = new ArrayList<>(accounts(200000000000L, 300));
        inside.addAll(accounts(400000000000L, 200));

        // WHEN the 500 accounts under targets and the nested OU are checked
        guard.check(new Principals(inside, null, List.of(ouArn(NESTED_OU))));

        // THEN each OU's accounts (15 + 10 pages) and OUs were listed once; nobody was asked about one by one
        assertThat(fake.count("ListAccountsForParent")).isEqualTo(15 + 10);
        assertThat(fake.count("ListChildren")).isEqualTo(2);
        assertThat(fake.count("DescribeAccount") + fake.count("ListParents") + fake.count("ListAccounts")).isZero();
        // ... and the same listing refuses what is beside the allowed OU
        assertThatThrownBy(() -> guard.check(new Principals(List.of("300000000000"), null, List.of(ouArn(OTHER_OU)))))
                .isInstanceOfSatisfying(OutsidePerimeterException.class, e -> assertThat(e.refused()).hasSize(2)
                        .allSatisfy(r -> assertThat(r).contains(TARGETS_OU)));
        assertThat(fake.calls).hasSize(15 + 10 + 2);
    }

    @Test
    void check_shouldTreatADeletedAllowedOuAsEmpty_whenTheMembershipIsListed() {
        // GIVEN two allowed OUs, one of which no longer exists
        FakeOrganizations fake = new FakeOrganizations().under("r-ab12", TARGETS_OU)
                .under(TARGETS_OU, accounts(200000000000L, 30).toArray(String[]::new));
        PerimeterGuard guard = guard(new Perimeter(ORG, List.of("ou-ab12-deleted1", TARGETS_OU), null), fake);

        // WHEN / THEN the accounts of the remaining OU pass
        assertThatCode(() -> guard.checkAccounts(accounts(200000000000L, 30))).doesNotThrowAnyException();
    }

    @Test
    void check_shouldCountOnlyAccountsOfThePerimetersOrganization_whenTheListingIsOfAnotherOne() {
        // GIVEN the owner stack runs in another organization than its perimeter names (a misconfiguration):
        // Organizations lists the accounts of the organization the caller is in
        FakeOrganizations fake = thousandMembers();
        PerimeterGuard guard = guard(Perimeter.ofOrganization("o-zzzzzzzzzz"), fake);

        // WHEN / THEN none of them is in the perimeter
        assertThatThrownBy(() -> guard.checkAccounts(accounts(500000000000L, 100)))
                .isInstanceOfSatisfying(OutsidePerimeterException.class, e -> assertThat(e.refused()).hasSize(100));
    }

    @Test
    void check_shouldFailClosed_whenListingTheMembershipFails() {
        // GIVEN Organizations throttles the listing
        FakeOrganizations fake = thousandMembers();
        fake.failures.put("ListAccounts", "TooManyRequestsException");
        PerimeterGuard guard = guard(Perimeter.ofOrganization(ORG), fake);

        // WHEN / THEN the check throws (the state machine retries it) and allows nobody, now or on a retry
        assertThatThrownBy(() -> guard.checkAccounts(accounts(500000000000L, 100)))
                .isInstanceOf(AwsThrottledException.class);
        assertThatThrownBy(() -> guard.checkAccounts(accounts(500000000000L, 100)))
                .isInstanceOf(AwsThrottledException.class);

        // GIVEN / WHEN / THEN a role that may not list is refused too
        fake.failures.put("ListAccounts", "AccessDeniedException");
        assertThatThrownBy(() -> guard.checkAccounts(accounts(500000000000L, 100)))
                .isInstanceOf(AwsAccessDeniedException.class);
    }

    @Test
    void check_shouldFailClosed_whenAnOuListingFails() {
        // GIVEN
        FakeOrganizations fake = new FakeOrganizations().under("r-ab12", TARGETS_OU)
                .under(TARGETS_OU, accounts(200000000000L, 30).toArray(String[]::new));
        fake.failures.put("ListChildren", "TooManyRequestsException");
        PerimeterGuard guard = guard(new Perimeter(ORG, List.of(TARGETS_OU), null), fake);

        // WHEN / THEN
        assertThatThrownBy(() -> guard.checkAccounts(accounts(200000000000L, 30)))
                .isInstanceOf(AwsThrottledException.class);
    }
}
