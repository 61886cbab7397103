package dev.amishare.functions.model;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;

/**
 * The role amishare acts as in one target account: validation, copies and copy status all go through it
 * ({@code common.ConsumerRoles} assumes it, with the external id fixed at deploy time).
 *
 * @param accountId the target account
 * @param roleName the consumer role's name there, default {@value Names#DEFAULT_CONSUMER_ROLE}
 */
public record TargetRole(String accountId, String roleName) {

    public TargetRole {
        roleName = roleName == null ? Names.DEFAULT_CONSUMER_ROLE : roleName;
    }

    /** The role's ARN in the partition of {@code region} (aws, aws-cn, aws-us-gov, …). */
    public String arn(String region) {
        return "arn:" + partition(region) + ":iam::" + accountId + ":role/" + roleName;
    }

    /** The partition a region belongs to, from the region name as AWS names them. */
    public static String partition(String region) {
        if (region == null) {
            return "aws";
        }
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
        if (region.startsWith("us-gov-")) {
            return "aws-us-gov";
        }
        if (region.startsWith("us-isob-")) {
            return "aws-iso-b";
        }
        if (region.startsWith("us-iso-")) {
            return "aws-iso";
        }
        return "aws";
    }

    /** Adds every problem of {@code role}, a missing one included, to {@code v}. */
    public static Validation check(Validation v, TargetRole role, String field) {
        return role == null ? v.require(false, field + ": missing") : role.checkInto(v, field);
    }

    /** Adds every problem to {@code v}; {@code field} names this value in the problems ("targetRole"). */
    public Validation checkInto(Validation v, String field) {
        return v.matches(accountId, IdKind.ACCOUNT_ID, field + ".accountId")
                .matches(roleName, IdKind.ROLE_NAME, field + ".roleName");
    }

}
