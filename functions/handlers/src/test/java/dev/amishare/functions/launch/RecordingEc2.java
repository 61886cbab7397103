package dev.amishare.functions.launch;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ServiceClientConfiguration;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeResponse;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeResponse;

/** A stub of the SDK interface for unit tests: keeps launch permissions in memory and records writes. */
final class RecordingEc2 implements Ec2Client {

    final List<LaunchPermission> permissions = new ArrayList<>();
    final List<ModifyImageAttributeRequest> modifications = new ArrayList<>();
    int describeCalls;
    String failWithCode;

    @Override
    public DescribeImageAttributeResponse describeImageAttribute(DescribeImageAttributeRequest request) {
        describeCalls++;
        if (failWithCode != null) {
            throw AwsServiceException.builder()
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode(failWithCode).errorMessage("stubbed").build())
                    .statusCode(400)
                    .build();
        }
        return DescribeImageAttributeResponse.builder().imageId(request.imageId()).launchPermissions(permissions).build();
    }

    @Override
    public ModifyImageAttributeResponse modifyImageAttribute(ModifyImageAttributeRequest request) {
        modifications.add(request);
        permissions.addAll(request.launchPermission().add());
        return ModifyImageAttributeResponse.builder().build();
    }

    @Override
    public Ec2ServiceClientConfiguration serviceClientConfiguration() {
        return Ec2ServiceClientConfiguration.builder().region(Region.US_EAST_1).build();
    }

    @Override
    public String serviceName() {
        return "ec2";
    }

    @Override
    public void close() {
    }
}
