package dev.amishare.functions.common;

import com.amazonaws.services.lambda.runtime.Context;
import org.apache.logging.log4j.ThreadContext;

/**
 * Puts the fields every decision line carries (image id, target account, execution id) into the
 * logging context for the length of one invocation; the JSON layout prints them as fields.
 */
public final class LogContext implements AutoCloseable {

    private LogContext() {
    }

    public static LogContext of(String imageId, String targetAccount, String executionId, Context lambda) {
        put("imageId", imageId);
        put("targetAccount", targetAccount);
        put("executionId", executionId);
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
