package io.github.imcallbackbridge.callback;

import io.github.imcallbackbridge.delivery.WebhookEvent;
import io.github.imcallbackbridge.delivery.WebhookTargets;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;

/**
 * The group-level event of one {@code Group.CallbackAfterTopicDestroyed}: every topic the callback newly
 * recorded, in the callback's order, as one {@code im.topics.destroyed} event, for targets (an ERP, say)
 * that want one document per callback rather than one per topic.
 * <p>
 * Input: the properties {@code topicRecords} and {@code callbackRecord} set by {@link CallbackValidator},
 * the topic records marked {@code recorded} by {@link RecordedTopics}. Output: the event's record, from which
 * {@link WebhookTargets#deliveriesFor} makes its outbox rows.
 */
public class TopicsSummary {

    public Map<String, Object> of(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> topics = exchange.getProperty("topicRecords", List.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> callback = exchange.getProperty("callbackRecord", Map.class);
        List<Object> topicIds = topics.stream()
                .filter(topic -> Boolean.TRUE.equals(topic.get("recorded"))).map(topic -> topic.get("topicId")).toList();

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sdkAppId", callback.get("sdkAppId"));
        data.put("groupId", topics.get(0).get("groupId"));
        data.put("groupType", topics.get(0).get("groupType"));
        data.put("topicIds", topicIds);
        data.put("topicCount", topicIds.size());
        OffsetDateTime receivedAt = (OffsetDateTime) callback.get("receivedAt");
        WebhookEvent event = WebhookEvent.of(WebhookEvent.TOPICS_DESTROYED, receivedAt, data);

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("groupId", data.get("groupId"));
        row.put("receivedAt", receivedAt);
        row.put("eventId", event.id());
        row.put("eventType", event.type());
        row.put("eventPayload", event.payload());
        return row;
    }
}
