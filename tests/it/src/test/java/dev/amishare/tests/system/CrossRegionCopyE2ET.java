package dev.amishare.tests.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.statemachine.WorkflowOptions;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.GoldenAmi;
import dev.amishare.tests.LocalStackExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * A copy into a region where the owner stack is not deployed (eu-west-1; the owner runs in us-east-1): the
 * consumer stack of that region forwards EC2's "EC2 AMI State Change" to the owner's bus in us-east-1, and
 * that event, not the re-check, resumes the waiting workflow.
 */
@ExtendWith(LocalStackExtension.class)
class CrossRegionCopyE2ET {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COPY_EVENT_HANDLER = "dev.amishare.functions.copy.CopyEventHandler";
    private static SystemRun system;

    @BeforeAll
    static void deploy(Aws aws) {
        system = new SystemRun(aws);
    }

    @Test
    void startExecution_shouldBeResumedByTheForwardedEvent_whenTheCopyIsInARegionWithoutTheOwnerStack() {
        // GIVEN a golden AMI in us-east-1 and a key the target created in eu-west-1
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        String targetKey = system.aws.kms(Accounts.CONSUMER, Accounts.OTHER_REGION)
                .createKey(r -> r.description("amishare copies in " + Accounts.CONSUMER + " eu-west-1"))
                .keyMetadata().arn();

        // WHEN the workflow shares it with 222222222222 with a copy into eu-west-1
        DescribeExecutionResponse execution = system.run(copyInto(ami.imageId(), Accounts.OTHER_REGION, targetKey));

        // THEN it succeeds, and the target owns an available copy in eu-west-1 under its key there
        assertThat(execution.status()).as("%s %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        List<Image> copies = system.aws.ec2(Accounts.CONSUMER, Accounts.OTHER_REGION).describeImages(r -> r
                .owners("self").filters(Filter.builder().name("tag:amishare:source-image").values(ami.imageId())
                        .build())).images();
        assertThat(copies).singleElement().satisfies(copy -> {
            assertThat(copy.ownerId()).isEqualTo(Accounts.CONSUMER);
            assertThat(copy.stateAsString()).isEqualTo("available");
            assertThat(copy.blockDeviceMappings()).isNotEmpty().extracting(BlockDeviceMapping::ebs)
                    .allSatisfy(ebs -> assertThat(ebs.kmsKeyId()).isEqualTo(targetKey));
        });
        assertThat(system.copiesIn(Accounts.CONSUMER, ami.imageId())).as("no copy in us-east-1").isEmpty();
        String copyId = copies.get(0).imageId();

        // AND the copy-event function resumed this execution for that copy in eu-west-1: the event reached
        // the owner's bus in us-east-1
        String executionId = execution.executionArn().substring(execution.executionArn().lastIndexOf(':') + 1);
        List<String> resumed = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> copyEventLog(copyId), lines -> !lines.isEmpty());
        assertThat(resumed).anySatisfy(line -> assertThat(line).contains("resumed execution")
                .contains(copyId + " in " + Accounts.OTHER_REGION + " of " + Accounts.CONSUMER)
                .contains(executionId));

        // AND the wait ended long before the re-check would have read the copy again, with no heartbeat
        // timeout (the re-check's trigger) anywhere in the execution's history
        Duration recheck = Duration.ofSeconds(WorkflowOptions.defaults().copyRecheckInterval().toSeconds().longValue());
        Duration took = Duration.between(execution.startDate(), execution.stopDate());
        assertThat(took).as("execution time versus the %s re-check", recheck).isLessThan(recheck.dividedBy(3));
        List<HistoryEvent> history = system.sfn().getExecutionHistory(r -> r.executionArn(execution.executionArn())
                .maxResults(1000)).events();
        assertThat(history).isNotEmpty()
                .noneSatisfy(e -> assertThat(e.toString()).contains("States.HeartbeatTimeout"));
    }

    /** events/system/share-with-copy.json with its one copy moved to {@code region}. */
    private static String copyInto(String imageId, String region, String kmsKeyId) {
        try {
            ObjectNode request = (ObjectNode) JSON.readTree(SystemRun.shareWithCopy(imageId, Accounts.CONSUMER, kmsKeyId));
            ((ObjectNode) request.path("targets").get(0).path("copy").get(0)).put("region", region);
            return JSON.writeValueAsString(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The copy-event function's log lines (owner account) that name {@code copyId}. */
    private static List<String> copyEventLog(String copyId) throws Exception {
        FunctionConfiguration function = system.aws.lambda(Accounts.OWNER).listFunctionsPaginator().functions()
                .stream().filter(f -> f.handler() != null && f.handler().startsWith(COPY_EVENT_HANDLER)).findFirst().orElseThrow();
        // The function's own log group (its LoggingConfig) on AWS; the emulator writes every function's lines
        // to /aws/lambda/<name> whatever the configuration says, so both are read.
        List<String> groups = new ArrayList<>();
        groups.add("/aws/lambda/" + function.functionName());
        if (function.loggingConfig() != null && function.loggingConfig().logGroup() != null) {
            groups.add(function.loggingConfig().logGroup());
        }
        List<String> lines = new ArrayList<>();
        for (String group : groups) {
            JsonNode answer = logs("FilterLogEvents", Map.of("logGroupName", group));
            answer.path("events").forEach(e -> lines.add(e.path("message").asText()));
        }
        return lines.stream().filter(l -> l.contains(copyId)).toList();
    }

    /**
     * One CloudWatch Logs call (JSON protocol) signed as the owner account: the test harness has no Logs
     * client, and the function's log is where the event's arrival shows.
     */
    private static JsonNode logs(String operation, Map<String, Object> body) throws Exception {
        URI uri = system.aws.endpoint();
        String payload = JSON.writeValueAsString(body);
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri)
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "Logs_20140328." + operation).build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(Aws.credentials(Accounts.OWNER).resolveCredentials())
                .request(request)
                .payload(ContentStreamProvider.fromUtf8String(payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "logs")
                .putProperty(AwsV4HttpSigner.REGION_NAME, Accounts.REGION));
        HttpRequest.Builder http = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(payload));
        signed.request().headers().forEach((name, values) -> {
            if (!List.of("host", "content-length").contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> http.header(name, v));
            }
        });
        HttpResponse<String> response = HttpClient.newHttpClient().send(http.build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
