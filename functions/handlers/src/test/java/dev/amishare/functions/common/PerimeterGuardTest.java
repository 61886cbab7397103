package dev.amishare.functions.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.contract.Perimeter;
import dev.amishare.errors.OutsidePerimeterException;
import dev.amishare.errors.PerimeterNotConfiguredException;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.testing.FakeOrganizations;
import java.util.List;
import java.util.Map;
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
}
