package dev.amishare.statemachine;

import dev.amishare.contract.Names;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.ResultWriter;
import software.amazon.awscdk.services.stepfunctions.ResultWriterProps;
import software.amazon.awscdk.services.stepfunctions.S3FileItemReaderProps;
import software.amazon.awscdk.services.stepfunctions.S3JsonItemReader;

/** How both Distributed Maps meet the share bucket: items from a JSON list there, results written there. */
final class ShareData {

    private ShareData() {
    }

    /** The JSON list at the key the state names at {@code keyPath} (Prepare's or Select's target list). */
    static S3JsonItemReader items(IBucket bucket, String keyPath) {
        return new S3JsonItemReader(S3FileItemReaderProps.builder()
                .bucket(bucket)
                .key(JsonPath.stringAt(keyPath))
                .build());
    }

    /** The Map Run's results under {@code map-runs/<name>/<map run id>/}. */
    static ResultWriter results(IBucket bucket, String name) {
        return new ResultWriter(ResultWriterProps.builder()
                .bucket(bucket)
                .prefix(Names.MAP_RESULTS_PREFIX + "/" + name)
                .build());
    }
}
