package dev.amishare.tests.copy;

import dev.amishare.tests.ConsumerRoles;
import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.tests.Images;
import dev.amishare.tests.EmulatorTargetClients;
import dev.amishare.functions.copy.CopyStatusService;
import dev.amishare.errors.UntrustedEventException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amishare.functions.copy.CopyEventHandler;
import dev.amishare.functions.copy.CopyEventService;
import dev.amishare.functions.copy.CopyResumer;
import dev.amishare.functions.copy.CopyTokenStore;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.Stages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.StateMachineAlreadyExistsException;

/**
 * The copy wait's resume path against the emulator's DynamoDB (the share ledger's table, as the owner stack
 * declares it) and Step Functions: real executions parked on task tokens (an EventBridge PutEvents waitForTaskToken task stands in for the Lambda, which the emulator
 * cannot run without Docker), the tokens stored as AwaitCopyHandler stores them, and CopyEventHandler fed an
 * "EC2 AMI State Change" event.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CopyEventHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROLE = "AmiShareConsumerCopyEventIT";
    private static final String DEFINITION = "{\"StartAt\":\"Await copy\",\"States\":{\"Await copy\":{\"Type\":\"Task\","
            + "\"Resource\":\"arn:aws:states:::events:putEvents.waitForTaskToken\",\"Parameters\":{\"Entries\":[{"
            + "\"Source\":\"amishare.test\",\"DetailType\":\"copy wait probe\",\"Detail\":{\"token.$\":\"$$.Task.Token\"}}]},"
            + "\"End\":true}}}";

    // Step Functions' own trust, and the emulator's: its Step Functions assumes the execution role as the
    // root of its internal account 000000000000, and amishare's extension checks trust policies.
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"states.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"},"
            + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::000000000000:root\"},"
            + "\"Action\":\"sts:AssumeRole\"}]}";

    private final IamClient iam;
    private final SfnClient sfn;
    private final CopyTokenStore tokens;
    private final CopyEventHandler handler;
    private String stateMachineArn;

    CopyEventHandlerIT(Aws aws) {
        iam = aws.iam(Accounts.OWNER);
        sfn = aws.sfn(Accounts.OWNER);
        tokens = new CopyTokenStore(Stages.ledgerTable(aws.dynamoDb(Accounts.OWNER)), Stages.LEDGER_TABLE,
                Duration.ofHours(8));
        handler = new CopyEventHandler(new CopyEventService(tokens, new CopyResumer(sfn), new CopyStatusService(
                new dev.amishare.functions.common.ConsumerRoles(aws.sts(Accounts.OWNER), null), new EmulatorTargetClients(aws.endpoint()))));
        this.aws = aws;
    }

    private final Aws aws;
    /** A real image in the consumer account, which EC2 reports available: the "copy" the events name. */
    private String copy;

    @BeforeAll
    void createCopyAndConsumerRole() {
        ConsumerRoles.create(aws.iam(Accounts.CONSUMER), ROLE, Accounts.OWNER, null, ConsumerRoles.Permissions.FULL);
        copy = Images.plain(aws.ec2(Accounts.CONSUMER, Accounts.OTHER_REGION));
    }

    /** What Await copy stores for the parked execution {@code arn}. */
    private static CopyTokenStore.Waiter waiter(String[] parked) {
        return new CopyTokenStore.Waiter(parked[1], parked[0], ROLE);
    }

    @BeforeAll
    void createStateMachine() {
        String role;
        try {
            role = iam.createRole(r -> r.roleName("amishare-copy-wait-probe").assumeRolePolicyDocument(TRUST))
                    .role().arn();
        } catch (EntityAlreadyExistsException e) {
            role = iam.getRole(r -> r.roleName("amishare-copy-wait-probe")).role().arn();
        }
        String roleArn = role;
        try {
            stateMachineArn = sfn.createStateMachine(r -> r.name("CopyWaitProbe").definition(DEFINITION).roleArn(roleArn))
                    .stateMachineArn();
        } catch (StateMachineAlreadyExistsException e) {
            stateMachineArn = sfn.listStateMachines(r -> { }).stateMachines().stream()
                    .filter(m -> m.name().equals("CopyWaitProbe")).findFirst().orElseThrow().stateMachineArn();
        }
    }

    /** Starts an execution and returns its ARN and the task token it waits with. */
    private String[] parkedExecution() throws Exception {
        String arn = sfn.startExecution(r -> r.stateMachineArn(stateMachineArn).name("probe-" + UUID.randomUUID())
                .input("{}")).executionArn();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            Optional<String> token = sfn.getExecutionHistory(r -> r.executionArn(arn)).events().stream()
                    .filter(e -> e.taskScheduledEventDetails() != null)
                    .map(e -> e.taskScheduledEventDetails().parameters()).findFirst()
                    .map(p -> {
                        try {
                            return JSON.readTree(p).get("Entries").get(0).get("Detail").get("token").asText();
                        } catch (Exception ex) {
                            throw new IllegalStateException(ex);
                        }
                    });
            if (token.isPresent()) {
                return new String[] {arn, token.get()};
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the probe execution never scheduled its task");
    }

    private DescribeExecutionResponse finished(String arn) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        DescribeExecutionResponse execution;
        do {
            Thread.sleep(200);
            execution = sfn.describeExecution(r -> r.executionArn(arn));
        } while (execution.status() == ExecutionStatus.RUNNING && Instant.now().isBefore(deadline));
        return execution;
    }

    private String event(String state, String message) {
        return "{\"version\":\"0\",\"id\":\"" + UUID.randomUUID() + "\",\"detail-type\":\"EC2 AMI State Change\","
                + "\"source\":\"aws.ec2\",\"account\":\"" + Accounts.CONSUMER + "\",\"time\":\"2026-11-23T02:00:00Z\","
                + "\"region\":\"" + Accounts.OTHER_REGION + "\",\"resources\":[\"arn:aws:ec2:" + Accounts.OTHER_REGION
                + "::image/" + copy + "\"],\"detail\":{\"RequestId\":\"r-1\",\"ImageId\":\"" + copy + "\",\"State\":\""
                + state + "\",\"ErrorMessage\":\"" + message + "\"}}";
    }

    private JsonNode invoke(String json) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void event_shouldResumeTheParkedExecutionWithTheCopyStatus_whenTheCopyBecameAvailable() throws Exception {
        // GIVEN an execution waiting on its token, stored for the copy
        String[] parked = parkedExecution();
        tokens.put(Accounts.CONSUMER, Accounts.OTHER_REGION, copy, waiter(parked));

        // WHEN EC2's event arrives
        JsonNode out = invoke(event("available", ""));

        // THEN the execution ends with the CopyStatusResult, and the token is gone
        assertThat(out.get("resumed").asBoolean()).isTrue();
        DescribeExecutionResponse execution = finished(parked[0]);
        assertThat(execution.status()).as("%s: %s", execution.error(), execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(JSON.readTree(execution.output())).isEqualTo(JSON.readTree("{\"accountId\":\"" + Accounts.CONSUMER
                + "\",\"region\":\"" + Accounts.OTHER_REGION + "\",\"imageId\":\"" + copy + "\",\"state\":\"available\"}"));
        assertThat(tokens.get(Accounts.CONSUMER, Accounts.OTHER_REGION, copy)).isEmpty();
    }

    @Test
    void event_shouldBeRefusedAndLeaveTheExecutionWaiting_whenEc2ContradictsIt() throws Exception {
        // GIVEN an execution waiting for a copy EC2 reports available, and an event claiming it failed (made up:
        // a direct invocation of the function, or an event no EC2 sent)
        String[] parked = parkedExecution();
        tokens.put(Accounts.CONSUMER, Accounts.OTHER_REGION, copy, waiter(parked));

        // WHEN / THEN the named error; the execution keeps waiting and its token stays
        assertThatThrownBy(() -> invoke(event("failed", "Snapshot copy failed")))
                .isInstanceOf(UntrustedEventException.class).hasMessageContaining("EC2 says available");
        assertThat(sfn.describeExecution(r -> r.executionArn(parked[0])).status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(tokens.get(Accounts.CONSUMER, Accounts.OTHER_REGION, copy)).contains(waiter(parked));
        sfn.stopExecution(r -> r.executionArn(parked[0]));
        tokens.delete(Accounts.CONSUMER, Accounts.OTHER_REGION, copy, parked[0]);
    }

    @Test
    void event_shouldResumeEveryParkedExecution_whenTwoExecutionsAwaitTheSameCopy() throws Exception {
        // GIVEN two executions waiting for the same copy, each with its own stored token
        String[] first = parkedExecution();
        String[] second = parkedExecution();
        tokens.put(Accounts.CONSUMER, Accounts.OTHER_REGION, copy, waiter(first));
        tokens.put(Accounts.CONSUMER, Accounts.OTHER_REGION, copy, waiter(second));

        // WHEN EC2's event arrives
        JsonNode out = invoke(event("available", ""));

        // THEN both executions end with the copy's status, and neither token is left
        assertThat(out.get("resumed").asBoolean()).isTrue();
        for (String[] parked : List.of(first, second)) {
            DescribeExecutionResponse execution = finished(parked[0]);
            assertThat(execution.status()).as("%s: %s", execution.error(), execution.cause())
                    .isEqualTo(ExecutionStatus.SUCCEEDED);
        }
        assertThat(tokens.get(Accounts.CONSUMER, Accounts.OTHER_REGION, copy)).isEmpty();
    }
}
