package dev.amishare.functions.testing;

import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.MapRunResults;
import dev.amishare.functions.model.MapRunOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes into a {@link FakeS3} what a Distributed Map's ResultWriter writes (Step Functions DeveloperGuide
 * "input-output-resultwriter"): a manifest naming one result file per status, each a JSON array of the
 * child executions with their input and output as JSON strings, and the Map's output pointing at it.
 */
public final class MapRuns {

    private final FakeS3 s3;
    private final String prefix;
    private final Map<String, List<MapRunResults.Child>> byStatus = new LinkedHashMap<>();

    public MapRuns(FakeS3 s3, String prefix) {
        this.s3 = s3;
        this.prefix = prefix;
    }

    public MapRuns succeeded(Object input, Object output) {
        return add(new MapRunResults.Child("SUCCEEDED", Json.write(input), Json.write(output), null, null));
    }

    public MapRuns failed(Object input, String error, String cause) {
        return add(new MapRunResults.Child("FAILED", Json.write(input), null, error, cause));
    }

    public MapRuns add(MapRunResults.Child child) {
        byStatus.computeIfAbsent(child.status(), s -> new ArrayList<>()).add(child);
        return this;
    }

    /** Writes the result files and the manifest; returns the Map state's output. */
    public MapRunOutput write() {
        Map<String, List<Map<String, Object>>> files = new LinkedHashMap<>();
        for (String status : List.of("SUCCEEDED", "FAILED", "PENDING")) {
            List<Map<String, Object>> list = new ArrayList<>();
            List<MapRunResults.Child> children = byStatus.getOrDefault(status, List.of());
            if (!children.isEmpty()) {
                String key = prefix + "/" + status + "_0.json";
                String json = Json.write(children);
                s3.seed(key, json);
                list.add(Map.of("Key", key, "Size", json.length()));
            }
            files.put(status, list);
        }
        String manifestKey = prefix + "/manifest.json";
        s3.seed(manifestKey, Map.of("DestinationBucket", FakeS3.BUCKET,
                "MapRunArn", "arn:aws:states:us-east-1:111111111111:mapRun:share/map:1", "ResultFiles", files));
        return new MapRunOutput("arn:aws:states:us-east-1:111111111111:mapRun:share/map:1",
                new MapRunOutput.ResultWriterDetails(FakeS3.BUCKET, manifestKey));
    }
}
