package dev.amishare.functions.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import java.util.List;

/**
 * Whom a stage shares with, in a form whose size does not grow with the number of accounts: the accounts
 * as a list of {@link ShareRequest.Target}s in S3, organizations and OUs inline (one principal each).
 *
 * @param accounts the object holding the target accounts (with their copies); null when there are none
 * @param accountCount how many accounts the object lists
 * @param organizationArns organizations whose every account may launch the AMI
 * @param organizationalUnitArns OUs whose every account may launch the AMI
 */
public record TargetSet(S3Location accounts, int accountCount, List<String> organizationArns,
        List<String> organizationalUnitArns) {

    public static final TargetSet NONE = new TargetSet(null, 0, List.of(), List.of());

    public TargetSet {
        organizationArns = organizationArns == null ? List.of() : List.copyOf(organizationArns);
        organizationalUnitArns = organizationalUnitArns == null ? List.of() : List.copyOf(organizationalUnitArns);
    }

    @JsonIgnore
    public boolean isEmpty() {
        return accounts == null && organizationArns.isEmpty() && organizationalUnitArns.isEmpty();
    }

    /**
     * Adds the problems of a stage input's principals: {@code inline} (named in the input) together with
     * this set must name somebody, and every id must be well formed.
     */
    public Validation checkInto(Validation v, Principals inline, String inlineField) {
        v.each(organizationArns, IdKind.ORGANIZATION_ARN, "targets.organizationArns")
                .each(organizationalUnitArns, IdKind.ORGANIZATIONAL_UNIT_ARN, "targets.organizationalUnitArns");
        if (accounts != null) {
            v.require(accounts.bucket() != null && accounts.key() != null,
                    "targets.accounts: bucket and key are required");
        }
        return isEmpty() ? inline.checkInto(v, inlineField) : inline.checkIdsInto(v, inlineField);
    }
}
