package dev.amishare.functions.common;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.List;
import org.apache.logging.log4j.ThreadContext;

/**
 * Puts the fields every decision line carries (image id, target account, execution id) into the
 * logging context for the length of one invocation; the JSON layout prints them as fields.
 */
public final class LogContext implements AutoCloseable {

    /**
     * The fields of one invocation; any may be null (a stage without an image, an event without an
     * execution).
     */
    public record Fields(String imageId, String targetAccount, String executionId) {

        public static final Fields NONE = new Fields(null, null, null);

        /** Several target accounts, comma-separated. */
        public static Fields of(String imageId, List<String> targetAccounts, String executionId) {
            return new Fields(imageId, String.join(",", targetAccounts), executionId);
        }
    }

    private LogContext() {
    }

    public static LogContext of(Fields fields, Context lambda) {
        put("imageId", fields.imageId());
        put("targetAccount", fields.targetAccount());
        put("executionId", fields.executionId());
        put("awsRequestId", lambda == null ? null : lambda.getAwsRequestId());
        return new LogContext();
    }

    private static void put(String key, String value) {
        if (value != null && !value.isEmpty()) {
            ThreadContext.put(key, value);
        }
    }

    @Override
    public void close() {
        ThreadContext.clearMap();
    }
}
