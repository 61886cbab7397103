package dev.amishare.errors;

/**
 * Thrown when an OU whose accounts amishare lists does not exist in the organization (Organizations
 * answers {@code ParentNotFoundException}, {@code ChildNotFoundException} or
 * {@code OrganizationalUnitNotFoundException}): it was deleted, mistyped or belongs to another
 * organization. Retrying cannot make it appear; nothing was changed in any account.
 */
public final class OrganizationalUnitNotFoundException extends TerminalException {

    private final String organizationalUnit;

    public OrganizationalUnitNotFoundException(String organizationalUnit, Throwable cause) {
        super("Organizational unit " + organizationalUnit + " does not exist in the organization", cause);
        this.organizationalUnit = organizationalUnit;
    }

    /** The OU as it was asked for: its id or ARN. */
    public String organizationalUnit() {
        return organizationalUnit;
    }
}
