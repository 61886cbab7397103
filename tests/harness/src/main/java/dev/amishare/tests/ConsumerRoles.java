package dev.amishare.tests;

import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

/**
 * The role amishare assumes in a target account, created the way the consumer stack creates it:
 * trusted by the owner account, allowed exactly what validation and copying need. Variants drop one
 * permission group to reproduce the failure table.
 */
public final class ConsumerRoles {

    public static final String DEFAULT_NAME = "AmiShareConsumer";

    /** The EC2 actions validating, copying and launching a shared AMI take in the target account. */
    public static final List<String> EC2_ACTIONS = List.of(
            "ec2:DescribeImages", "ec2:DescribeSnapshots", "ec2:CopyImage", "ec2:CreateTags", "ec2:RunInstances",
            "ec2:GetAllowedImagesSettings");
    /** The KMS actions on the owner's key and the target's own key (AWS: "share-kms-key", "CopyingAMIs"). */
    public static final List<String> KMS_ACTIONS = List.of(
            "kms:DescribeKey", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant");

    /** Which permission groups the role gets. */
    public enum Permissions {
        FULL(true, true),
        WITHOUT_EC2(false, true),
        WITHOUT_KMS(true, false);

        final boolean ec2;
        final boolean kms;

        Permissions(boolean ec2, boolean kms) {
            this.ec2 = ec2;
            this.kms = kms;
        }
    }

    private ConsumerRoles() {
    }

    /**
     * Creates (or re-creates) {@code roleName} in the account of {@code iam}, trusted by
     * {@code trustedAccount}, with {@code externalId} required when not null.
     */
    public static String create(IamClient iam, String roleName, String trustedAccount, String externalId,
            Permissions permissions) {
        delete(iam, roleName);
        String condition = externalId == null ? ""
                : ",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"" + externalId + "\"}}";
        String trust = """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",\
                "Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"%s}]}"""
                .formatted(trustedAccount, condition);
        String arn;
        try {
            arn = iam.createRole(r -> r.roleName(roleName).assumeRolePolicyDocument(trust)).role().arn();
        } catch (EntityAlreadyExistsException e) {
            arn = iam.getRole(r -> r.roleName(roleName)).role().arn();
        }
        if (permissions.ec2) {
            iam.putRolePolicy(r -> r.roleName(roleName).policyName("ec2").policyDocument(allow(EC2_ACTIONS)));
        }
        if (permissions.kms) {
            iam.putRolePolicy(r -> r.roleName(roleName).policyName("kms").policyDocument(allow(KMS_ACTIONS)));
        }
        // Validation asks IAM what the role may do; the consumer stack grants this on the role itself.
        String self = arn;
        iam.putRolePolicy(r -> r.roleName(roleName).policyName("simulate").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                        + "\"Action\":\"iam:SimulatePrincipalPolicy\",\"Resource\":\"" + self + "\"}]}"));
        return arn;
    }

    public static void delete(IamClient iam, String roleName) {
        try {
            for (String policy : iam.listRolePolicies(r -> r.roleName(roleName)).policyNames()) {
                iam.deleteRolePolicy(r -> r.roleName(roleName).policyName(policy));
            }
            iam.deleteRole(r -> r.roleName(roleName));
        } catch (NoSuchEntityException e) {
            // nothing to delete
        }
    }

    private static String allow(List<String> actions) {
        String list = actions.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(","));
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[" + list
                + "],\"Resource\":\"*\"}]}";
    }
}
