package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.ConsumerRoleNotAssumableException;
import dev.amishare.errors.ConsumerValidationFailedException;
import dev.amishare.functions.consumer.ConsumerValidationInput;
import dev.amishare.functions.consumer.ConsumerValidationResult;
import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetRole;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Handlers;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.SharedAmi;
import dev.amishare.tests.Stages;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The per-target validation after the grants, as the consumer role: the AMI is visible and the key
 * policies read back hold the target. What needs no grant (the role's IAM permissions, destination keys,
 * Allowed AMIs) is checked before any grant, in {@link CheckTargetsHandlerIT}.
 */
@ExtendWith(LocalStackExtension.class)
class ValidateConsumerHandlerIT {

    private final Aws aws;
    private final Stages stages;

    ValidateConsumerHandlerIT(Aws aws) {
        this.aws = aws;
        this.stages = new Stages(aws);
    }

    private static ConsumerValidationInput input(SharedAmi ami, String roleName, List<KeyPolicyChange> ownerKeys) {
        return new ConsumerValidationInput(ami.imageId(), Accounts.REGION, Accounts.OWNER,
                new TargetRole(Accounts.CONSUMER, roleName), ami.ownerKeyArns(), ownerKeys,
                List.of(new ShareRequest.Copy(Accounts.REGION, ami.consumerKeyArn())), "it");
    }

    private ConsumerValidationResult validate(SharedAmi ami, List<KeyPolicyChange> ownerKeys) {
        return Handlers.invoke(stages.validate, input(ami, ami.consumerRoleName(), ownerKeys),
                ConsumerValidationResult.class);
    }

    private List<String> failedChecks(SharedAmi ami, List<KeyPolicyChange> ownerKeys) {
        try {
            validate(ami, ownerKeys);
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
        List<KeyPolicyChange> keys = stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER).keys();

        // WHEN
        ConsumerValidationResult result = validate(ami, keys);

        // THEN every check passed, as the consumer role: the image and both keys
        assertThat(result.roleArn()).isEqualTo("arn:aws:iam::" + Accounts.CONSUMER + ":role/" + ami.consumerRoleName());
        assertThat(result.checks()).hasSize(1 + ami.ownerKeyArns().size())
                .allSatisfy(c -> assertThat(c.passed()).as(c.name()).isTrue());
    }

    @Test
    void validate_shouldReportTheAmiInvisible_whenLaunchPermissionIsMissing() {
        SharedAmi ami = SharedAmi.create(aws);
        List<KeyPolicyChange> keys = stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER).keys();

        assertThat(failedChecks(ami, keys)).singleElement()
                .satisfies(n -> assertThat(n).containsIgnoringCase("visible").contains(ami.imageId()));
    }

    @Test
    void validate_shouldReportEveryKeyUnverified_whenTheKeyPolicyGrantIsMissing() {
        // GIVEN launch permission but no key-policy stage result holding the consumer
        SharedAmi ami = SharedAmi.create(aws);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);

        List<String> failed = failedChecks(ami, List.of());

        // THEN each key is named, and the image check passed
        assertThat(failed).hasSize(2)
                .anySatisfy(n -> assertThat(n).contains(ami.ownerKeyArns().get(0)))
                .anySatisfy(n -> assertThat(n).contains(ami.ownerKeyArns().get(1)))
                .noneSatisfy(n -> assertThat(n).containsIgnoringCase("visible"));
    }

    @Test
    void validate_shouldRaiseRoleNotAssumable_whenTheRoleDoesNotExist() {
        SharedAmi ami = SharedAmi.create(aws);

        assertThatThrownBy(() -> Handlers.invoke(stages.validate, input(ami, "NoSuchRole", List.of()),
                ConsumerValidationResult.class))
                .isInstanceOf(ConsumerRoleNotAssumableException.class);
    }
}
