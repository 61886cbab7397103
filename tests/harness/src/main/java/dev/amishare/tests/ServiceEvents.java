package dev.amishare.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * Puts an AWS service's event (source {@code aws.*}) on a bus as that service would emit it in the caller's
 * account. AWS refuses such sources from PutEvents; the emulator lets the tests play the service with the
 * header its extension documents, and refuses them like AWS without it.
 */
public final class ServiceEvents {

    /** The emulator's stand-in for AWS itself emitting an event (tests/localstack-ext/README.md). */
    public static final String EMULATE_AWS_SERVICE_HEADER = "X-Amishare-Emulate-Aws-Service";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceEvents() {
    }

    /** The event as the service emits it, onto the default bus (or {@code busName}) of the client's account. */
    public static PutEventsResponse emit(EventBridgeClient events, JsonNode event, String busName) {
        return events.putEvents(r -> r.overrideConfiguration(c -> c.putHeader(EMULATE_AWS_SERVICE_HEADER, "true"))
                .entries(e -> e.source(event.path("source").asText())
                        .detailType(event.path("detail-type").asText())
                        .resources(JSON.convertValue(event.path("resources"), String[].class))
                        .detail(event.path("detail").toString())
                        .eventBusName(busName)));
    }
}
