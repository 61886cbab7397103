package dev.amishare.tests;

import dev.amishare.functions.common.TargetClients;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The production {@link TargetClients} contract pointed at the emulator: real SDK clients with the
 * assumed role's credentials, only the endpoint differs (Lambda takes it from AWS_ENDPOINT_URL).
 */
public final class EmulatorTargetClients implements TargetClients {

    private final URI endpoint;

    public EmulatorTargetClients(URI endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public Ec2Client ec2(AwsCredentialsProvider credentials, String region) {
        return Ec2Client.builder().endpointOverride(endpoint).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(credentials).region(Region.of(region)).build();
    }

    @Override
    public KmsClient kms(AwsCredentialsProvider credentials, String region) {
        return KmsClient.builder().endpointOverride(endpoint).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(credentials).region(Region.of(region)).build();
    }

    @Override
    public IamClient iam(AwsCredentialsProvider credentials) {
        return IamClient.builder().endpointOverride(endpoint).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(credentials).region(Region.AWS_GLOBAL).build();
    }
}
