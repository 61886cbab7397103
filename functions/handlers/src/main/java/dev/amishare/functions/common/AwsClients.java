package dev.amishare.functions.common;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * SDK clients for the account and region the function runs in. Built once per container: region,
 * credentials and (on the emulator) {@code AWS_ENDPOINT_URL} come from the environment.
 */
public final class AwsClients {

    // One light HTTP client shared by every SDK client of the container: no Netty, no Apache.
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.create();

    private AwsClients() {
    }

    public static SdkHttpClient http() {
        return HTTP;
    }

    public static Ec2Client ec2() {
        return Ec2Client.builder().httpClient(HTTP).build();
    }

    public static KmsClient kms() {
        return KmsClient.builder().httpClient(HTTP).build();
    }

    public static SfnClient sfn() {
        return SfnClient.builder().httpClient(HTTP).build();
    }

    public static SsmClient ssm() {
        return SsmClient.builder().httpClient(HTTP).build();
    }

    public static StsClient sts() {
        return StsClient.builder().httpClient(HTTP).build();
    }

    /**
     * Clients acting as an assumed role in a target account. Each is built per call (credentials and
     * region differ) over the shared HTTP client, and the caller closes it.
     */
    public static TargetClients targetClients() {
        return new TargetClients() {
            @Override
            public Ec2Client ec2(AwsCredentialsProvider credentials, String region) {
                return Ec2Client.builder().httpClient(HTTP).credentialsProvider(credentials).region(Region.of(region))
                        .build();
            }

            @Override
            public KmsClient kms(AwsCredentialsProvider credentials, String region) {
                return KmsClient.builder().httpClient(HTTP).credentialsProvider(credentials).region(Region.of(region))
                        .build();
            }

            @Override
            public IamClient iam(AwsCredentialsProvider credentials) {
                return IamClient.builder().httpClient(HTTP).credentialsProvider(credentials).region(Region.AWS_GLOBAL)
                        .build();
            }
        };
    }
}
