package io.github.imcallbackbridge.callback;

import io.github.imcallbackbridge.delivery.WebhookEvent;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;

/**
 * Checks a parsed callback body against the protocol and prepares the rows the route records.
 * <p>
 * Input: the body as a Jackson {@link JsonNode}, and the exchange properties set by {@link CallbackQuery}
 * plus {@code rawBody}. Output, as exchange properties whose keys match the SQL named parameters in the
 * route files: {@code callbackRecord} (one map), and {@code topicRecords} (a list of maps, one per topic, in
 * the callback's order) or {@code groupRecord} (one map). Every rule failure is a 400 naming the field.
 */
public class CallbackValidator {

    /** Tencent's limit for a whole topic ID. */
    public static final int MAX_TOPIC_ID_BYTES = 96;
    static final String TOPIC_ID_SEPARATOR = "@TOPIC#_";
    private static final int MAX_GROUP_ID_BYTES = MAX_TOPIC_ID_BYTES - TOPIC_ID_SEPARATOR.length() - 1;
    private static final int MAX_SHORT_TEXT = 128;
    private static final int MAX_NAME = 1024;

    private int maxTopicsPerCallback = 10_000;

    public void setMaxTopicsPerCallback(int maxTopicsPerCallback) {
        this.maxTopicsPerCallback = maxTopicsPerCallback;
    }

    /** Validates {@code Group.CallbackAfterTopicDestroyed}. */
    public void topicDestroyed(Exchange exchange) {
        JsonNode body = object(exchange);
        String groupId = groupId(body);
        String groupType = optionalText(body, "Type", MAX_SHORT_TEXT);
        JsonNode list = body.get("TopicIdList");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw CallbackRejectedException.invalid("TopicIdList must be a non-empty array of topic ID strings");
        }
        if (list.size() > maxTopicsPerCallback) {
            throw CallbackRejectedException.invalid(
                    "TopicIdList has more than " + maxTopicsPerCallback + " entries");
        }
        String prefix = groupId + TOPIC_ID_SEPARATOR;
        Set<String> topicIds = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String field = "TopicIdList[" + i + "]";
            if (!item.isTextual()) {
                throw CallbackRejectedException.invalid(field + " must be a string");
            }
            String topicId = item.textValue();
            if (topicId.getBytes(StandardCharsets.UTF_8).length > MAX_TOPIC_ID_BYTES) {
                throw CallbackRejectedException.invalid(field + " is longer than " + MAX_TOPIC_ID_BYTES + " bytes");
            }
            if (hasControlCharacter(topicId)) {
                throw CallbackRejectedException.invalid(field + " contains control characters");
            }
            if (!topicId.startsWith(prefix) || topicId.length() == prefix.length()) {
                throw CallbackRejectedException.invalid(field + " is not a topic of GroupId (expected GroupId + \"@TOPIC#_\" + suffix)");
            }
            topicIds.add(topicId);
        }

        Map<String, Object> callback = callbackRecord(exchange);
        List<Map<String, Object>> topics = new ArrayList<>(topicIds.size());
        for (String topicId : topicIds) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("sdkAppId", callback.get("sdkAppId"));
            data.put("groupId", groupId);
            data.put("groupType", groupType);
            data.put("topicId", topicId);
            WebhookEvent event = WebhookEvent.of(WebhookEvent.TOPIC_DESTROYED,
                    (OffsetDateTime) callback.get("receivedAt"), data);

            Map<String, Object> row = new LinkedHashMap<>(data);
            row.put("callbackId", callback.get("callbackId"));
            row.put("receivedAt", callback.get("receivedAt"));
            putEvent(row, event);
            topics.add(row);
        }
        exchange.setProperty("callbackRecord", callback);
        exchange.setProperty("topicRecords", topics);
        exchange.setProperty("groupId", groupId);
    }

    /** Validates {@code Group.CallbackAfterGroupDestroyed}. */
    public void groupDestroyed(Exchange exchange) {
        JsonNode body = object(exchange);
        String groupId = groupId(body);
        Map<String, Object> callback = callbackRecord(exchange);

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sdkAppId", callback.get("sdkAppId"));
        data.put("groupId", groupId);
        data.put("groupType", optionalText(body, "Type", MAX_SHORT_TEXT));
        data.put("ownerAccount", optionalText(body, "Owner_Account", MAX_SHORT_TEXT));
        data.put("operatorAccount", optionalText(body, "Operator_Account", MAX_SHORT_TEXT));
        data.put("name", optionalText(body, "Name", MAX_NAME));
        Long eventTime = eventTime(body);
        data.put("eventTime", eventTime);
        WebhookEvent event = WebhookEvent.of(WebhookEvent.GROUP_DESTROYED,
                (OffsetDateTime) callback.get("receivedAt"), data);

        Map<String, Object> row = new LinkedHashMap<>(data);
        // Without an EventTime, the time of receipt stands in as the de-duplication key.
        row.put("eventTime", eventTime != null ? eventTime
                : ((OffsetDateTime) callback.get("receivedAt")).toInstant().toEpochMilli());
        row.put("callbackId", callback.get("callbackId"));
        row.put("receivedAt", callback.get("receivedAt"));
        putEvent(row, event);
        exchange.setProperty("callbackRecord", callback);
        exchange.setProperty("groupRecord", row);
        exchange.setProperty("groupId", groupId);
    }

    /**
     * Validates a callback forwarded as received (IM_CALLBACKS_FORWARD): a JSON object whose CallbackCommand, where
     * the body carries one, equals the URL's, and whose GroupId, if any, is a sensible string. Makes the event
     * {@code im.callback.<command>} with {@code data = {sdkAppId, callbackCommand, clientIp, optPlatform, payload}}
     * ({@code forwardedRecord}) and the callback row with its de-duplication key ({@code callbackRecord}).
     */
    public void forwarded(Exchange exchange) {
        JsonNode body = exchange.getMessage().getBody(JsonNode.class);
        if (body == null || !body.isObject()) {
            throw CallbackRejectedException.invalid("the request body must be a JSON object");
        }
        String command = exchange.getProperty("callbackCommand", String.class);
        JsonNode bodyCommand = body.get("CallbackCommand");
        if (bodyCommand != null && !(bodyCommand.isTextual() && bodyCommand.textValue().equals(command))) {
            throw CallbackRejectedException.invalid(
                    "CallbackCommand in the body must equal the CallbackCommand query parameter");
        }
        String groupId = body.has("GroupId") ? groupId(body) : null;
        Map<String, Object> callback = callbackRecord(exchange);
        String dedupeKey = CallbackDedupeKey.of((String) callback.get("sdkAppId"), command, body,
                (String) callback.get("rawBody"));
        callback.put("dedupeKey", dedupeKey);

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sdkAppId", callback.get("sdkAppId"));
        data.put("callbackCommand", command);
        data.put("clientIp", callback.get("clientIp"));
        data.put("optPlatform", callback.get("optPlatform"));
        data.put("payload", body);
        String type = WebhookEvent.FORWARDED_PREFIX + command;
        OffsetDateTime receivedAt = (OffsetDateTime) callback.get("receivedAt");
        WebhookEvent event = dedupeKey != null ? WebhookEvent.keyed(dedupeKey, type, receivedAt, data)
                : WebhookEvent.of(type, receivedAt, data);

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("sdkAppId", callback.get("sdkAppId"));
        row.put("groupId", groupId);
        row.put("receivedAt", receivedAt);
        putEvent(row, event);
        exchange.setProperty("callbackRecord", callback);
        exchange.setProperty("forwardedRecord", row);
        exchange.setProperty("groupId", groupId);
    }

    /** The body must at least be a JSON object whose CallbackCommand matches the query parameter. */
    public void anyCommand(Exchange exchange) {
        object(exchange);
    }

    private static JsonNode object(Exchange exchange) {
        JsonNode body = exchange.getMessage().getBody(JsonNode.class);
        if (body == null || !body.isObject()) {
            throw CallbackRejectedException.invalid("the request body must be a JSON object");
        }
        JsonNode command = body.get("CallbackCommand");
        String expected = exchange.getProperty("callbackCommand", String.class);
        if (command == null || !command.isTextual() || !command.textValue().equals(expected)) {
            throw CallbackRejectedException.invalid(
                    "CallbackCommand in the body must equal the CallbackCommand query parameter");
        }
        return body;
    }

    private static String groupId(JsonNode body) {
        JsonNode node = body.get("GroupId");
        if (node == null || !node.isTextual() || node.textValue().isEmpty()) {
            throw CallbackRejectedException.invalid("GroupId must be a non-empty string");
        }
        String groupId = node.textValue();
        if (groupId.getBytes(StandardCharsets.UTF_8).length > MAX_GROUP_ID_BYTES) {
            throw CallbackRejectedException.invalid("GroupId is longer than " + MAX_GROUP_ID_BYTES + " bytes");
        }
        if (hasControlCharacter(groupId)) {
            throw CallbackRejectedException.invalid("GroupId contains control characters");
        }
        return groupId;
    }

    private static String optionalText(JsonNode body, String field, int maxLength) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw CallbackRejectedException.invalid(field + " must be a string");
        }
        if (node.textValue().length() > maxLength) {
            throw CallbackRejectedException.invalid(field + " is longer than " + maxLength + " characters");
        }
        if (hasControlCharacter(node.textValue())) {
            throw CallbackRejectedException.invalid(field + " contains control characters");
        }
        return node.textValue();
    }

    /** EventTime is milliseconds since the epoch, sent as a number or, in some examples, as a string. */
    private static Long eventTime(JsonNode body) {
        JsonNode node = body.get("EventTime");
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
            return node.longValue();
        }
        if (node.isTextual() && node.textValue().matches("[0-9]{1,18}")) {
            return Long.parseLong(node.textValue());
        }
        throw CallbackRejectedException.invalid("EventTime must be a non-negative integer (milliseconds), as a number or a string");
    }

    private static Map<String, Object> callbackRecord(Exchange exchange) {
        // a callback replayed from the journal keeps the ID and arrival time it was given when it came in
        String journaledId = exchange.getProperty("journaledCallbackId", String.class);
        OffsetDateTime journaledAt = exchange.getProperty("journaledReceivedAt", OffsetDateTime.class);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("callbackId", journaledId != null ? journaledId : UUID.randomUUID().toString());
        row.put("callbackCommand", exchange.getProperty("callbackCommand", String.class));
        row.put("sdkAppId", exchange.getProperty("sdkAppId", String.class));
        row.put("clientIp", exchange.getProperty("clientIp", String.class));
        row.put("optPlatform", exchange.getProperty("optPlatform", String.class));
        row.put("rawBody", exchange.getProperty("rawBody", String.class));
        row.put("dedupeKey", null);
        row.put("receivedAt", journaledAt != null ? journaledAt
                : OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
        return row;
    }

    /** The event's columns of an outbox row: its ID (the webhook-id), type and payload. */
    private static void putEvent(Map<String, Object> row, WebhookEvent event) {
        row.put("eventId", event.id());
        row.put("eventType", event.type());
        row.put("eventPayload", event.payload());
    }

    private static boolean hasControlCharacter(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }
}
