package io.github.imcallbackbridge.delivery;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One event forwarded to the CRM/ERP targets, in the Standard Webhooks shape
 * {@code {"type":…,"timestamp":…,"data":{…}}}. Its {@link #id()} is sent as {@code webhook-id} on every
 * attempt, so receivers can drop repeats.
 */
public record WebhookEvent(String id, String type, OffsetDateTime timestamp, Map<String, Object> data) {

    public static final String TOPIC_DESTROYED = "im.topic.destroyed";
    public static final String GROUP_DESTROYED = "im.group.destroyed";
    /** Every topic one callback newly recorded, as one event; only targets that list it receive it. */
    public static final String TOPICS_DESTROYED = "im.topics.destroyed";
    /** A callback forwarded as received (IM_CALLBACKS_FORWARD): {@code im.callback.<CallbackCommand>}. */
    public static final String FORWARDED_PREFIX = "im.callback.";
    /** Every event type, in the order they are documented. */
    public static final List<String> TYPES = List.of(TOPIC_DESTROYED, TOPICS_DESTROYED, GROUP_DESTROYED);

    private static final ObjectMapper JSON = new ObjectMapper();

    public static WebhookEvent of(String type, OffsetDateTime timestamp, Map<String, Object> data) {
        return new WebhookEvent("evt_" + UUID.randomUUID().toString().replace("-", ""), type, timestamp, data);
    }

    /** An event whose ID follows from its de-duplication key, so that a repeat gets the same webhook-id. */
    public static WebhookEvent keyed(String dedupeKey, String type, OffsetDateTime timestamp, Map<String, Object> data) {
        return new WebhookEvent("evt_" + dedupeKey.substring(0, 32), type, timestamp, data);
    }

    /** The request body sent to a target. */
    public String payload() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("timestamp", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(timestamp));
        body.put("data", data);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event data is not serialisable", e);
        }
    }
}
