package dev.amishare.functions.common;

import dev.amishare.contract.Names;
import dev.amishare.errors.TransientException;
import dev.amishare.errors.ConsumerRoleNotAssumableException;
import dev.amishare.functions.model.TargetRole;
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
 * Assumes target accounts' consumer roles. The external id their trust policies require is deployment
 * configuration ({@value Names#ENV_EXTERNAL_ID}, the same value the consumer stacks were deployed with),
 * never a request field: whoever may start a share must not choose it.
 */
public final class ConsumerRoles {

    private static final Logger LOG = LogManager.getLogger(ConsumerRoles.class);

    private final StsClient sts;
    private final String externalId;

    /** @param externalId the external id, or null when the consumer stacks require none */
    public ConsumerRoles(StsClient sts, String externalId) {
        this.sts = sts;
        this.externalId = externalId == null || externalId.isBlank() ? null : externalId;
    }

    /**
     * The role's temporary credentials (in the partition of {@code region}) as a static provider: the stages
     * finish well within the session's hour, so no refresh is needed.
     */
    public AwsCredentialsProvider assume(TargetRole role, String region) {
        String roleArn = role.arn(region);
        AssumeRoleResponse response;
        try {
            response = sts.assumeRole(r -> r.roleArn(roleArn).roleSessionName("amishare").externalId(externalId));
        } catch (AwsServiceException e) {
            RuntimeException mapped = AwsErrors.common("sts:AssumeRole", e);
            if (mapped instanceof TransientException) {
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
