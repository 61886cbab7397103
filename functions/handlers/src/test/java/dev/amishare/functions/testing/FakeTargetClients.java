package dev.amishare.functions.testing;

import dev.amishare.functions.common.TargetClients;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;

/** Hands out in-memory clients of one target account, one EC2 and one KMS per region. */
public final class FakeTargetClients implements TargetClients {

    public final Map<String, FakeEc2> ec2 = new HashMap<>();
    public final Map<String, RecordingKms> kms = new HashMap<>();
    public final FakeIam iam = new FakeIam();
    /** Access key ids of the credentials each client was built with. */
    public final List<String> credentialsUsed = new ArrayList<>();

    public FakeEc2 ec2(String region) {
        return ec2.computeIfAbsent(region, FakeEc2::new);
    }

    public RecordingKms kms(String region) {
        return kms.computeIfAbsent(region, r -> new RecordingKms());
    }

    @Override
    public Ec2Client ec2(AwsCredentialsProvider credentials, String region) {
        credentialsUsed.add(credentials.resolveCredentials().accessKeyId());
        return ec2(region);
    }

    @Override
    public KmsClient kms(AwsCredentialsProvider credentials, String region) {
        credentialsUsed.add(credentials.resolveCredentials().accessKeyId());
        return kms(region);
    }

    @Override
    public IamClient iam(AwsCredentialsProvider credentials) {
        credentialsUsed.add(credentials.resolveCredentials().accessKeyId());
        return iam;
    }
}
