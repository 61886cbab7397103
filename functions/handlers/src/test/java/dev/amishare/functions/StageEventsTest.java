package dev.amishare.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.amishare.functions.common.Json;
import dev.amishare.functions.consumer.ConsumerValidationInput;
import dev.amishare.functions.copy.CopyImageInput;
import dev.amishare.functions.copy.CopyStatusInput;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.launch.GrantLaunchPermissionInput;
import dev.amishare.functions.model.ShareRequestValidator;
import dev.amishare.functions.prepare.PrepareInput;
import dev.amishare.functions.revoke.RevokeInput;
import dev.amishare.functions.snapshots.SnapshotPermissionInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The sample stage inputs in events/stages must stay readable by their handlers' input records. */
class StageEventsTest {

    private static final Path STAGES = Path.of("../../events/stages");

    private static <T> T read(String file, Class<T> type) throws IOException {
        return Json.read(Files.readString(STAGES.resolve(file)), type);
    }

    @Test
    void samples_shouldMapAndValidate_whenReadByTheirInputRecords() throws IOException {
        // WHEN / THEN each sample maps (no unknown field) and passes its own checks
        PrepareInput prepare = read("prepare.json", PrepareInput.class);
        assertThat(ShareRequestValidator.problems(prepare.request())).isEmpty();
        assertThatCode(() -> read("grant-launch-permission.json", GrantLaunchPermissionInput.class).validate())
                .doesNotThrowAnyException();
        assertThatCode(() -> read("key-policy.json", KeyPolicyInput.class).validate()).doesNotThrowAnyException();
        assertThatCode(() -> read("share-snapshots.json", SnapshotPermissionInput.class).validate())
                .doesNotThrowAnyException();
        assertThatCode(() -> read("validate-consumer.json", ConsumerValidationInput.class).validate())
                .doesNotThrowAnyException();
        assertThatCode(() -> read("copy-image.json", CopyImageInput.class).validate()).doesNotThrowAnyException();
        assertThatCode(() -> read("copy-status.json", CopyStatusInput.class).validate()).doesNotThrowAnyException();
        assertThatCode(() -> read("revoke.json", RevokeInput.class).validate()).doesNotThrowAnyException();
    }
}
