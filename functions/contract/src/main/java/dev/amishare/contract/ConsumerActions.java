package dev.amishare.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * What the consumer role in a target account must be allowed: the consumer stack grants exactly these,
 * and the validation stage simulates exactly these, so the two cannot drift apart.
 */
public final class ConsumerActions {

    /** Has no resource-level permissions: granted and simulated on {@code *}. */
    public static final String DESCRIBE_IMAGES = "ec2:DescribeImages";
    /** On the shared image: the image-level check EC2 makes when the target launches it. */
    public static final String RUN_INSTANCES = "ec2:RunInstances";
    /** On the shared image (the source) and on the new image in each copy region. */
    public static final String COPY_IMAGE = "ec2:CopyImage";
    /** On the new image and its snapshots, only while CopyImage creates them. */
    public static final String CREATE_TAGS = "ec2:CreateTags";
    public static final String CREATE_TAGS_ACTION_KEY = "ec2:CreateAction";
    /**
     * The readiness check reads the target's Allowed AMIs settings (EC2 UserGuide "ec2-allowed-amis"); no
     * resource-level permissions.
     */
    public static final String GET_ALLOWED_IMAGES_SETTINGS = "ec2:GetAllowedImagesSettings";

    /** Called by the validation stage itself, so not limited to EC2. */
    public static final String DESCRIBE_KEY = "kms:DescribeKey";
    /** What EC2 does with the keys on the target's behalf when it copies or launches (EBS encryption docs). */
    public static final List<String> KEY_USE = List.of("kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
            "kms:GenerateDataKeyWithoutPlaintext");
    public static final String CREATE_GRANT = "kms:CreateGrant";

    private ConsumerActions() {
    }

    /** Every key action validation simulates on each key, as EC2 makes the calls. */
    public static List<String> keyActions() {
        List<String> all = new ArrayList<>(KEY_USE);
        all.add(CREATE_GRANT);
        all.add(DESCRIBE_KEY);
        return List.copyOf(all);
    }
}
