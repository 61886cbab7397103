package dev.amishare.functions.consumer;

import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.errors.ConsumerValidationFailedException;
import dev.amishare.functions.common.TargetClients;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Checks, after the grants, what needed them: as the consumer role of one target account, the AMI is
 * visible (launch permission); from the owner side, each of the AMI's keys lets the target use it
 * through EC2 (the key-policy stage read each policy back after its write). What needs no grant — the
 * role's identity policies, the destination keys, Allowed AMIs — was checked for every target before
 * anything was granted ({@code ReadinessService}). It reports all failures together; it changes nothing.
 */
public record ConsumerValidationService(ConsumerRoles roles, TargetClients clients) {

    private static final Logger LOG = LogManager.getLogger(ConsumerValidationService.class);

    public ConsumerValidationResult validate(ConsumerValidationInput input) {
        input.validate();
        String roleArn = input.targetRole().arn(input.sourceRegion());
        AwsCredentialsProvider role = roles.assume(input.targetRole(), input.sourceRegion());

        List<ConsumerCheck> checks = new ArrayList<>();
        checks.add(imageVisible(role, input.imageId(), input.sourceRegion()));
        for (String keyArn : input.ownerKeyArns()) {
            // The owner's key policy binds every permission to EC2 (kms:ViaService), so the role itself cannot
            // call the key; what proves access is the policy as KMS returned it after the write.
            String name = "owner key lets " + input.accountId() + " use it through EC2: " + keyArn;
            boolean verified = input.ownerKeys().stream()
                    .anyMatch(k -> k.keyArn().equals(keyArn) && k.verified());
            checks.add(new ConsumerCheck(name, verified, verified ? "key policy read back after the write"
                    : "the key policy did not hold the account when read back; was it overwritten?"));
        }

        List<String> failed = checks.stream().filter(c -> !c.passed()).map(ConsumerCheck::toString).toList();
        LOG.info("consumer checks in {}: {} passed, {} failed", input.accountId(), checks.size() - failed.size(),
                failed.size());
        if (!failed.isEmpty()) {
            throw new ConsumerValidationFailedException(input.accountId(), failed);
        }
        return new ConsumerValidationResult(input.accountId(), roleArn, checks);
    }

    private ConsumerCheck imageVisible(AwsCredentialsProvider role, String imageId, String region) {
        String name = "image visible: " + imageId + " in " + region;
        try (Ec2Client ec2 = clients.ec2(role, region)) {
            boolean found = !ec2.describeImages(r -> r.imageIds(imageId)).images().isEmpty();
            return new ConsumerCheck(name, found, found ? "listed" : "not listed; is launch permission granted?");
        } catch (AwsServiceException e) {
            return ConsumerCheck.failed(name, e, "ec2:DescribeImages");
        }
    }
}
