package dev.amishare.functions.common;

import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.ConsumerRoleNotAssumableException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;

/** Assumes the consumer role amishare acts with in a target account. */
public final class ConsumerRole {

    private static final Logger LOG = LogManager.getLogger(ConsumerRole.class);

    private ConsumerRole() {
    }

    public static String arn(String accountId, String roleName) {
        return "arn:aws:iam::" + accountId + ":role/" + roleName;
    }

    /**
     * Returns the role's temporary credentials as a static provider: the stages finish well within
     * the session's hour, so no refresh is needed.
     */
    public static AwsCredentialsProvider assume(StsClient sts, String roleArn, String externalId) {
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
}
