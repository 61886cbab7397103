package dev.amishare.functions.common;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * What every amishare Lambda entry point does: read the input record, put its image, target account and
 * execution id into the logging context, let the service handle it, write the result; an AWS call that got
 * no answer becomes {@code AwsUnavailableException}, which the state machine retries. A handler
 * subclass only wires its service in its constructors: the no-arg one, which Lambda calls, builds the
 * real clients; the other takes the service, for tests.
 *
 * @param <I> the input record
 * @param <O> the output record
 */
public abstract class StageHandler<I, O> implements RequestStreamHandler {

    private final Class<I> inputType;
    private final Function<I, LogContext.Fields> logFields;
    private final Function<I, O> handle;
    private final ObjectMapper reader;

    protected StageHandler(Class<I> inputType, Function<I, LogContext.Fields> logFields, Function<I, O> handle) {
        this(inputType, logFields, handle, Json.MAPPER);
    }

    /**
     * With {@code reader} for the input: {@link Json#AWS_EVENTS} for an AWS event class, whose JSON carries
     * fields the class does not model; amishare's own records keep the strict {@link Json#MAPPER}.
     */
    protected StageHandler(Class<I> inputType, Function<I, LogContext.Fields> logFields, Function<I, O> handle,
            ObjectMapper reader) {
        this.inputType = Objects.requireNonNull(inputType, "inputType");
        this.logFields = Objects.requireNonNull(logFields, "logFields");
        this.handle = Objects.requireNonNull(handle, "handle");
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    @Override
    public final void handleRequest(InputStream in, OutputStream out, Context context) {
        I input = Json.read(reader, in, inputType);
        try (LogContext ignored = LogContext.of(logFields.apply(input), context)) {
            Json.write(out, handle.apply(input));
        } catch (SdkClientException e) {
            // The services map the errors AWS answered with; one that got no answer at all surfaces here.
            throw AwsErrors.noAnswer("an AWS call", e);
        }
    }
}
