package dev.amishare.functions.access;

import java.util.List;

/**
 * One principal's access to one resource, as AWS has it and as the ledger records it.
 *
 * @param principal an account id, organization ARN or OU ARN; for a key, a principal no grant item names
 *     appears as the policy holds it (organization id, OU path)
 * @param present whether AWS gives the principal access now
 * @param shareIds the shares whose grant items name the principal on this resource, sorted; empty when
 *     none does
 * @param verdict {@link #OK}, {@link #UNRECORDED} or {@link #MISSING}
 */
public record PrincipalAccess(String principal, boolean present, List<String> shareIds, String verdict) {

    /** Present and recorded. */
    public static final String OK = "OK";
    /** Present, but no grant item names it: access given outside amishare, or an item lost. */
    public static final String UNRECORDED = "UNRECORDED";
    /** Recorded, but AWS no longer gives it: access taken away outside amishare. */
    public static final String MISSING = "MISSING";

    public PrincipalAccess {
        shareIds = List.copyOf(shareIds);
    }

    public boolean drift() {
        return !OK.equals(verdict);
    }
}
