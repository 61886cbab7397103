package dev.amishare.functions.common;

import dev.amishare.contract.Names;
import dev.amishare.contract.Perimeter;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import dev.amishare.functions.ledger.ShareLedger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * SDK clients for the account and region the function runs in. Built once per container: region,
 * credentials and (on the emulator) {@code AWS_ENDPOINT_URL} come from the environment.
 *
 * <p>Lambda always sets {@code AWS_REGION} and the execution role's credentials as environment
 * variables, so the clients take both directly instead of walking the SDK's provider chains (which
 * probe system properties, profile files, web identity, container and instance metadata before
 * settling on the environment). Outside Lambda, without {@code AWS_REGION}, the default chains apply.
 * The SDK still reads {@code AWS_ENDPOINT_URL} itself; the benchmark and the emulator tests rely on it.
 */
public final class AwsClients {

    // One light HTTP client shared by every SDK client of the container: no Netty, no Apache.
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.create();

    /**
     * The SDK's standard retry strategy (exponential backoff with jitter, throttling recognised), capped at two
     * attempts: one quick retry absorbs a dropped connection or a single throttled call, and the state machine
     * does the long backoff (see the statemachine module's {@code Throttling}). Without the cap the SDK's own
     * attempts would multiply with the state machine's. Set explicitly so that no {@code AWS_RETRY_MODE} or
     * profile setting changes it; this strategy does not count KMS {@code LimitExceededException} (a quota) as
     * throttling.
     */
    static final int SDK_MAX_ATTEMPTS = 2;

    private AwsClients() {
    }

    /**
     * What every client of amishare is built with: the bounded retry strategy, one per client (a strategy
     * keeps its own retry token bucket).
     */
    static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(SDK_MAX_ATTEMPTS)
                        .build())
                .build();
    }

    public static SdkHttpClient http() {
        return HTTP;
    }

    public static Ec2Client ec2() {
        return configure(Ec2Client.builder().httpClient(HTTP)).build();
    }

    /** Region and credentials from Lambda's environment when it is there; the SDK's chains otherwise. */
    static <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
        builder.overrideConfiguration(overrides());
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isEmpty()) {
            return builder;
        }
        return builder.region(Region.of(region)).credentialsProvider(credentials());
    }

    private static AwsCredentialsProvider credentials() {
        // Lambda exports the role's keys (and session token) as environment variables.
        return System.getenv("AWS_ACCESS_KEY_ID") != null
                ? EnvironmentVariableCredentialsProvider.create()
                : DefaultCredentialsProvider.builder().build();
    }

    public static KmsClient kms() {
        return configure(KmsClient.builder().httpClient(HTTP)).build();
    }

    /**
     * Path-style addressing only when an endpoint is set ({@code AWS_ENDPOINT_URL}, the emulator), whose
     * host name cannot carry the bucket; AWS's own endpoints get virtual-hosted style.
     */
    public static S3Client s3() {
        boolean endpointOverride = System.getenv("AWS_ENDPOINT_URL") != null;
        return configure(S3Client.builder().httpClient(HTTP)).forcePathStyle(endpointOverride).build();
    }

    /** The owner stack's share bucket, named by the function's environment. */
    public static ShareStore shareStore() {
        return new ShareStore(s3(), System.getenv(Names.ENV_SHARE_BUCKET));
    }

    /**
     * The bounded retry strategy as every client has it: a failed condition (ConditionalCheckFailedException,
     * HTTP 400) is not retried by the SDK, so a held lease reaches the state machine's backoff at once.
     */
    public static DynamoDbClient dynamoDb() {
        return configure(DynamoDbClient.builder().httpClient(HTTP)).build();
    }

    /** The owner stack's share ledger, named by the function's environment. */
    public static ShareLedger shareLedger() {
        return new ShareLedger(dynamoDb(), System.getenv(Names.ENV_LEDGER_TABLE));
    }

    public static SfnClient sfn() {
        return configure(SfnClient.builder().httpClient(HTTP)).build();
    }


    public static SsmClient ssm() {
        return configure(SsmClient.builder().httpClient(HTTP)).build();
    }

    /** Organizations has one endpoint per partition, in us-east-1 for the commercial partition. */
    public static OrganizationsClient organizations() {
        return configure(OrganizationsClient.builder().httpClient(HTTP)).region(Region.AWS_GLOBAL).build();
    }

    /** The sharing perimeter from this function's environment, checked through Organizations. */
    public static PerimeterGuard perimeterGuard() {
        Perimeter perimeter = Perimeter.fromEnvironment(System::getenv);
        return new PerimeterGuard(perimeter, perimeter.organizationId() == null ? null : organizations());
    }

    /** Assumes consumer roles with the external id this deployment was configured with. */
    public static ConsumerRoles consumerRoles() {
        return new ConsumerRoles(sts(), System.getenv(Names.ENV_EXTERNAL_ID));
    }

    public static StsClient sts() {
        return configure(StsClient.builder().httpClient(HTTP)).build();
    }

    /**
     * Clients acting as an assumed role in a target account. Each is built per call (credentials and
     * region differ) over the shared HTTP client, and the caller closes it.
     */
    public static TargetClients targetClients() {
        return new TargetClients() {
            @Override
            public Ec2Client ec2(AwsCredentialsProvider credentials, String region) {
                return Ec2Client.builder().httpClient(HTTP).overrideConfiguration(overrides())
                        .credentialsProvider(credentials).region(Region.of(region)).build();
            }

            @Override
            public KmsClient kms(AwsCredentialsProvider credentials, String region) {
                return KmsClient.builder().httpClient(HTTP).overrideConfiguration(overrides())
                        .credentialsProvider(credentials).region(Region.of(region)).build();
            }

            @Override
            public IamClient iam(AwsCredentialsProvider credentials) {
                return IamClient.builder().httpClient(HTTP).overrideConfiguration(overrides())
                        .credentialsProvider(credentials).region(Region.AWS_GLOBAL).build();
            }
        };
    }
}
