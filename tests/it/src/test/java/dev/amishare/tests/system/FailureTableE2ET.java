package dev.amishare.tests.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.ConsumerRoles;
import dev.amishare.tests.GoldenAmi;
import dev.amishare.tests.LocalStackExtension;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The failure table on the deployed system, one row per test: with one piece missing the share fails
 * with a named error, and with rollback on nothing is left behind in any account.
 *
 * <p>The target is 333333333333, whose consumer role the consumer stack created; the rows that take a
 * permission away from it add an explicit Deny for the test's duration (as an SCP or a permissions
 * boundary would) and remove it afterwards.
 */
@ExtendWith(LocalStackExtension.class)
class FailureTableE2ET {

    private static SystemRun system;

    @BeforeAll
    static void deploy(Aws aws) {
        system = new SystemRun(aws);
    }

    @Test
    void share_shouldFailAndLeaveTheAmiInvisible_whenLaunchPermissionCannotBeGranted() {
        // GIVEN an AMI without the amishare:managed opt-in, so the owner stack may not change it
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard().withoutImageTag());

        // WHEN it is shared with a copy, rollback on
        DescribeExecutionResponse execution = runWithCopy(ami);

        // THEN the grant stage fails with its named error and the target does not see the AMI
        assertFailed(execution, "dev.amishare.errors.AwsAccessDeniedException", "ec2:ModifyImageAttribute");
        assertThat(system.visibleIn(Accounts.THIRD, ami.imageId())).isFalse();
        assertNothingLeft(ami);
    }

    @Test
    void share_shouldFailAndRollBack_whenTheKeyPolicyCannotBeChanged() {
        // GIVEN an AMI whose keys lack the amishare:managed opt-in, so their policies stay as they are
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard().withoutKeyTags());
        List<String> policies = ami.keyArns().stream().map(system.owner::keyPolicy).toList();

        // WHEN it is shared with a copy, rollback on
        DescribeExecutionResponse execution = runWithCopy(ami);

        // THEN the key-policy stage fails, the launch permission granted before it is revoked, the key
        // policies are untouched, and the target can neither see nor copy the AMI
        assertFailed(execution, "dev.amishare.errors.AwsAccessDeniedException", "kms:");
        assertThat(ami.keyArns().stream().map(system.owner::keyPolicy).toList()).isEqualTo(policies);
        assertNothingLeft(ami);
        assertThatThrownBy(() -> system.aws.ec2(Accounts.THIRD).copyImage(r -> r.sourceImageId(ami.imageId())
                .sourceRegion(Accounts.REGION).name("attempt").encrypted(true)))
                .isInstanceOf(Ec2Exception.class);
    }

    @Test
    void share_shouldReportTheTargetNotReadyNamingEc2Actions_whenTheTargetsRoleMayNotUseEc2() {
        // GIVEN the target's consumer role denied the EC2 actions copying and launching take
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard().volumes(1));
        denyOnConsumerRole("ec2", List.of("ec2:CopyImage", "ec2:RunInstances", "ec2:CreateTags"));
        try {
            // WHEN it is shared with a copy, rollback on
            DescribeExecutionResponse execution = runWithCopy(ami);

            // THEN the readiness check finds the target not ready, naming the denied actions; it gets
            // nothing, and the share fails beyond its tolerance (0%)
            assertFailed(execution, "dev.amishare.errors.TargetsFailedException", Accounts.THIRD);
            JsonNode outcome = system.outcome(execution, Accounts.THIRD);
            assertThat(outcome.path("status").asText()).isEqualTo("NOT_READY");
            assertThat(outcome.path("reasons").toString()).contains("ec2:CopyImage").contains("ec2:RunInstances")
                    .contains("explicitDeny");
            assertNothingLeft(ami);
        } finally {
            removeDeny("ec2");
        }
    }

    @Test
    void share_shouldReportTheTargetNotReadyNamingKmsActions_whenTheTargetsRoleMayNotUseKms() {
        // GIVEN the target's consumer role denied every KMS action
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard());
        denyOnConsumerRole("kms", List.of("kms:*"));
        try {
            // WHEN it is shared with a copy, rollback on
            DescribeExecutionResponse execution = runWithCopy(ami);

            // THEN the target is not ready: its destination key is unusable and the KMS actions EC2 needs
            // on the owner's keys are named; nothing was granted
            assertFailed(execution, "dev.amishare.errors.TargetsFailedException", Accounts.THIRD);
            JsonNode outcome = system.outcome(execution, Accounts.THIRD);
            assertThat(outcome.path("status").asText()).isEqualTo("NOT_READY");
            assertThat(outcome.path("reasons").toString()).contains("destination key usable")
                    .contains("kms:CreateGrant").contains("kms:Decrypt").contains(ami.keyArns().get(0));
            assertNothingLeft(ami);
        } finally {
            removeDeny("kms");
        }
    }

    @Test
    void share_shouldBeRefusedBeforeAnyChange_whenTheAmiUsesTheAwsManagedKey() {
        // GIVEN an AMI encrypted under the owner's AWS-managed key aws/ebs
        GoldenAmi ami = GoldenAmi.create(system.aws, GoldenAmi.Spec.standard().underAwsManagedKey());

        // WHEN it is shared with a copy
        DescribeExecutionResponse execution = runWithCopy(ami);

        // THEN the first stage refuses it, saying why, and nothing changed
        assertFailed(execution, "dev.amishare.errors.AwsManagedKeyException", "aws/ebs");
        assertNothingLeft(ami);
    }

    private static DescribeExecutionResponse runWithCopy(GoldenAmi ami) {
        return system.run(SystemRun.shareWithCopy(ami.imageId(), Accounts.THIRD, system.targetKey(Accounts.THIRD)));
    }

    private static void assertFailed(DescribeExecutionResponse execution, String error, String causeMentions) {
        assertThat(execution.status()).as(execution.output()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(execution.error()).as(execution.cause()).isEqualTo(error);
        assertThat(execution.cause()).contains(causeMentions);
    }

    /** Nothing of the share in the owner account, and no copy in the target. */
    private static void assertNothingLeft(GoldenAmi ami) {
        assertThat(system.owner.launchPermissionAccounts(ami.imageId())).isEmpty();
        for (String key : ami.keyArns()) {
            assertThat(system.owner.keyPolicyAccounts(key)).as(key).isEmpty();
        }
        for (String snapshot : ami.snapshotIds()) {
            assertThat(system.owner.snapshotPermissionAccounts(snapshot)).as(snapshot).isEmpty();
        }
        assertThat(system.copiesIn(Accounts.THIRD, ami.imageId())).isEmpty();
        assertThat(system.visibleIn(Accounts.THIRD, ami.imageId())).isFalse();
    }

    private static void denyOnConsumerRole(String name, List<String> actions) {
        String list = String.join("\",\"", actions);
        system.aws.iam(Accounts.THIRD).putRolePolicy(r -> r.roleName(ConsumerRoles.DEFAULT_NAME)
                .policyName("e2e-deny-" + name).policyDocument("""
                        {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["%s"],"Resource":"*"}]}"""
                        .formatted(list)));
    }

    private static void removeDeny(String name) {
        system.aws.iam(Accounts.THIRD).deleteRolePolicy(r -> r.roleName(ConsumerRoles.DEFAULT_NAME)
                .policyName("e2e-deny-" + name));
    }
}
