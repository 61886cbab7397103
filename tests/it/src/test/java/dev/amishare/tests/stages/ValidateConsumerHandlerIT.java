package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.model.TargetRole;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.ConsumerRoleNotAssumableException;
import dev.amishare.errors.ConsumerValidationFailedException;
import dev.amishare.functions.consumer.ConsumerCheck;
import dev.amishare.functions.consumer.ConsumerValidationInput;
import dev.amishare.functions.consumer.ConsumerValidationResult;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.ConsumerRoles;
import dev.amishare.tests.Handlers;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.Stages;
import dev.amishare.tests.SharedAmi;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The consumer side, checked as the consumer role, one test per row of the failure table. */
@ExtendWith(LocalStackExtension.class)
class ValidateConsumerHandlerIT {

    private final Aws aws;
    private final Stages stages;

    ValidateConsumerHandlerIT(Aws aws) {
        this.aws = aws;
        this.stages = new Stages(aws);
    }

    private static ConsumerValidationInput input(SharedAmi ami, String roleName) {
        return new ConsumerValidationInput(ami.imageId(), Accounts.REGION, Accounts.OWNER,
                new TargetRole(Accounts.CONSUMER, roleName), ami.ownerKeyArns(), List.of(new ShareRequest.Copy(Accounts.REGION, ami.consumerKeyArn())), "it");
    }

    private ConsumerValidationResult validate(SharedAmi ami) {
        return Handlers.invoke(stages.validate, input(ami, ami.consumerRoleName()), ConsumerValidationResult.class);
    }

    private List<String> failedChecks(SharedAmi ami) {
        try {
            validate(ami);
        } catch (ConsumerValidationFailedException e) {
            return e.failedChecks();
        }
        throw new AssertionError("validation passed although a piece is missing");
    }

    @Test
    void validate_shouldPassEveryCheck_whenEveryPieceIsShared() {
        // GIVEN launch permission and key-policy grants for the consumer
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);

        // WHEN
        ConsumerValidationResult result = validate(ami);

        // THEN every check passed, as the consumer role
        assertThat(result.roleArn()).isEqualTo("arn:aws:iam::" + Accounts.CONSUMER + ":role/" + ami.consumerRoleName());
        assertThat(result.checks()).isNotEmpty().allSatisfy(c -> assertThat(c.passed()).as(c.name()).isTrue());
    }

    @Test
    void validate_shouldReportTheAmiInvisible_whenLaunchPermissionIsMissing() {
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);

        assertThat(failedChecks(ami)).anySatisfy(n -> assertThat(n).containsIgnoringCase("visible"));
    }

    @Test
    void validate_shouldReportTheKeyUnusable_whenTheKeyPolicyGrantIsMissing() {
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);

        List<String> failed = failedChecks(ami);

        assertThat(failed)
                .anySatisfy(n -> assertThat(n).contains(ami.ownerKeyArns().get(0)))
                .anySatisfy(n -> assertThat(n).contains(ami.ownerKeyArns().get(1)));
    }

    @Test
    void validate_shouldNameTheEc2Action_whenTheRoleLacksEc2Permission() {
        SharedAmi ami = SharedAmi.create(aws, ConsumerRoles.Permissions.WITHOUT_EC2);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);

        assertThat(failedChecks(ami)).anySatisfy(s -> assertThat(s).contains("ec2:CopyImage"));
    }

    @Test
    void validate_shouldNameTheKmsAction_whenTheRoleLacksKmsPermission() {
        SharedAmi ami = SharedAmi.create(aws, ConsumerRoles.Permissions.WITHOUT_KMS);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);

        assertThat(failedChecks(ami)).anySatisfy(s -> assertThat(s).contains("kms:CreateGrant"));
    }

    @Test
    void validate_shouldRaiseRoleNotAssumable_whenTheRoleDoesNotExist() {
        SharedAmi ami = SharedAmi.create(aws);

        assertThatThrownBy(() -> Handlers.invoke(stages.validate, input(ami, "NoSuchRole"), ConsumerValidationResult.class))
                .isInstanceOf(ConsumerRoleNotAssumableException.class);
    }
}
