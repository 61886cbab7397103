package dev.amishare.functions.readiness;

import dev.amishare.contract.ConsumerActions;
import dev.amishare.contract.Names;
import dev.amishare.errors.AmishareException;
import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.functions.common.TargetClients;
import dev.amishare.functions.consumer.ConsumerCheck;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetRole;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.GetAllowedImagesSettingsResponse;
import software.amazon.awssdk.services.ec2.model.ImageCriterion;
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
 * Checks, before anything is granted, whether each target of a batch can take the share: everything that
 * needs no grant from the owner. As the target's consumer role: the role can be assumed; its identity
 * policies allow launching the AMI, copying it (when the target copies) and what EC2 does with the owner's
 * and the destination keys (IAM simulation); each destination key is usable; the target's Allowed AMIs
 * settings admit images of the owner account. A target that fails any check is "not ready": the workflow
 * grants it nothing and reports every reason. It changes nothing anywhere.
 * <p>
 * Throttling is not a property of the target: it fails the whole batch, which Step Functions retries.
 */
public record ReadinessService(ConsumerRoles roles, TargetClients clients) {

    private static final Logger LOG = LogManager.getLogger(ReadinessService.class);

    static final List<String> KEY_ACTIONS = ConsumerActions.keyActions();

    public CheckTargetsResult check(CheckTargetsInput input) {
        input.validate();
        List<Readiness> out = new ArrayList<>();
        for (ShareRequest.Target target : input.items()) {
            out.add(check(input.batchInput(), target));
        }
        long ready = out.stream().filter(Readiness::ready).count();
        LOG.info("readiness of {} targets: {} ready, {} not ready", out.size(), ready, out.size() - ready);
        return new CheckTargetsResult(out);
    }

    private Readiness check(ReadinessContext context, ShareRequest.Target target) {
        TargetRole targetRole = new TargetRole(target.accountId(), context.consumerRoleName());
        String region = context.sourceRegion();
        AwsCredentialsProvider role;
        try {
            role = roles.assume(targetRole, region);
        } catch (AmishareException e) {
            if (e.isRetryable()) {
                throw e;
            }
            LOG.info("target {} not ready: {}", target.accountId(), e.getMessage());
            return new Readiness(target.accountId(), false, List.of(e.getMessage()));
        }
        String roleArn = targetRole.arn(region);
        List<ConsumerCheck> checks = new ArrayList<>();
        Set<String> keyArns = new LinkedHashSet<>(context.ownerKeyArns());
        for (ShareRequest.Copy copy : target.copy()) {
            if (copy.kmsKeyId().startsWith("arn:")) {
                keyArns.add(copy.kmsKeyId());
            }
            checks.add(keyUsable(role, "destination key usable: " + copy.kmsKeyId() + " in " + copy.region(),
                    copy.region(), copy.kmsKeyId(), keyArns));
        }
        checks.add(allowedImages(role, context));
        checks.addAll(simulations(role, roleArn, context, target, keyArns));

        List<String> failed = checks.stream().filter(c -> !c.passed()).map(ConsumerCheck::toString).toList();
        LOG.info("target {} {}: {} checks, {} failed", target.accountId(), failed.isEmpty() ? "ready" : "not ready",
                checks.size(), failed.size());
        return new Readiness(target.accountId(), failed.isEmpty(), failed);
    }

    /**
     * Each EC2 action simulated on the resources EC2 authorizes it on (Service Authorization Reference,
     * Amazon EC2): the shared image for launching and as the copy's source, the new image in each copy
     * region, whose tags CopyImage creates itself; the keys as EC2 uses them for the role.
     */
    private List<ConsumerCheck> simulations(AwsCredentialsProvider role, String roleArn, ReadinessContext context,
            ShareRequest.Target target, Set<String> keyArns) {
        List<ConsumerCheck> checks = new ArrayList<>();
        String partition = roleArn.split(":")[1];
        String sourceImage = imageArn(partition, context.sourceRegion(), context.imageId());
        try (IamClient iam = clients.iam(role)) {
            checks.addAll(simulate(iam, roleArn, List.of(ConsumerActions.DESCRIBE_IMAGES), null, Map.of()));
            checks.addAll(simulate(iam, roleArn, List.of(ConsumerActions.RUN_INSTANCES), sourceImage, Map.of()));
            if (!target.copy().isEmpty()) {
                checks.addAll(simulate(iam, roleArn, List.of(ConsumerActions.COPY_IMAGE), sourceImage,
                        Map.of("ec2:Owner", List.of(context.ownerAccountId()))));
                for (String region : target.copy().stream().map(ShareRequest.Copy::region).distinct().toList()) {
                    String copies = imageArn(partition, region, "*");
                    checks.addAll(simulate(iam, roleArn, List.of(ConsumerActions.COPY_IMAGE), copies,
                            Map.of("aws:ResourceAccount", List.of(target.accountId()))));
                    checks.addAll(simulate(iam, roleArn, List.of(ConsumerActions.CREATE_TAGS), copies,
                            Map.of(ConsumerActions.CREATE_TAGS_ACTION_KEY, List.of("CopyImage"),
                                    "aws:TagKeys", Names.COPY_TAG_KEYS)));
                }
            }
            for (String keyArn : keyArns) {
                // EC2 uses the key for the role and creates grants as an AWS resource, in the key's region.
                checks.addAll(simulate(iam, roleArn, KEY_ACTIONS, keyArn, Map.of(
                        "kms:ViaService", List.of("ec2." + regionOf(keyArn) + ".amazonaws.com"))));
            }
        }
        return checks;
    }

    /**
     * The target's Allowed AMIs settings in the AMI's region (EC2 UserGuide "ec2-allowed-amis"): when
     * enabled, an AMI of another account can be found and launched only if a criterion admits it. amishare
     * evaluates the criteria's image providers and names; a criterion that also names other conditions
     * (creation date, deprecation, marketplace codes) is taken as admitting only if those are absent,
     * so an unknown condition makes the target not ready instead of failing at launch. In audit mode
     * nothing is blocked.
     */
    private ConsumerCheck allowedImages(AwsCredentialsProvider role, ReadinessContext context) {
        String name = "allowed AMIs admit images of " + context.ownerAccountId() + " in " + context.sourceRegion();
        GetAllowedImagesSettingsResponse settings;
        try (Ec2Client ec2 = clients.ec2(role, context.sourceRegion())) {
            settings = ec2.getAllowedImagesSettings(r -> { });
        } catch (AwsServiceException e) {
            return ConsumerCheck.failed(name, e, "ec2:GetAllowedImagesSettings");
        }
        String state = settings.state() == null ? "disabled" : settings.state();
        if (!"enabled".equals(state)) {
            return new ConsumerCheck(name, true, "Allowed AMIs " + state);
        }
        for (ImageCriterion criterion : settings.imageCriteria()) {
            if (admits(criterion, context)) {
                return new ConsumerCheck(name, true, "a criterion admits the owner account");
            }
        }
        return new ConsumerCheck(name, false, "Allowed AMIs is enabled and no image criterion admits account "
                + context.ownerAccountId() + " (add it to imageProviders)");
    }

    static boolean admits(ImageCriterion c, ReadinessContext context) {
        boolean providers = !c.hasImageProviders() || c.imageProviders().contains(context.ownerAccountId());
        boolean names = !c.hasImageNames() || (context.imageName() != null
                && c.imageNames().stream().anyMatch(p -> glob(p, context.imageName())));
        boolean otherConditions = c.hasMarketplaceProductCodes() || c.creationDateCondition() != null
                || c.deprecationTimeCondition() != null || c.hasImageWatermarks();
        return providers && names && !otherConditions;
    }

    /** Allowed AMIs name patterns: {@code *} any run of characters, {@code ?} one character. */
    static boolean glob(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char ch : pattern.toCharArray()) {
            switch (ch) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(java.util.regex.Pattern.quote(String.valueOf(ch)));
            }
        }
        return value.matches(regex.toString());
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
            return ConsumerCheck.failed(name, e, "kms:DescribeKey");
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
                checks.add(ConsumerCheck.failed(name(action, resourceArn), e, "iam:SimulatePrincipalPolicy"));
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
    private static String regionOf(String arn) {
        return arn.split(":")[3];
    }
}
