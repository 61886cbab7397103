package dev.amishare.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.amishare.contract.Stage;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.StageHandler;
import dev.amishare.functions.model.ShareRequestValidator;
import dev.amishare.functions.prepare.PrepareInput;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every stage's handler exists as declared, and every stage has a sample input in events/ that its
 * handler's input record reads (no unknown field) and accepts: a contract change that forgets the samples,
 * or a new stage without a handler or a sample, fails here.
 */
class StageEventsTest {

    private static final Path EVENTS = Path.of("../../events");

    /** The sample a stage's handler reads: an AWS event for the entry points, else events/stages/<id>.json. */
    static Path sample(Stage stage) {
        return switch (stage) {
            case COPY_EVENT -> EVENTS.resolve("entry/ec2-ami-state-change-available.json");
            case SHARE_TAG_CHANGED -> EVENTS.resolve("entry/tag-change-image-targets.json");
            case NEW_ACCOUNT -> EVENTS.resolve("entry/controltower-create-managed-account.json");
            default -> EVENTS.resolve("stages/" + stage.functionId().replaceAll("([a-z])([A-Z])", "$1-$2")
                    .toLowerCase(Locale.ROOT) + ".json");
        };
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void handler_shouldBeAStageHandlerWithANoArgConstructor_whenDeclared(Stage stage) throws Exception {
        // GIVEN / WHEN the declared handler class
        Class<?> handler = Class.forName(stage.handlerClass());

        // THEN Lambda can build it, and it goes through the one read → log → handle → write base
        assertThat(StageHandler.class).isAssignableFrom(handler);
        assertThat(Modifier.isPublic(handler.getConstructor().getModifiers())).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void sample_shouldMapAndValidate_whenReadByTheStagesInputRecord(Stage stage) throws Exception {
        // GIVEN the stage's sample and its handler's input type
        Path sample = sample(stage);
        assertThat(sample).as("sample input of " + stage).exists();
        Class<?> input = (Class<?>) ((ParameterizedType) Class.forName(stage.handlerClass()).getGenericSuperclass())
                .getActualTypeArguments()[0];

        // WHEN
        Object read = Json.read(Files.readString(sample), input);

        // THEN it maps and passes the record's own checks
        if (read instanceof PrepareInput prepare) {
            assertThat(ShareRequestValidator.problems(prepare.request())).isEmpty();
        }
        Method validate = validateMethod(input);
        if (validate != null) {
            assertThatCode(() -> validate.invoke(read)).doesNotThrowAnyException();
        }
    }

    private static Method validateMethod(Class<?> type) {
        try {
            return type.getMethod("validate");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
