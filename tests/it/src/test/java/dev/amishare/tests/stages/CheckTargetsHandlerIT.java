package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.readiness.CheckTargetsInput;
import dev.amishare.functions.readiness.CheckTargetsResult;
import dev.amishare.functions.readiness.Readiness;
import dev.amishare.functions.readiness.ReadinessContext;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.ConsumerRoles;
import dev.amishare.tests.Handlers;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.SharedAmi;
import dev.amishare.tests.Stages;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The readiness check of one "Check targets" batch, as each target's consumer role, before anything is
 * granted: one test per row of the failure table that needs no grant to show. A target that is not ready
 * is reported with its reasons and nothing changes in the owner account.
 */
@ExtendWith(LocalStackExtension.class)
class CheckTargetsHandlerIT {

    private final Aws aws;
    private final Stages stages;

    CheckTargetsHandlerIT(Aws aws) {
        this.aws = aws;
        this.stages = new Stages(aws);
    }

    private Readiness check(SharedAmi ami, String roleName, String destinationKey) {
        ReadinessContext context = new ReadinessContext(ami.imageId(), null, Accounts.REGION, Accounts.OWNER,
                ami.ownerKeyArns(), roleName, "it-readiness");
        ShareRequest.Target target = new ShareRequest.Target(Accounts.CONSUMER,
                List.of(new ShareRequest.Copy(Accounts.REGION, destinationKey)));
        CheckTargetsResult result = Handlers.invoke(stages.checkTargets,
                new CheckTargetsInput(context, List.of(target)), CheckTargetsResult.class);
        assertThat(result.targets()).hasSize(1);
        // Readiness needs no grant and makes none.
        assertThat(aws.ec2(Accounts.OWNER).describeImageAttribute(r -> r.imageId(ami.imageId())
                .attribute("launchPermission")).launchPermissions()).isEmpty();
        return result.targets().get(0);
    }

    private Readiness check(SharedAmi ami) {
        return check(ami, ami.consumerRoleName(), ami.consumerKeyArn());
    }

    @Test
    void check_shouldFindTheTargetReady_whenItsRoleAndKeyAllowEverything() {
        SharedAmi ami = SharedAmi.create(aws);

        Readiness readiness = check(ami);

        assertThat(readiness.accountId()).isEqualTo(Accounts.CONSUMER);
        assertThat(readiness.reasons()).isEmpty();
        assertThat(readiness.ready()).isTrue();
    }

    @Test
    void check_shouldNameTheEc2Action_whenTheRoleLacksEc2Permission() {
        SharedAmi ami = SharedAmi.create(aws, ConsumerRoles.Permissions.WITHOUT_EC2);

        Readiness readiness = check(ami);

        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.reasons()).anySatisfy(s -> assertThat(s).contains("ec2:CopyImage"));
    }

    @Test
    void check_shouldNameTheKmsAction_whenTheRoleLacksKmsPermission() {
        SharedAmi ami = SharedAmi.create(aws, ConsumerRoles.Permissions.WITHOUT_KMS);

        Readiness readiness = check(ami);

        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.reasons()).anySatisfy(s -> assertThat(s).contains("kms:CreateGrant"));
    }

    @Test
    void check_shouldReportTheRole_whenItCannotBeAssumed() {
        SharedAmi ami = SharedAmi.create(aws);

        Readiness readiness = check(ami, "NoSuchRole", ami.consumerKeyArn());

        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.reasons()).singleElement().satisfies(s -> assertThat(s).contains("NoSuchRole"));
    }

    @Test
    void check_shouldReportTheDestinationKey_whenItDoesNotExist() {
        SharedAmi ami = SharedAmi.create(aws);
        String missing = "arn:aws:kms:" + Accounts.REGION + ":" + Accounts.CONSUMER
                + ":key/00000000-0000-4000-8000-000000000000";

        Readiness readiness = check(ami, ami.consumerRoleName(), missing);

        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.reasons()).anySatisfy(s -> assertThat(s)
                .contains("destination key usable: " + missing).contains("NotFoundException"));
    }

    @Test
    void check_shouldReportAllowedAmis_whenTheTargetAdmitsOnlyOtherProviders() {
        // GIVEN the consumer's Allowed AMIs enabled for Amazon's images only
        SharedAmi ami = SharedAmi.create(aws);
        Ec2Client consumer = aws.ec2(Accounts.CONSUMER);
        consumer.replaceImageCriteriaInAllowedImagesSettings(r -> r.imageCriteria(c -> c.imageProviders("amazon")));
        consumer.enableAllowedImagesSettings(r -> r.allowedImagesSettingsState("enabled"));
        try {
            // WHEN
            Readiness readiness = check(ami);

            // THEN the target is not ready, and the reason names the owner account to admit
            assertThat(readiness.ready()).isFalse();
            assertThat(readiness.reasons()).singleElement().satisfies(s -> assertThat(s)
                    .contains("allowed AMIs").contains(Accounts.OWNER));
        } finally {
            consumer.disableAllowedImagesSettings(r -> { });
        }
    }
}
