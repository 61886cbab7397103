package dev.amishare.tests.system;

import static org.awaitility.Awaitility.await;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.ContentStreamProvider;
import java.net.http.HttpResponse;
import java.net.http.HttpRequest;
import java.net.http.HttpClient;
import java.net.URI;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.functions.copy.CopyTokenStore;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.DeployedSystem;
import dev.amishare.tests.Executions;
import dev.amishare.tests.OwnerState;
import dev.amishare.tests.ShareRequests;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;

/** What the end-to-end tests share: the deployed system, runs of its workflow, the state of each account. */
final class SystemRun {

    static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    final Aws aws;
    final DeployedSystem system;
    final OwnerState owner;

    SystemRun(Aws aws) {
        this.aws = aws;
        this.system = DeployedSystem.once(aws.endpoint());
        this.owner = new OwnerState(aws);
    }

    SfnClient sfn() {
        return aws.sfn(Accounts.OWNER);
    }

    /** The executions whose Await copy stored a live token for the copy, as the deployed ledger holds them. */
    List<CopyTokenStore.Waiter> copyWaiters(String accountId, String region, String copyId) {
        return new CopyTokenStore(aws.dynamoDb(Accounts.OWNER), system.ledgerTable(), null)
                .get(accountId, region, copyId);
    }

    /** {@code events/system/share-with-copy.json} for one target and its key. */
    static String shareWithCopy(String imageId, String accountId, String kmsKeyId) {
        return ShareRequests.fromFile("share-with-copy.json",
                Map.of("imageId", imageId, "accountId", accountId, "kmsKeyId", kmsKeyId));
    }

    /** Starts the workflow with {@code input} and waits until the execution has ended. */
    DescribeExecutionResponse run(String input) {
        return awaitEnd(Executions.start(sfn(), system.stateMachineArn(), input));
    }

    DescribeExecutionResponse awaitEnd(String executionArn) {
        return await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> sfn().describeExecution(r -> r.executionArn(executionArn)),
                        e -> e.status() != ExecutionStatus.RUNNING);
    }

    /** Waits for an execution (started by an entry point) whose input mentions {@code text}, and its end. */
    DescribeExecutionResponse awaitExecutionMentioning(String text) {
        String arn = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> findExecution(text), Optional::isPresent).orElseThrow();
        return awaitEnd(arn);
    }

    /** The executions whose input mentions {@code text}. */
    List<String> executionsMentioning(String text) {
        return sfn().listExecutions(r -> r.stateMachineArn(system.stateMachineArn()).maxResults(1000)).executions()
                .stream().map(ExecutionListItem::executionArn)
                .filter(arn -> sfn().describeExecution(r -> r.executionArn(arn)).input().contains(text)).toList();
    }

    private Optional<String> findExecution(String text) {
        List<ExecutionListItem> executions = sfn().listExecutions(r -> r.stateMachineArn(system.stateMachineArn())
                .maxResults(1000)).executions();
        return executions.stream().map(ExecutionListItem::executionArn)
                .filter(arn -> sfn().describeExecution(r -> r.executionArn(arn)).input().contains(text))
                .findFirst();
    }

    /** The execution's output: the share summary (only a share within its tolerance has one). */
    static JsonNode report(DescribeExecutionResponse execution) {
        return Executions.output(execution);
    }

    /**
     * The share report ({@code report.json}) of an execution, failed or not: the report stage writes it to
     * {@code shares/<execution name>/report.json} in the owner stack's share bucket, which the deployed
     * definition names as its Distributed Maps' item source.
     */
    JsonNode shareReport(DescribeExecutionResponse execution) {
        String name = execution.executionArn().substring(execution.executionArn().lastIndexOf(':') + 1);
        return aws.s3Json(shareBucket(), "shares/" + name + "/report.json");
    }

    /** The report's outcome for {@code accountId}. */
    JsonNode outcome(DescribeExecutionResponse execution, String accountId) {
        for (JsonNode target : shareReport(execution).path("targets")) {
            if (target.path("accountId").asText().equals(accountId)) {
                return target;
            }
        }
        throw new AssertionError("the report of " + execution.executionArn() + " has no target " + accountId);
    }

    String shareBucket() {
        String definition = sfn().describeStateMachine(r -> r.stateMachineArn(system.stateMachineArn())).definition();
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(definition).path("States")
                    .path("Check targets").path("ItemReader").path("Parameters").path("Bucket").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A customer-managed key in {@code account} for copies. */
    String targetKey(String account) {
        return aws.kms(account).createKey(r -> r.description("amishare copies in " + account)).keyMetadata().arn();
    }

    /** The copies of {@code sourceImageId} that {@code account} owns (tagged by the copy stage). */
    List<Image> copiesIn(String account, String sourceImageId) {
        return aws.ec2(account).describeImages(r -> r.owners("self").filters(
                Filter.builder().name("tag:amishare:source-image").values(sourceImageId).build())).images();
    }

    boolean visibleIn(String account, String imageId) {
        try {
            return !aws.ec2(account).describeImages(r -> r.imageIds(imageId)).images().isEmpty();
        } catch (Ec2Exception e) {
            if ("InvalidAMIID.NotFound".equals(e.awsErrorDetails().errorCode())) {
                return false;
            }
            throw e;
        }
    }

    /** A call to the deployed API signed with SigV4 as the owner account. */
    HttpResponse<String> apiCall(SdkHttpMethod method, String path, String body) throws Exception {
        return apiCall(method, path, body, java.util.Map.of());
    }

    /** The same, with extra request headers (signed with the rest). */
    HttpResponse<String> apiCall(SdkHttpMethod method, String path, String body, java.util.Map<String, String> headers)
            throws Exception {
        URI uri = system.apiUrl(aws.endpoint(), path);
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(method).uri(uri);
        headers.forEach(request::putHeader);
        if (body != null) {
            request.putHeader("Content-Type", "application/json");
        }
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> {
            r.identity(Aws.credentials(Accounts.OWNER).resolveCredentials())
                    .request(request.build())
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, Accounts.REGION);
            if (body != null) {
                r.payload(ContentStreamProvider.fromUtf8String(body));
            }
        });
        HttpRequest.Builder http = HttpRequest.newBuilder(uri).method(method.name(),
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        signed.request().headers().forEach((name, values) -> {
            if (!List.of("host", "content-length").contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> http.header(name, v));
            }
        });
        return HttpClient.newHttpClient().send(http.build(), HttpResponse.BodyHandlers.ofString());
    }
}
