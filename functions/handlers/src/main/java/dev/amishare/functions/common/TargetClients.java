package dev.amishare.functions.common;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Builds SDK clients that act with a target account's credentials. An interface so unit tests can hand
 * out stubs; {@link AwsClients#targetClients()} is the real one. Callers close what they get.
 */
public interface TargetClients {

    Ec2Client ec2(AwsCredentialsProvider credentials, String region);

    KmsClient kms(AwsCredentialsProvider credentials, String region);

    IamClient iam(AwsCredentialsProvider credentials);
}
