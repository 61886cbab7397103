package dev.amishare.functions.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.functions.model.MapRunOutput;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.MapRuns;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MapRunResultsTest {

    private final FakeS3 s3 = new FakeS3();

    @Test
    void read_shouldReturnSucceededThenFailedChildren_whenTheManifestNamesBothFiles() {
        // GIVEN a Map Run whose ResultWriter wrote one SUCCEEDED and one FAILED file
        MapRunOutput run = new MapRuns(s3, "shares/exec-1/checks/run-1")
                .failed(Map.of("n", 2), "States.TaskFailed", "boom")
                .succeeded(Map.of("n", 1), Map.of("ok", true))
                .write();

        // WHEN
        List<MapRunResults.Child> children = MapRunResults.read(s3.store(), run);

        // THEN both children, succeeded first, with their input and output as JSON strings
        assertThat(children).extracting(MapRunResults.Child::status).containsExactly("SUCCEEDED", "FAILED");
        assertThat(children.get(0).succeeded()).isTrue();
        assertThat(children.get(0).input()).isEqualTo("{\"n\":1}");
        assertThat(children.get(0).output()).isEqualTo("{\"ok\":true}");
        assertThat(children.get(1).succeeded()).isFalse();
        assertThat(children.get(1).error()).isEqualTo("States.TaskFailed");
        assertThat(children.get(1).cause()).isEqualTo("boom");
        // AND it read the manifest and the two files only
        assertThat(s3.gets).isEqualTo(3);
    }

    @Test
    void read_shouldTakeTheStatusFromTheFile_whenARecordHasNone() {
        // GIVEN a PENDING file whose record names no status
        s3.seed("run/PENDING_0.json", "[{\"Input\":\"{}\"}]");
        s3.seed("run/manifest.json", "{\"DestinationBucket\":\"" + FakeS3.BUCKET + "\",\"ResultFiles\":"
                + "{\"FAILED\":[],\"PENDING\":[{\"Key\":\"run/PENDING_0.json\",\"Size\":17}],\"SUCCEEDED\":[]}}");

        // WHEN
        List<MapRunResults.Child> children = MapRunResults.read(s3.store(),
                new MapRunOutput("arn", new MapRunOutput.ResultWriterDetails(FakeS3.BUCKET, "run/manifest.json")));

        // THEN
        assertThat(children).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo("PENDING");
            assertThat(c.succeeded()).isFalse();
        });
    }

    @Test
    void read_shouldReturnNothingWithoutReadingS3_whenTheMapDidNotRun() {
        // WHEN / THEN a Map that was skipped has no output
        assertThat(MapRunResults.read(s3.store(), null)).isEmpty();
        assertThat(MapRunResults.read(s3.store(), new MapRunOutput("arn", null))).isEmpty();
        assertThat(s3.gets).isZero();
    }
}
