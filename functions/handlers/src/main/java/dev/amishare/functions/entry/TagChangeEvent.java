package dev.amishare.functions.entry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * EventBridge "Tag Change on Resource" event (source {@code aws.tag}), the fields amishare reads.
 * Unknown fields are ignored here, unlike in stage inputs: AWS adds fields to its events over time and
 * a new one must not stop sharing.
 *
 * @param id the event id, the same on every redelivery of one event
 * @param region region of the tagged resource
 * @param resources the tagged resource's ARN
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TagChangeEvent(
        String id,
        @JsonProperty("detail-type") String detailType,
        String source,
        String account,
        String region,
        List<String> resources,
        Detail detail) {

    public TagChangeEvent {
        resources = resources == null ? List.of() : List.copyOf(resources);
    }

    /**
     * @param changedTagKeys keys added, changed or removed
     * @param tags every tag of the resource after the change
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detail(
            @JsonProperty("changed-tag-keys") List<String> changedTagKeys,
            String service,
            @JsonProperty("resource-type") String resourceType,
            Map<String, String> tags) {

        public Detail {
            changedTagKeys = changedTagKeys == null ? List.of() : List.copyOf(changedTagKeys);
            tags = tags == null ? Map.of() : Map.copyOf(tags);
        }
    }
}
