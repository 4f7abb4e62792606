package io.github.imcallbackbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A callback's outbox rows become one column per field, in row order (the order ordered targets deliver in),
 * beside the time of receipt they share; rows received at two times never go into one insert.
 */
class OutboxColumnsTest {

    static final OffsetDateTime RECEIVED = OffsetDateTime.parse("2026-11-27T10:00:00Z");

    @Test
    void eachFieldBecomesAnArrayInRowOrder() {
        Map<String, Object> columns = new OutboxColumns().of(List.of(
                row("evt_1", "crm", "@TGS#_g", RECEIVED), row("evt_2", "erp", null, RECEIVED)));

        assertThat((String[]) columns.get("eventIds")).containsExactly("evt_1", "evt_2");
        assertThat((String[]) columns.get("targets")).containsExactly("crm", "erp");
        assertThat((String[]) columns.get("groupIds")).containsExactly("@TGS#_g", null);
        assertThat((String[]) columns.get("eventTypes")).containsExactly("im.topic.destroyed", "im.topic.destroyed");
        assertThat((String[]) columns.get("payloads")).containsExactly("{\"id\":\"evt_1\"}", "{\"id\":\"evt_2\"}");
        assertThat(columns.get("receivedAt")).isEqualTo(RECEIVED);
    }

    @Test
    void rowsReceivedAtDifferentTimesAreRefused() {
        assertThatThrownBy(() -> new OutboxColumns().of(List.of(
                row("evt_1", "crm", "g", RECEIVED), row("evt_2", "crm", "g", RECEIVED.plusSeconds(1)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("receivedAt");
    }

    static Map<String, Object> row(String eventId, String target, String groupId, OffsetDateTime receivedAt) {
        Map<String, Object> row = new HashMap<>();
        row.put("eventId", eventId);
        row.put("eventType", "im.topic.destroyed");
        row.put("target", target);
        row.put("groupId", groupId);
        row.put("eventPayload", "{\"id\":\"" + eventId + "\"}");
        row.put("receivedAt", receivedAt);
        return row;
    }
}
