package dev.amishare.functions.model;

/**
 * An object in S3: where a stage left what does not fit, or should not grow, in the workflow's state.
 *
 * @param bucket the bucket
 * @param key the object's key
 */
public record S3Location(String bucket, String key) {

    public String uri() {
        return "s3://" + bucket + "/" + key;
    }
}
