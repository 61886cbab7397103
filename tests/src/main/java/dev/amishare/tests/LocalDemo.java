package dev.amishare.tests;

import dev.amishare.functions.consumer.ConsumerCheck;
import dev.amishare.functions.consumer.ConsumerValidationInput;
import dev.amishare.functions.consumer.ConsumerValidationResult;
import dev.amishare.functions.copy.CopyImageInput;
import dev.amishare.functions.copy.CopyImageResult;
import dev.amishare.functions.copy.CopyStatusInput;
import dev.amishare.functions.copy.CopyStatusResult;
import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyResult;
import dev.amishare.functions.launch.GrantLaunchPermissionInput;
import dev.amishare.functions.launch.LaunchPermissionResult;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.prepare.PreparedShare;
import dev.amishare.functions.snapshots.SnapshotPermissionChange;
import dev.amishare.functions.snapshots.SnapshotPermissionInput;
import dev.amishare.functions.snapshots.SnapshotPermissionResult;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * The README's main command on the emulator: creates, in the owner account, an AMI whose two volumes
 * are encrypted under two customer-managed keys, and shares it with the consumer account through
 * every stage handler in turn — prepare, launch permission, key policies, snapshots, consumer
 * validation as the consumer's role, and a copy re-encrypted under the consumer's own key — then
 * prints the report. Exits non-zero when a stage fails or the copy does not become available.
 */
public final class LocalDemo {

    private LocalDemo() {
    }

    public static void main(String[] args) throws InterruptedException {
        URI endpoint = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:4566");
        Instant start = Instant.now();
        try (Aws aws = new Aws(endpoint)) {
            Stages stages = new Stages(aws);
            SharedAmi ami = SharedAmi.create(aws);
            System.out.printf("owner %s: AMI %s, volumes encrypted under%n  %s%n  %s%n", Accounts.OWNER,
                    ami.imageId(), ami.ownerKeyArns().get(0), ami.ownerKeyArns().get(1));
            System.out.printf("consumer %s: role %s, copy key %s%n%n", Accounts.CONSUMER, ami.consumerRoleName(),
                    ami.consumerKeyArn());

            String request = """
                    {"request":{"imageId":"%s","targets":[{"accountId":"%s","copy":[{"region":"%s","kmsKeyId":"%s"}]}]},\
                    "executionId":"local-demo"}""".formatted(ami.imageId(), Accounts.CONSUMER, Accounts.REGION,
                    ami.consumerKeyArn());
            PreparedShare prepared = Handlers.invoke(stages.prepare, request, PreparedShare.class);
            System.out.printf("[0 prepare]      %d snapshots, %d customer-managed keys%n", prepared.snapshots().size(),
                    prepared.customerManagedKeyArns().size());

            LaunchPermissionResult launch = Handlers.invoke(stages.launch, new GrantLaunchPermissionInput(
                    ami.imageId(), prepared.accountIds(), null, null, false, "local-demo"), LaunchPermissionResult.class);
            System.out.printf("[1 launch]       granted %s, already present %s%n", launch.added(), launch.alreadyPresent());

            KeyPolicyResult keys = Handlers.invoke(stages.keyPolicy, new KeyPolicyInput(prepared.customerManagedKeyArns(),
                    prepared.accountIds(), null, null, false, "local-demo"), KeyPolicyResult.class);
            for (KeyPolicyChange key : keys.keys()) {
                System.out.printf("[2 key policy]   %s: added %s%s%n", key.keyArn(), key.added(),
                        key.policyChanged() ? "" : " (unchanged)");
            }

            SnapshotPermissionResult snapshots = Handlers.invoke(stages.snapshots, new SnapshotPermissionInput(
                    prepared.snapshots().stream().map(s -> s.snapshotId()).toList(), prepared.copyingAccountIds(),
                    false, "local-demo"), SnapshotPermissionResult.class);
            for (SnapshotPermissionChange s : snapshots.snapshots()) {
                System.out.printf("[3 snapshots]    %s: createVolumePermission for %s%n", s.snapshotId(), s.added());
            }

            ConsumerValidationResult validation = Handlers.invoke(stages.validate, new ConsumerValidationInput(
                    ami.imageId(), Accounts.REGION, Accounts.CONSUMER, ami.consumerRoleName(), null,
                    prepared.customerManagedKeyArns(), List.of(new ShareRequest.Copy(Accounts.REGION, ami.consumerKeyArn())),
                    "local-demo"), ConsumerValidationResult.class);
            System.out.printf("[4 validate]     as %s%n", validation.roleArn());
            for (ConsumerCheck check : validation.checks()) {
                System.out.printf("                 %s %s%n", check.passed() ? "pass" : "FAIL", check.name());
            }

            CopyImageResult copy = Handlers.invoke(stages.copy, new CopyImageInput(ami.imageId(), Accounts.REGION,
                    Accounts.OWNER, prepared.imageName(), Accounts.CONSUMER, Accounts.REGION, ami.consumerKeyArn(),
                    ami.consumerRoleName(), null, false, "local-demo"), CopyImageResult.class);
            System.out.printf("[5 copy]         %s in %s of %s, %s", copy.imageId(), copy.region(), copy.accountId(),
                    copy.state());
            CopyStatusResult status = waitForCopy(stages, copy, ami.consumerRoleName());
            System.out.printf(" -> %s%n%n", status.state());
            if (!"available".equals(status.state())) {
                System.err.println("FAILED: the copy ended " + status.state() + ": " + status.stateReason());
                System.exit(1);
            }

            Image image = aws.ec2(Accounts.CONSUMER).describeImages(r -> r.imageIds(copy.imageId())).images().get(0);
            System.out.printf("report: %s now owns %s (%s), volumes encrypted under %s%n", image.ownerId(),
                    image.imageId(), image.stateAsString(),
                    image.blockDeviceMappings().stream().map(m -> m.ebs().kmsKeyId()).distinct().toList());
            System.out.printf("        owner key policies carry amishare's statements; took %.1f s%n",
                    Duration.between(start, Instant.now()).toMillis() / 1000.0);
        }
    }

    private static CopyStatusResult waitForCopy(Stages stages, CopyImageResult copy, String roleName)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (true) {
            CopyStatusResult status = Handlers.invoke(stages.copyStatus, new CopyStatusInput(copy.accountId(),
                    copy.region(), copy.imageId(), roleName, null, "local-demo"), CopyStatusResult.class);
            if (!"pending".equals(status.state()) || Instant.now().isAfter(deadline)) {
                return status;
            }
            System.out.print(".");
            Thread.sleep(500);
        }
    }
}
