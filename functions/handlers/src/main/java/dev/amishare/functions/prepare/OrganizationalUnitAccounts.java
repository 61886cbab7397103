package dev.amishare.functions.prepare;

import java.util.List;

/** Lists the accounts of an OU and of the OUs below it, for {@code copyToOrganizationalUnits}. */
@FunctionalInterface
public interface OrganizationalUnitAccounts {

    /** The active accounts under {@code organizationalUnitArn}, at any depth. */
    List<String> accountsUnder(String organizationalUnitArn);
}
