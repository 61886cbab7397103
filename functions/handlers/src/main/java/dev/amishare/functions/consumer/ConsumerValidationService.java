package dev.amishare.functions.consumer;

import dev.amishare.errors.TransientException;
import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.errors.ConsumerValidationFailedException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.TargetClients;
import dev.amishare.functions.model.ShareRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import dev.amishare.contract.ConsumerActions;
import dev.amishare.contract.Names;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.ContextEntry;
import software.amazon.awssdk.services.iam.model.ContextKeyTypeEnum;
import software.amazon.awssdk.services.iam.model.EvaluationResult;
import software.amazon.awssdk.services.iam.model.PolicyEvaluationDecisionType;
import software.amazon.awssdk.services.iam.model.SimulatePrincipalPolicyResponse;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;

/**
 * Checks, as the consumer role of one target account, that the target can use the share: the AMI is
 * visible, every key can be reached, and the role's identity policies allow what copying and launching
 * need. It runs every check and reports all failures together; it changes nothing.
 */
public record ConsumerValidationService(ConsumerRoles roles, TargetClients clients) {

    private static final Logger LOG = LogManager.getLogger(ConsumerValidationService.class);

    static final List<String> KEY_ACTIONS = ConsumerActions.keyActions();


    public ConsumerValidationResult validate(ConsumerValidationInput input) {
        input.validate();
        String roleArn = input.targetRole().arn(input.sourceRegion());
        AwsCredentialsProvider role = roles.assume(input.targetRole(), input.sourceRegion());

        List<ConsumerCheck> checks = new ArrayList<>();
        checks.add(imageVisible(role, input.imageId(), input.sourceRegion()));
        // The IAM simulation covers every key whose ARN is known, whether or not DescribeKey got through:
        // a role without KMS permissions must see the KMS actions named, not only "key unusable".
        Set<String> keyArns = new LinkedHashSet<>(input.ownerKeyArns());
        for (String keyArn : input.ownerKeyArns()) {
            checks.add(keyUsable(role, "owner key usable: " + keyArn, regionOf(keyArn), keyArn, keyArns));
        }
        for (ShareRequest.Copy copy : input.copy()) {
            if (copy.kmsKeyId().startsWith("arn:")) {
                keyArns.add(copy.kmsKeyId());
            }
            checks.add(keyUsable(role, "destination key usable: " + copy.kmsKeyId() + " in " + copy.region(),
                    copy.region(), copy.kmsKeyId(), keyArns));
        }
        // Each EC2 action is simulated on the resources EC2 authorizes it on (Service Authorization
        // Reference, Amazon EC2): the shared image for launching and as the copy's source, the new image
        // in each copy region, whose tags are created by CopyImage itself.
        String partition = roleArn.split(":")[1];
        String sourceImage = imageArn(partition, input.sourceRegion(), input.imageId());
        try (IamClient iam = clients.iam(role)) {
            checks.addAll(simulate(iam, roleArn, List.of(ConsumerActions.DESCRIBE_IMAGES), null, Map.of()));
            checks.addAll(simulate(iam, roleArn, List.of(ConsumerActions.RUN_INSTANCES), sourceImage, Map.of()));
            if (!input.copy().isEmpty()) {
                // The source as EC2 sees it: owned by the owner account.
                checks.addAll(simulate(iam, roleArn, List.of(ConsumerActions.COPY_IMAGE), sourceImage,
                        Map.of("ec2:Owner", List.of(input.ownerAccountId()))));
                for (String region : input.copy().stream().map(ShareRequest.Copy::region).distinct().toList()) {
                    // The new image: the target's own, tagged by CopyImage with amishare's keys only.
                    String copies = imageArn(partition, region, "*");
                    checks.addAll(simulate(iam, roleArn, List.of(ConsumerActions.COPY_IMAGE), copies,
                            Map.of("aws:ResourceAccount", List.of(input.accountId()))));
                    checks.addAll(simulate(iam, roleArn, List.of(ConsumerActions.CREATE_TAGS), copies,
                            Map.of(ConsumerActions.CREATE_TAGS_ACTION_KEY, List.of("CopyImage"),
                                    "aws:TagKeys", Names.COPY_TAG_KEYS)));
                }
            }
            for (String keyArn : keyArns) {
                // EC2 uses the key for the role (the consumer stack allows key use only via EC2), and
                // creates grants as an AWS resource: simulate the calls as EC2 makes them, in the key's region.
                checks.addAll(simulate(iam, roleArn, KEY_ACTIONS, keyArn, Map.of(
                        "kms:ViaService", List.of("ec2." + regionOf(keyArn) + ".amazonaws.com"))));
            }
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
            return failed(name, e, "ec2:DescribeImages");
        }
    }

    /** DescribeKey with the role proves the key is reachable; its ARN is kept for the IAM simulation. */
    private ConsumerCheck keyUsable(AwsCredentialsProvider role, String name, String region, String keyId,
            Set<String> keyArns) {
        try (KmsClient kms = clients.kms(role, region)) {
            KeyMetadata key = kms.describeKey(r -> r.keyId(keyId)).keyMetadata();
            keyArns.add(key.arn());
            boolean enabled = key.keyState() == KeyState.ENABLED;
            return new ConsumerCheck(name, enabled, enabled ? "enabled" : "key state is " + key.keyStateAsString());
        } catch (AwsServiceException e) {
            return failed(name, e, "kms:DescribeKey");
        }
    }

    private List<ConsumerCheck> simulate(IamClient iam, String roleArn, List<String> actions, String resourceArn,
            Map<String, List<String>> contextValues) {
        List<ConsumerCheck> checks = new ArrayList<>();
        List<ContextEntry> context = new ArrayList<>();
        // Without kms:GrantIsForAWSResource a condition on it would not match; EC2 always sets it.
        context.add(ContextEntry.builder().contextKeyName("kms:GrantIsForAWSResource")
                .contextKeyType(ContextKeyTypeEnum.BOOLEAN).contextKeyValues("true").build());
        // aws:TagKeys is multi-valued (a string list); the others name one value.
        contextValues.forEach((key, values) -> context.add(ContextEntry.builder().contextKeyName(key)
                .contextKeyType(key.equals("aws:TagKeys") ? ContextKeyTypeEnum.STRING_LIST : ContextKeyTypeEnum.STRING)
                .contextKeyValues(values).build()));
        String marker = null;
        try {
            do {
                String page = marker;
                SimulatePrincipalPolicyResponse response = iam.simulatePrincipalPolicy(r -> {
                    if (resourceArn != null) {
                        r.resourceArns(resourceArn);
                    }
                    r.policySourceArn(roleArn).actionNames(actions).marker(page).contextEntries(context);
                });
                for (EvaluationResult result : response.evaluationResults()) {
                    checks.add(check(result, resourceArn));
                }
                marker = Boolean.TRUE.equals(response.isTruncated()) ? response.marker() : null;
            } while (marker != null);
        } catch (AwsServiceException e) {
            // The role may not simulate its own policies: every action it was asked about counts as failed.
            for (String action : actions) {
                checks.add(failed(name(action, resourceArn), e, "iam:SimulatePrincipalPolicy"));
            }
        }
        return checks;
    }

    private static String imageArn(String partition, String region, String imageId) {
        // Image ARNs carry no account (Service Authorization Reference, Amazon EC2 resource types).
        return "arn:" + partition + ":ec2:" + region + "::image/" + imageId;
    }

    private static ConsumerCheck check(EvaluationResult result, String resourceArn) {
        boolean allowed = result.evalDecision() == PolicyEvaluationDecisionType.ALLOWED;
        String reason = result.evalDecisionAsString();
        if (!allowed && result.hasMissingContextValues() && !result.missingContextValues().isEmpty()) {
            reason += " (missing context: " + String.join(", ", result.missingContextValues()) + ")";
        }
        return new ConsumerCheck(name(result.evalActionName(), resourceArn), allowed, reason);
    }

    private static String name(String action, String resourceArn) {
        return "iam allows " + action + (resourceArn == null ? "" : " on " + resourceArn);
    }

    private static ConsumerCheck failed(String name, AwsServiceException e, String action) {
        RuntimeException mapped = AwsErrors.common(action, e);
        if (mapped instanceof TransientException transientFailure) {
            // Throttling or an AWS-side failure says nothing about the target; let the workflow retry the check.
            throw transientFailure;
        }
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        return new ConsumerCheck(name, false, AwsErrors.code(e) + ": " + message);
    }

    private static String regionOf(String arn) {
        return arn.split(":")[3];
    }
}
