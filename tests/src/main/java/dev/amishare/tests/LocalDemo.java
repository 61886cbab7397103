package dev.amishare.tests;

import dev.amishare.functions.common.Json;
import dev.amishare.functions.launch.GrantLaunchPermissionHandler;
import dev.amishare.functions.launch.GrantLaunchPermissionInput;
import dev.amishare.functions.launch.GrantLaunchPermissionService;
import dev.amishare.functions.launch.LaunchPermissionResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/**
 * The README's main command on the emulator: creates an AMI in the owner account, shares it with the
 * consumer account through the "grant launch permission" handler, and prints what was granted.
 */
public final class LocalDemo {

    private LocalDemo() {
    }

    public static void main(String[] args) {
        URI endpoint = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:4566");
        try (Aws aws = new Aws(endpoint)) {
            Ec2Client owner = aws.ec2(Accounts.OWNER);
            String imageId = Images.plain(owner);
            System.out.printf("owner %s created AMI %s in %s%n", Accounts.OWNER, imageId, Accounts.REGION);

            GrantLaunchPermissionInput input = new GrantLaunchPermissionInput(
                    imageId, List.of(Accounts.CONSUMER), null, null, false, "local-demo");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new GrantLaunchPermissionHandler(new GrantLaunchPermissionService(owner)).handleRequest(
                    new ByteArrayInputStream(Json.write(input).getBytes(StandardCharsets.UTF_8)), out, null);
            LaunchPermissionResult result = Json.read(out.toString(StandardCharsets.UTF_8), LaunchPermissionResult.class);

            List<String> users = owner.describeImageAttribute(r -> r.imageId(imageId)
                            .attribute(ImageAttributeName.LAUNCH_PERMISSION))
                    .launchPermissions().stream().map(LaunchPermission::userId).toList();
            System.out.printf("granted launch permission to: %s (already present: %s)%n",
                    String.join(", ", result.added()), result.alreadyPresent().isEmpty() ? "none"
                            : String.join(", ", result.alreadyPresent()));
            System.out.printf("launch permissions of %s now: %s%n", imageId, users);
            if (!users.contains(Accounts.CONSUMER)) {
                System.err.println("FAILED: the consumer account is not in the AMI's launch permissions");
                System.exit(1);
            }
        }
    }
}
