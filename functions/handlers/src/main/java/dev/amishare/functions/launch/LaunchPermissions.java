package dev.amishare.functions.launch;

import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.functions.common.AwsErrors;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/** Reads who may launch an AMI, as the principals amishare names: account ids, organization and OU ARNs. */
public final class LaunchPermissions {

    private LaunchPermissions() {
    }

    /** The AMI's current launch permissions; an unknown AMI is {@link ImageNotFoundException}. */
    public static Set<String> principals(Ec2Client ec2, String imageId) {
        List<LaunchPermission> permissions;
        try {
            permissions = ec2.describeImageAttribute(r -> r.imageId(imageId)
                    .attribute(ImageAttributeName.LAUNCH_PERMISSION)).launchPermissions();
        } catch (AwsServiceException e) {
            throw translate(ec2, "ec2:DescribeImageAttribute", imageId, e);
        }
        Set<String> principals = new HashSet<>();
        for (LaunchPermission p : permissions) {
            for (String id : new String[] {p.userId(), p.organizationArn(), p.organizationalUnitArn()}) {
                if (id != null) {
                    principals.add(id);
                }
            }
        }
        return principals;
    }

    /** Maps an EC2 error on {@code imageId}: a missing AMI by name, the rest as every stage does. */
    public static RuntimeException translate(Ec2Client ec2, String action, String imageId, AwsServiceException e) {
        if (AwsErrors.code(e).startsWith("InvalidAMIID.")) {
            return new ImageNotFoundException(imageId, ec2.serviceClientConfiguration().region().id(), e);
        }
        return AwsErrors.common(action, e);
    }
}
