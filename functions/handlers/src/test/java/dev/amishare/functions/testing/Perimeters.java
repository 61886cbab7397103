package dev.amishare.functions.testing;

import dev.amishare.contract.Perimeter;
import dev.amishare.functions.common.PerimeterGuard;

/** The sharing perimeter the unit tests share with: the test organization and the test target accounts. */
public final class Perimeters {

    public static final String ORGANIZATION_ID = "o-a1b2c3d4e5";

    private Perimeters() {
    }

    /**
     * The test organization, whose members are the target accounts the tests name (checked through a stub
     * of Organizations, as in a deployed function); 999999999999 and every other account are outside.
     */
    public static PerimeterGuard testGuard() {
        return new PerimeterGuard(new Perimeter(ORGANIZATION_ID, null, null), new FakeOrganizations()
                .under("r-ab12", "222222222222", "333333333333", "444444444444", "555555555555"));
    }
}
