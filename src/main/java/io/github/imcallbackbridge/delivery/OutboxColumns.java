package io.github.imcallbackbridge.delivery;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outbox rows of one recorded callback (the body of {@code queue-webhooks}: maps with {@code eventId},
 * {@code eventType}, {@code target}, {@code groupId}, {@code eventPayload} and {@code receivedAt}) turned into
 * columns, so that one {@code INSERT … SELECT … FROM UNNEST(…)} writes them all: {@code eventIds},
 * {@code eventTypes}, {@code targets}, {@code groupIds} and {@code payloads} as arrays in row order, and the
 * {@code receivedAt} they share.
 */
public class OutboxColumns {

    public Map<String, Object> of(List<Map<String, Object>> rows) {
        int n = rows.size();
        String[] eventIds = new String[n];
        String[] eventTypes = new String[n];
        String[] targets = new String[n];
        String[] groupIds = new String[n];
        String[] payloads = new String[n];
        Object receivedAt = n == 0 ? null : rows.get(0).get("receivedAt");
        for (int i = 0; i < n; i++) {
            Map<String, Object> row = rows.get(i);
            eventIds[i] = (String) row.get("eventId");
            eventTypes[i] = (String) row.get("eventType");
            targets[i] = (String) row.get("target");
            groupIds[i] = (String) row.get("groupId");
            payloads[i] = (String) row.get("eventPayload");
            if (!Objects.equals(receivedAt, row.get("receivedAt"))) {
                // every row of a callback carries its time of receipt; rows of two callbacks never meet here
                throw new IllegalArgumentException("outbox rows of one insert must share receivedAt");
            }
        }
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("eventIds", eventIds);
        columns.put("eventTypes", eventTypes);
        columns.put("targets", targets);
        columns.put("groupIds", groupIds);
        columns.put("payloads", payloads);
        columns.put("receivedAt", receivedAt);
        return columns;
    }
}
