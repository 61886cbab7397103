package dev.amishare.tests.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.DeployedSystem;
import dev.amishare.tests.Executions;
import dev.amishare.tests.GoldenAmi;
import dev.amishare.tests.ShareRequests;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The README's main command on the emulator: deploys both stacks with the CDK CLI, creates in the owner
 * account a golden AMI whose two volumes are encrypted under two customer-managed keys, starts the
 * deployed workflow with {@code events/system/share-with-copy.json} for the consumer account and a copy
 * under the consumer's own key, follows it, and prints the report. Exits non-zero when the share fails.
 *
 * <p>Arguments: the emulator's endpoint, and the class path the CDK app runs with.
 */
public final class SystemDemo {

    private SystemDemo() {
    }

    public static void main(String[] args) throws InterruptedException {
        URI endpoint = URI.create(args[0]);
        Instant start = Instant.now();
        DeployedSystem system = DeployedSystem.deploy(endpoint, args[1], false);
        System.out.printf("deployed: AmishareOwner in %s, AmishareConsumer in %s and %s (%d s)%n", Accounts.OWNER,
                Accounts.CONSUMER, Accounts.THIRD, Duration.between(start, Instant.now()).toSeconds());
        try (Aws aws = new Aws(endpoint)) {
            GoldenAmi ami = GoldenAmi.create(aws, GoldenAmi.Spec.standard());
            String consumerKey = aws.kms(Accounts.CONSUMER).createKey(r -> r.description("amishare demo copies"))
                    .keyMetadata().arn();
            System.out.printf("owner %s: AMI %s, volumes encrypted under%n  %s%n  %s%n", Accounts.OWNER,
                    ami.imageId(), ami.keyArns().get(0), ami.keyArns().get(1));
            System.out.printf("consumer %s: copy key %s%n", Accounts.CONSUMER, consumerKey);

            String input = ShareRequests.fromFile("share-with-copy.json", Map.of("imageId", ami.imageId(),
                    "accountId", Accounts.CONSUMER, "kmsKeyId", consumerKey));
            String executionArn = Executions.start(aws.sfn(Accounts.OWNER), system.stateMachineArn(), input);
            System.out.printf("%nstarted %s%n", executionArn);
            Instant shareStart = Instant.now();
            DescribeExecutionResponse execution = Executions.follow(aws.sfn(Accounts.OWNER), executionArn,
                    Duration.ofMinutes(5), state -> System.out.printf("  %5.1f s  %s%n",
                            Duration.between(shareStart, Instant.now()).toMillis() / 1000.0, state));
            System.out.println();
            if (execution.status() != ExecutionStatus.SUCCEEDED) {
                System.err.printf("FAILED: the share ended %s: %s%n  %s%n", execution.status(), execution.error(),
                        execution.cause());
                printHowToLook(endpoint, executionArn);
                System.exit(1);
            }
            printReport(aws, Executions.output(execution));
            System.out.printf("%nshare took %.1f s, everything %.1f s%n",
                    Duration.between(shareStart, Instant.now()).toMillis() / 1000.0,
                    Duration.between(start, Instant.now()).toMillis() / 1000.0);
            printHowToLook(endpoint, executionArn);
        }
    }

    /** The execution's summary, then one line per target from the report in S3, then each copy as EC2 has it. */
    private static void printReport(Aws aws, JsonNode summary) {
        JsonNode counts = summary.path("counts");
        System.out.printf("summary      %s%n", summary.path("message").asText());
        System.out.printf("             %d targets: %d copied, %d validated, %d not ready, %d failed%n",
                counts.path("targets").asInt(), counts.path("copied").asInt(), counts.path("validated").asInt(),
                counts.path("notReady").asInt(), counts.path("failed").asInt());
        JsonNode report = aws.s3Json(summary.path("report").path("bucket").asText(),
                summary.path("report").path("key").asText());
        System.out.printf("report       %s%n", summary.path("reportUri").asText());
        for (JsonNode target : report.path("targets")) {
            String account = target.path("accountId").asText();
            System.out.printf("  %s  %-9s%s%n", account, target.path("status").asText().toLowerCase().replace('_', ' '),
                    target.path("reasons").isEmpty() ? "" : "  " + target.path("reasons").get(0).asText());
            for (JsonNode copy : target.path("copies")) {
                String imageId = copy.path("imageId").asText();
                Image image = aws.ec2(account, copy.path("region").asText())
                        .describeImages(r -> r.imageIds(imageId)).images().get(0);
                System.out.printf("                copy %s in %s: %s, volumes encrypted under %s%n", imageId,
                        copy.path("region").asText(), image.stateAsString(),
                        image.blockDeviceMappings().stream().map(BlockDeviceMapping::ebs).map(e -> e.kmsKeyId())
                                .distinct().toList());
            }
        }
    }

    private static void printHowToLook(URI endpoint, String executionArn) {
        System.out.printf("look at the execution (history, report) with:%n"
                + "  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=test aws --endpoint-url %s --region %s "
                + "stepfunctions describe-execution --execution-arn %s%n", Accounts.OWNER, endpoint, Accounts.REGION,
                executionArn);
    }
}
