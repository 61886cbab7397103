package dev.amishare.functions.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.model.S3Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * A stub of S3 for unit tests: objects in memory by bucket and key, the two calls {@link ShareStore} makes,
 * and every write recorded in order.
 */
public final class FakeS3 implements S3Client {

    public static final String BUCKET = "amishare-share-data";

    public final Map<String, String> objects = new LinkedHashMap<>();
    public final List<PutObjectRequest> puts = new ArrayList<>();
    public int gets;

    /** A store over this stub and {@link #BUCKET}. */
    public ShareStore store() {
        return new ShareStore(this, BUCKET);
    }

    /** Puts {@code value} as JSON at {@code key} of {@link #BUCKET}, as if an earlier stage wrote it. */
    public S3Location seed(String key, Object value) {
        objects.put(BUCKET + "/" + key, value instanceof String s ? s : Json.write(value));
        return new S3Location(BUCKET, key);
    }

    /** The text of an object, null when there is none. */
    public String text(String key) {
        return objects.get(BUCKET + "/" + key);
    }

    public <T> T read(String key, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(text(key), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The keys written, in order. */
    public List<String> writtenKeys() {
        return puts.stream().map(PutObjectRequest::key).toList();
    }

    @Override
    public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
        puts.add(request);
        try (InputStream in = body.contentStreamProvider().newStream()) {
            objects.put(request.bucket() + "/" + request.key(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return PutObjectResponse.builder().build();
    }

    @Override
    public ResponseBytes<GetObjectResponse> getObjectAsBytes(GetObjectRequest request) {
        gets++;
        String text = objects.get(request.bucket() + "/" + request.key());
        if (text == null) {
            throw NoSuchKeyException.builder().message("stubbed NoSuchKey " + request.key()).statusCode(404).build();
        }
        return ResponseBytes.fromByteArray(GetObjectResponse.builder().build(), text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String serviceName() {
        return "s3";
    }

    @Override
    public void close() {
    }
}
