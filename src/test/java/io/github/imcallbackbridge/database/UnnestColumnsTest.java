package io.github.imcallbackbridge.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A callback's rows of one table become one array per varying field, in row order (the order ordered targets
 * deliver in), beside the values they share; rows that differ in a shared value never go into one statement.
 */
class UnnestColumnsTest {

    static final OffsetDateTime RECEIVED = OffsetDateTime.parse("2026-11-27T10:00:00Z");

    @Test
    void eachArrayParameterHoldsItsKeyOfEveryRowInRowOrder() {
        Map<String, Object> parameters = outbox().of(List.of(
                row("evt_1", "crm", "@TGS#_g", RECEIVED), row("evt_2", "erp", null, RECEIVED)));

        assertThat(parameters).containsOnlyKeys("eventIds", "targets", "groupIds", "payloads", "receivedAt");
        assertThat((String[]) parameters.get("eventIds")).containsExactly("evt_1", "evt_2");
        assertThat((String[]) parameters.get("targets")).containsExactly("crm", "erp");
        assertThat((String[]) parameters.get("groupIds")).as("a missing value stays null").containsExactly("@TGS#_g", null);
        assertThat((String[]) parameters.get("payloads")).containsExactly("{\"id\":\"evt_1\"}", "{\"id\":\"evt_2\"}");
        assertThat(parameters.get("receivedAt")).as("shared: once, as it is").isEqualTo(RECEIVED);
    }

    @Test
    void rowsThatDifferInASharedValueAreRefused() {
        assertThatThrownBy(() -> outbox().of(List.of(
                row("evt_1", "crm", "g", RECEIVED), row("evt_2", "crm", "g", RECEIVED.plusSeconds(1)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("receivedAt");
    }

    @Test
    void aMalformedArraysListIsRefusedWhenConfigured() {
        assertThatThrownBy(() -> new UnnestColumns().setArrays("eventIds=eventId,targets"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'targets'");
    }

    static UnnestColumns outbox() {
        UnnestColumns columns = new UnnestColumns();
        columns.setArrays("eventIds=eventId, targets=target, groupIds=groupId, payloads=eventPayload");
        columns.setShared("receivedAt");
        return columns;
    }

    static Map<String, Object> row(String eventId, String target, String groupId, OffsetDateTime receivedAt) {
        Map<String, Object> row = new HashMap<>();
        row.put("eventId", eventId);
        row.put("target", target);
        row.put("groupId", groupId);
        row.put("eventPayload", "{\"id\":\"" + eventId + "\"}");
        row.put("receivedAt", receivedAt);
        return row;
    }
}
