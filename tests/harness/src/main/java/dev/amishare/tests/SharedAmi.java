package dev.amishare.tests;

import java.util.List;

/**
 * What a sharing test starts from: in the owner account an AMI whose two volumes are encrypted under
 * two customer-managed keys; in the consumer account its own destination key and the consumer role.
 *
 * @param imageId the owner's AMI
 * @param ownerKeyArns the two keys of its volumes, in volume order
 * @param consumerKeyArn the key the consumer copies under
 * @param consumerRoleName the role amishare assumes in the consumer account
 */
public record SharedAmi(String imageId, List<String> ownerKeyArns, String consumerKeyArn, String consumerRoleName) {

    /** Creates the AMI, the keys and a consumer role with {@code permissions}. */
    public static SharedAmi create(Aws aws, ConsumerRoles.Permissions permissions) {
        // Keys opted in (amishare:managed); the AMI and its snapshots not: the stage handlers run here as the
        // owner account itself, not as the owner stack's tag-scoped roles.
        GoldenAmi owner = GoldenAmi.create(aws, GoldenAmi.Spec.standard().withoutImageTag());
        String consumerKey = aws.kms(Accounts.CONSUMER).createKey(r -> r.description("amishare consumer copies"))
                .keyMetadata().arn();
        String roleName = ConsumerRoles.DEFAULT_NAME;
        ConsumerRoles.create(aws.iam(Accounts.CONSUMER), roleName, Accounts.OWNER, null, permissions);
        return new SharedAmi(owner.imageId(), owner.keyArns(), consumerKey, roleName);
    }

    public static SharedAmi create(Aws aws) {
        return create(aws, ConsumerRoles.Permissions.FULL);
    }
}
