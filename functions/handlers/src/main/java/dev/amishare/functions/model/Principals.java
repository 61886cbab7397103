package dev.amishare.functions.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Whom a share is for: accounts, organizations and OUs. The same three lists travel from Prepare to the
 * launch-permission, key-policy and revoke stages, so they are one value.
 *
 * @param accountIds target accounts, 12 digits each
 * @param organizationArns organizations whose every account gets access
 * @param organizationalUnitArns OUs whose every account (and every OU below) gets access
 */
public record Principals(List<String> accountIds, List<String> organizationArns,
        List<String> organizationalUnitArns) {

    public static final Principals NONE = new Principals(null, null, null);

    public Principals {
        accountIds = accountIds == null ? List.of() : List.copyOf(accountIds);
        organizationArns = organizationArns == null ? List.of() : List.copyOf(organizationArns);
        organizationalUnitArns = organizationalUnitArns == null ? List.of() : List.copyOf(organizationalUnitArns);
    }

    public static Principals ofAccounts(List<String> accountIds) {
        return new Principals(accountIds, null, null);
    }

    /**
     * Principals as launch permissions and the ledger name them, sorted into their three kinds: 12-digit
     * account ids, organization ARNs ({@code …:organization/o-…}), OU ARNs ({@code …:ou/o-…/ou-…}).
     */
    public static Principals of(java.util.Collection<String> principals) {
        List<String> accounts = new ArrayList<>();
        List<String> organizations = new ArrayList<>();
        List<String> units = new ArrayList<>();
        for (String p : new java.util.TreeSet<>(principals)) {
            if (p.contains(":ou/")) {
                units.add(p);
            } else if (p.contains(":organization/")) {
                organizations.add(p);
            } else {
                accounts.add(p);
            }
        }
        return new Principals(accounts, organizations, units);
    }

    @JsonIgnore
    public boolean isEmpty() {
        return accountIds.isEmpty() && organizationArns.isEmpty() && organizationalUnitArns.isEmpty();
    }

    /** Every principal as launch permissions name them: account ids, then organization and OU ARNs. */
    @JsonIgnore
    public List<String> all() {
        List<String> all = new ArrayList<>(accountIds);
        all.addAll(organizationArns);
        all.addAll(organizationalUnitArns);
        return all;
    }

    /**
     * Adds every problem to {@code v}: each id well formed, none twice, at least one principal.
     * {@code field} names this value in the problems ("principals").
     */
    public Validation checkInto(Validation v, String field) {
        String at = field.isEmpty() ? "" : field + ".";
        v.each(accountIds, IdKind.ACCOUNT_ID, at + "accountIds")
                .each(organizationArns, IdKind.ORGANIZATION_ARN, at + "organizationArns")
                .each(organizationalUnitArns, IdKind.ORGANIZATIONAL_UNIT_ARN, at + "organizationalUnitArns");
        return v.require(!isEmpty(), at + "accountIds, " + at + "organizationArns, " + at
                + "organizationalUnitArns: at least one target is required");
    }

    /** These principals and then those of {@code other} that are not among them. */
    public Principals plus(Principals other) {
        return new Principals(union(accountIds, other.accountIds), union(organizationArns, other.organizationArns),
                union(organizationalUnitArns, other.organizationalUnitArns));
    }

    private static List<String> union(List<String> a, List<String> b) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /** Adds a problem for each malformed or repeated id, without requiring any principal. */
    public Validation checkIdsInto(Validation v, String field) {
        String at = field.isEmpty() ? "" : field + ".";
        return v.each(accountIds, IdKind.ACCOUNT_ID, at + "accountIds")
                .each(organizationArns, IdKind.ORGANIZATION_ARN, at + "organizationArns")
                .each(organizationalUnitArns, IdKind.ORGANIZATIONAL_UNIT_ARN, at + "organizationalUnitArns");
    }

    /** The same principals without those in {@code kept} (ids and ARNs as launch permissions name them). */
    public Principals without(java.util.Set<String> kept) {
        return new Principals(accountIds.stream().filter(p -> !kept.contains(p)).toList(),
                organizationArns.stream().filter(p -> !kept.contains(p)).toList(),
                organizationalUnitArns.stream().filter(p -> !kept.contains(p)).toList());
    }

}
