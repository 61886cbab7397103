package dev.amishare.tests;

import java.util.List;
import software.amazon.awssdk.services.kms.model.Tag;

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

    /** The opt-in tag that lets amishare edit a key's policy (see the owner stack). */
    public static final Tag MANAGED = Tag.builder().tagKey("amishare:managed").tagValue("true").build();

    /** Creates the AMI, the keys and a consumer role with {@code permissions}. */
    public static SharedAmi create(Aws aws, ConsumerRoles.Permissions permissions) {
        String key1 = aws.kms(Accounts.OWNER).createKey(r -> r.description("amishare golden volume 1").tags(MANAGED))
                .keyMetadata().arn();
        String key2 = aws.kms(Accounts.OWNER).createKey(r -> r.description("amishare golden volume 2").tags(MANAGED))
                .keyMetadata().arn();
        String imageId = Images.withVolumes(aws.ec2(Accounts.OWNER), List.of(key1, key2));
        String consumerKey = aws.kms(Accounts.CONSUMER).createKey(r -> r.description("amishare consumer copies"))
                .keyMetadata().arn();
        String roleName = ConsumerRoles.DEFAULT_NAME;
        ConsumerRoles.create(aws.iam(Accounts.CONSUMER), roleName, Accounts.OWNER, null, permissions);
        return new SharedAmi(imageId, List.of(key1, key2), consumerKey, roleName);
    }

    public static SharedAmi create(Aws aws) {
        return create(aws, ConsumerRoles.Permissions.FULL);
    }
}
