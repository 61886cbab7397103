package dev.amishare.functions.common;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

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

    private AwsClients() {
    }

    public static SdkHttpClient http() {
        return HTTP;
    }

    public static Ec2Client ec2() {
        return configure(Ec2Client.builder()).httpClient(HTTP).build();
    }

    /** Region and credentials from Lambda's environment when it is there; the SDK's chains otherwise. */
    static <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
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
}
