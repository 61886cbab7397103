package dev.amishare.functions.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A Distributed Map's output when it writes its results to S3 (Step Functions DeveloperGuide
 * "input-output-resultwriter"): the Map Run and where its manifest is.
 *
 * @param mapRunArn the Map Run
 * @param resultWriterDetails the bucket and key of the run's {@code manifest.json}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MapRunOutput(
        @JsonProperty("MapRunArn") String mapRunArn,
        @JsonProperty("ResultWriterDetails") ResultWriterDetails resultWriterDetails) {

    /**
     * @param bucket the results' bucket
     * @param key the manifest's key
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ResultWriterDetails(@JsonProperty("Bucket") String bucket, @JsonProperty("Key") String key) {
    }

    public S3Location manifest() {
        return resultWriterDetails == null ? null
                : new S3Location(resultWriterDetails.bucket(), resultWriterDetails.key());
    }
}
