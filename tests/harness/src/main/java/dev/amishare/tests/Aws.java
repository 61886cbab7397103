package dev.amishare.tests;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * SDK clients against the emulator for any test account and region, built once and shared. The
 * account is chosen by the access key id, as LocalStack reads it.
 */
public final class Aws implements AutoCloseable {

    private final URI endpoint;
    private final SdkHttpClient http = UrlConnectionHttpClient.create();
    private final Map<String, SdkClient> clients = new ConcurrentHashMap<>();

    public Aws(URI endpoint) {
        this.endpoint = endpoint;
    }

    public URI endpoint() {
        return endpoint;
    }

    public static AwsCredentialsProvider credentials(String account) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(account, "test"));
    }

    public Ec2Client ec2(String account) {
        return ec2(account, Accounts.REGION);
    }

    public Ec2Client ec2(String account, String region) {
        return (Ec2Client) clients.computeIfAbsent("ec2/" + account + "/" + region, k -> Ec2Client.builder()
                .endpointOverride(endpoint).httpClient(http).region(Region.of(region))
                .credentialsProvider(credentials(account)).build());
    }

    public KmsClient kms(String account) {
        return kms(account, Accounts.REGION);
    }

    public KmsClient kms(String account, String region) {
        return (KmsClient) clients.computeIfAbsent("kms/" + account + "/" + region, k -> KmsClient.builder()
                .endpointOverride(endpoint).httpClient(http).region(Region.of(region))
                .credentialsProvider(credentials(account)).build());
    }

    public StsClient sts(String account) {
        return (StsClient) clients.computeIfAbsent("sts/" + account, k -> StsClient.builder()
                .endpointOverride(endpoint).httpClient(http).region(Region.of(Accounts.REGION))
                .credentialsProvider(credentials(account)).build());
    }

    public EventBridgeClient events(String account) {
        return (EventBridgeClient) clients.computeIfAbsent("events/" + account, k -> EventBridgeClient.builder()
                .endpointOverride(endpoint).httpClient(http).region(Region.of(Accounts.REGION))
                .credentialsProvider(credentials(account)).build());
    }

    public IamClient iam(String account) {
        return (IamClient) clients.computeIfAbsent("iam/" + account, k -> IamClient.builder()
                .endpointOverride(endpoint).httpClient(http).region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials(account)).build());
    }

    public SfnClient sfn(String account) {
        return (SfnClient) clients.computeIfAbsent("sfn/" + account, k -> SfnClient.builder()
                .endpointOverride(endpoint).httpClient(http).region(Region.of(Accounts.REGION))
                .credentialsProvider(credentials(account)).build());
    }

    public LambdaClient lambda(String account) {
        return (LambdaClient) clients.computeIfAbsent("lambda/" + account, k -> LambdaClient.builder()
                .endpointOverride(endpoint).httpClient(http).region(Region.of(Accounts.REGION))
                .credentialsProvider(credentials(account)).build());
    }

    public OrganizationsClient organizations(String account) {
        return (OrganizationsClient) clients.computeIfAbsent("organizations/" + account, k -> OrganizationsClient
                .builder().endpointOverride(endpoint).httpClient(http).region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials(account)).build());
    }

    public DynamoDbClient dynamoDb(String account) {
        return (DynamoDbClient) clients.computeIfAbsent("dynamodb/" + account, k -> DynamoDbClient.builder()
                .endpointOverride(endpoint).httpClient(http).region(Region.of(Accounts.REGION))
                .credentialsProvider(credentials(account)).build());
    }

    public SsmClient ssm(String account) {
        return (SsmClient) clients.computeIfAbsent("ssm/" + account, k -> SsmClient.builder()
                .endpointOverride(endpoint).httpClient(http).region(Region.of(Accounts.REGION))
                .credentialsProvider(credentials(account)).build());
    }

    /** Path-style: the emulator's host name cannot carry the bucket. */
    public S3Client s3(String account) {
        return (S3Client) clients.computeIfAbsent("s3/" + account, k -> S3Client.builder()
                .endpointOverride(endpoint).httpClient(http).region(Region.of(Accounts.REGION)).forcePathStyle(true)
                .credentialsProvider(credentials(account)).build());
    }

    /** The JSON object at {@code s3://bucket/key}, as the owner account reads it. */
    public com.fasterxml.jackson.databind.JsonNode s3Json(String bucket, String key) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    s3(Accounts.OWNER).getObjectAsBytes(r -> r.bucket(bucket).key(key)).asUtf8String());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("s3://" + bucket + "/" + key + " is not JSON", e);
        }
    }

    @Override
    public void close() {
        clients.values().forEach(SdkClient::close);
        http.close();
    }
}
