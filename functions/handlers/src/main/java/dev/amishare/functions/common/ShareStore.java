package dev.amishare.functions.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.amishare.contract.Names;
import dev.amishare.errors.ShareDataMissingException;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import java.util.List;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The owner stack's bucket of share data. What grows with the number of targets (the target list, the
 * access before the share, the ready targets, the report) lives here, under {@code shares/<execution>/},
 * and the workflow's state only carries {@link S3Location}s, so that no state payload grows with N.
 *
 * @param s3 the owner account's S3 client
 * @param bucket the bucket the owner stack created ({@value Names#ENV_SHARE_BUCKET})
 */
public record ShareStore(S3Client s3, String bucket) {

    private static final TypeReference<List<ShareRequest.Target>> TARGETS = new TypeReference<>() {
    };

    /** Writes {@code value} as JSON to {@code shares/<executionId>/<name>} and returns where. */
    public S3Location put(String executionId, String name, Object value) {
        String key = Names.SHARE_DATA_PREFIX + executionId + "/" + name;
        String json = Json.write(value);
        try {
            s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/json"), RequestBody.fromString(json));
        } catch (AwsServiceException e) {
            throw AwsErrors.common("s3:PutObject", e);
        }
        return new S3Location(bucket, key);
    }

    /** The object's text. */
    public String text(S3Location at) {
        try {
            return s3.getObjectAsBytes(r -> r.bucket(at.bucket()).key(at.key())).asUtf8String();
        } catch (NoSuchKeyException e) {
            throw new ShareDataMissingException(at.uri(), e);
        } catch (AwsServiceException e) {
            throw AwsErrors.common("s3:GetObject", e);
        }
    }

    public <T> T get(S3Location at, Class<T> type) {
        return Json.read(text(at), type);
    }

    public <T> T get(S3Location at, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(text(at), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("share data " + at.uri() + " is not what amishare wrote", e);
        }
    }

    /** The target accounts a {@link TargetSet} lists; none when it has no object. */
    public List<ShareRequest.Target> targets(TargetSet set) {
        return set == null || set.accounts() == null ? List.of() : get(set.accounts(), TARGETS);
    }

    /**
     * The set's principals: its accounts (only those that copy, when {@code copyingOnly}), organizations and OUs.
     */
    public Principals principals(TargetSet set, boolean copyingOnly) {
        if (set == null) {
            return Principals.NONE;
        }
        List<String> accounts = targets(set).stream().filter(t -> !copyingOnly || !t.copy().isEmpty())
                .map(ShareRequest.Target::accountId).toList();
        return new Principals(accounts, set.organizationArns(), set.organizationalUnitArns());
    }
}
