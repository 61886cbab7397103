package dev.amishare.functions.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.amishare.contract.Names;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.ConsumerRoleNotAssumableException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The role amishare acts as in one target account: validation, copies and copy status all go through it.
 *
 * @param accountId the target account
 * @param roleName the consumer role's name there, default {@value Names#DEFAULT_CONSUMER_ROLE}
 * @param externalId the external id its trust policy requires, or null
 */
public record TargetRole(String accountId, String roleName, String externalId) {

    private static final Logger LOG = LogManager.getLogger(TargetRole.class);

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

    /**
     * Assumes the role (in the partition of {@code region}) and returns its temporary credentials as a
     * static provider: the stages finish well within the session's hour, so no refresh is needed.
     */
    public AwsCredentialsProvider assume(StsClient sts, String region) {
        String roleArn = arn(region);
        AssumeRoleResponse response;
        try {
            response = sts.assumeRole(r -> r.roleArn(roleArn).roleSessionName("amishare").externalId(externalId));
        } catch (AwsServiceException e) {
            RuntimeException mapped = AwsErrors.common("sts:AssumeRole", e);
            if (mapped instanceof AwsThrottledException) {
                throw mapped;
            }
            // AccessDenied is how STS answers a missing role, a trust policy without us and a wrong external id.
            throw new ConsumerRoleNotAssumableException(roleArn, e);
        }
        Credentials c = response.credentials();
        LOG.info("assumed consumer role {}", roleArn);
        return StaticCredentialsProvider.create(
                AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()));
    }

    /** Adds every problem to {@code v}; {@code field} names this value in the problems ("targetRole"). */
    public Validation checkInto(Validation v, String field) {
        return v.matches(accountId, IdKind.ACCOUNT_ID, field + ".accountId")
                .matches(roleName, IdKind.ROLE_NAME, field + ".roleName")
                .optional(externalId, IdKind.EXTERNAL_ID, field + ".externalId");
    }

    @JsonIgnore
    public String describe() {
        return roleName + " in " + accountId;
    }
}
