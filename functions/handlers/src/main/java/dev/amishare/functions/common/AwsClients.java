package dev.amishare.functions.common;

import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

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
}
