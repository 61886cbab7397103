package dev.amishare.functions.common;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.amishare.functions.model.MapRunOutput;
import dev.amishare.functions.model.S3Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads what a Distributed Map's ResultWriter wrote (Step Functions DeveloperGuide
 * "input-output-resultwriter"): the manifest names result files per status, each a JSON array with one
 * record per child execution, its input and output as JSON strings, and for failed children their error
 * and cause.
 */
public final class MapRunResults {

    private static final TypeReference<List<Child>> CHILDREN = new TypeReference<>() {
    };

    private MapRunResults() {
    }

    /** The manifest: result files by status (SUCCEEDED, FAILED, PENDING). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Manifest(
            @JsonProperty("DestinationBucket") String destinationBucket,
            @JsonProperty("ResultFiles") Map<String, List<ResultFile>> resultFiles) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ResultFile(@JsonProperty("Key") String key, @JsonProperty("Size") Long size) {
    }

    /**
     * One child execution as the result files record it.
     *
     * @param status SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING (the file it was in for the latter)
     * @param input the child's input, a JSON string
     * @param output the child's output, a JSON string; null unless it succeeded
     * @param error the child's error name; null unless it failed
     * @param cause the child's error cause; null unless it failed
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Child(
            @JsonProperty("Status") String status,
            @JsonProperty("Input") String input,
            @JsonProperty("Output") String output,
            @JsonProperty("Error") String error,
            @JsonProperty("Cause") String cause) {

        public boolean succeeded() {
            return "SUCCEEDED".equals(status);
        }
    }

    /** Every child the Map Run recorded, succeeded ones first, then failed, then pending. */
    public static List<Child> read(ShareStore store, MapRunOutput run) {
        S3Location manifestAt = run == null ? null : run.manifest();
        if (manifestAt == null) {
            return List.of();
        }
        Manifest manifest = store.get(manifestAt, Manifest.class);
        String bucket = manifest.destinationBucket() == null ? manifestAt.bucket() : manifest.destinationBucket();
        List<Child> out = new ArrayList<>();
        Map<String, List<ResultFile>> files = manifest.resultFiles() == null ? Map.of() : manifest.resultFiles();
        for (String status : List.of("SUCCEEDED", "FAILED", "PENDING")) {
            for (ResultFile file : files.getOrDefault(status, List.of())) {
                for (Child child : store.get(new S3Location(bucket, file.key()), CHILDREN)) {
                    out.add(child.status() == null
                            ? new Child(status, child.input(), child.output(), child.error(), child.cause())
                            : child);
                }
            }
        }
        return out;
    }
}
