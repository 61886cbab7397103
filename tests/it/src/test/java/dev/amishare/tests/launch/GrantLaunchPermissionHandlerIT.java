package dev.amishare.tests.launch;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.contract.Perimeter;
import dev.amishare.functions.common.PerimeterGuard;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.launch.GrantLaunchPermissionHandler;
import dev.amishare.functions.launch.GrantLaunchPermissionService;
import dev.amishare.functions.launch.LaunchPermissionResult;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Images;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.Stages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

@ExtendWith(LocalStackExtension.class)
class GrantLaunchPermissionHandlerIT {

    private final Ec2Client owner;
    private final GrantLaunchPermissionHandler handler;
    private String imageId;

    GrantLaunchPermissionHandlerIT(Aws aws) {
        owner = aws.ec2(Accounts.OWNER);
        Stages stages = new Stages(aws);
        handler = new GrantLaunchPermissionHandler(new GrantLaunchPermissionService(owner,
                new PerimeterGuard(Perimeter.ofOrganization(Accounts.ORGANIZATION_ID), aws.organizations(Accounts.OWNER)),
                stages.store, stages.ledger));
    }

    @BeforeEach
    void createImage() {
        imageId = Images.plain(owner);
    }

    private LaunchPermissionResult invoke(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        return Json.read(out.toString(StandardCharsets.UTF_8), LaunchPermissionResult.class);
    }

    private List<String> launchPermissionUsers() {
        return owner.describeImageAttribute(r -> r.imageId(imageId).attribute(ImageAttributeName.LAUNCH_PERMISSION))
                .launchPermissions().stream().map(LaunchPermission::userId).toList();
    }

    @Test
    void handleRequest_shouldAddLaunchPermission_whenTheAccountHasNone() {
        // WHEN the owner grants the consumer launch permission
        LaunchPermissionResult result = invoke("""
                {"imageId":"%s","principals":{"accountIds":["%s"]},"executionId":"it-1"}""".formatted(imageId, Accounts.CONSUMER));

        // THEN EC2 lists the consumer in the AMI's launch permissions
        assertThat(result.added()).isEqualTo(1);
        assertThat(result.calls()).isEqualTo(1);
        assertThat(launchPermissionUsers()).containsExactly(Accounts.CONSUMER);
    }

    @Test
    void handleRequest_shouldReportAlreadyPresent_whenRunTwice() {
        // GIVEN a first grant
        String request = """
                {"imageId":"%s","principals":{"accountIds":["%s","%s"]}}""".formatted(imageId, Accounts.CONSUMER, Accounts.THIRD);
        invoke(request);

        // WHEN it runs again
        LaunchPermissionResult second = invoke(request);

        // THEN nothing is added and the end state is the same
        assertThat(second.added()).isZero();
        assertThat(second.alreadyPresent()).isEqualTo(2);
        assertThat(second.calls()).isZero();
        assertThat(launchPermissionUsers()).containsExactlyInAnyOrder(Accounts.CONSUMER, Accounts.THIRD);
    }

    @Test
    void handleRequest_shouldChangeNothing_whenDryRun() {
        LaunchPermissionResult result = invoke("""
                {"imageId":"%s","principals":{"accountIds":["%s"]},"dryRun":true}""".formatted(imageId, Accounts.CONSUMER));

        assertThat(result.added()).isEqualTo(1);
        assertThat(result.calls()).isZero();
        assertThat(launchPermissionUsers()).isEmpty();
    }

    @Test
    void handleRequest_shouldFailWithValidationErrorAndChangeNothing_whenAccountIdIsMalformed() {
        assertThatThrownBy(() -> invoke("""
                {"imageId":"%s","principals":{"accountIds":["%s","22222"]}}""".formatted(imageId, Accounts.CONSUMER)))
                .isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("principals.accountIds[1]: '22222' is not a 12-digit AWS account id");
        assertThat(launchPermissionUsers()).isEmpty();
    }

    @Test
    void handleRequest_shouldRaiseImageNotFound_whenTheAmiDoesNotExist() {
        assertThatThrownBy(() -> invoke("""
                {"imageId":"ami-0000000000000dead","principals":{"accountIds":["%s"]}}""".formatted(Accounts.CONSUMER)))
                .isInstanceOf(ImageNotFoundException.class);
    }
}
