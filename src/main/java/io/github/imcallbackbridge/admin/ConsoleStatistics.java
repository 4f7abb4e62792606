package io.github.imcallbackbridge.admin;

import io.github.imcallbackbridge.delivery.WebhookTargets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;

/**
 * The numbers the delivery console shows above the list: per target, its backlog and what it took in the last
 * hour; and per minute of the last hour, the callbacks received and the delivery attempts made. The routes
 * select the rows ({@code routes/admin-api.camel.yaml}); this shapes them for Jackson.
 */
public class ConsoleStatistics {

    /** The window the console looks back over. */
    static final Duration HOUR = Duration.ofHours(1);

    /** {@code since}: the start of the last hour, on a whole minute (the first bar of the chart). */
    public Map<String, Object> lastHour() {
        return Map.of("since", firstMinute());
    }

    /**
     * {@code {"targets": [...]}}: each configured target (header {@code targets}, from WebhookTargets) with
     * {@code pending}, {@code oldest_pending_seconds} (null without a pending delivery), {@code delivered_last_hour}
     * and {@code dead} from the rows of the summary query (the body: one row per target that has deliveries).
     * Targets that are no longer configured but still have deliveries are listed too, as {@code configured: false}.
     */
    public Map<String, Object> targets(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> configured = exchange.getMessage().getHeader("targets", List.class);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = exchange.getMessage().getBody(List.class);
        Map<String, Map<String, Object>> counts = new HashMap<>();
        for (Map<String, Object> row : rows) {
            counts.put(String.valueOf(DeliveryAdmin.value(row, "target")), row);
        }
        Instant now = Instant.now();
        List<Map<String, Object>> targets = new ArrayList<>();
        for (Map<String, Object> target : configured) {
            Map<String, Object> shown = new LinkedHashMap<>(target);
            shown.put("configured", true);
            shown.putAll(counted(counts.remove(String.valueOf(target.get("name"))), now));
            targets.add(shown);
        }
        counts.forEach((name, row) -> {
            Map<String, Object> shown = new LinkedHashMap<>();
            shown.put("name", name);
            shown.put("configured", false);
            shown.putAll(counted(row, now));
            targets.add(shown);
        });
        return Map.of("targets", targets);
    }

    /**
     * {@code {"since", "minutes": [{"minute", "callbacks", "delivered", "failed"}, ...]}}: sixty minutes, oldest
     * first, from the per-minute counts in headers {@code callbacksPerMinute} and {@code attemptsPerMinute}.
     */
    public Map<String, Object> activity(Exchange exchange) {
        Instant since = firstMinute().toInstant();
        Map<Instant, long[]> minutes = new LinkedHashMap<>();
        for (int i = 0; i <= HOUR.toMinutes(); i++) {
            minutes.put(since.plus(i, ChronoUnit.MINUTES), new long[3]);
        }
        add(minutes, exchange.getMessage().getHeader("callbacksPerMinute", List.class), "callbacks");
        add(minutes, exchange.getMessage().getHeader("attemptsPerMinute", List.class), null, "delivered", "failed");
        List<Map<String, Object>> shown = new ArrayList<>();
        minutes.forEach((minute, n) -> {
            Map<String, Object> bar = new LinkedHashMap<>();
            bar.put("minute", minute.toString());
            bar.put("callbacks", n[0]);
            bar.put("delivered", n[1]);
            bar.put("failed", n[2]);
            shown.add(bar);
        });
        Map<String, Object> activity = new LinkedHashMap<>();
        activity.put("since", since.toString());
        activity.put("minutes", shown);
        return activity;
    }

    private static OffsetDateTime firstMinute() {
        return OffsetDateTime.now(ZoneOffset.UTC).minus(HOUR).truncatedTo(ChronoUnit.MINUTES);
    }

    private static Map<String, Object> counted(Map<String, Object> row, Instant now) {
        Map<String, Object> counts = new LinkedHashMap<>();
        Instant oldest = row == null ? null : instant(DeliveryAdmin.value(row, "oldest_pending"));
        counts.put("pending", row == null ? 0L : number(DeliveryAdmin.value(row, "pending")));
        counts.put("oldest_pending_seconds", oldest == null ? null : Math.max(0, Duration.between(oldest, now).toSeconds()));
        counts.put("delivered_last_hour", row == null ? 0L : number(DeliveryAdmin.value(row, "delivered_last_hour")));
        counts.put("dead", row == null ? 0L : number(DeliveryAdmin.value(row, "dead")));
        return counts;
    }

    /** Adds each row's counts to its minute's bar, the columns in the bar's order (null: a slot left alone). */
    @SuppressWarnings("unchecked")
    private static void add(Map<Instant, long[]> minutes, List<?> rows, String... columns) {
        for (Object row : rows == null ? List.of() : rows) {
            Map<String, Object> values = (Map<String, Object>) row;
            Instant minute = instant(DeliveryAdmin.value(values, "minute_start"));
            long[] bar = minute == null ? null : minutes.get(minute.truncatedTo(ChronoUnit.MINUTES));
            for (int slot = 0; bar != null && slot < columns.length; slot++) {
                if (columns[slot] != null) {
                    bar[slot] += number(DeliveryAdmin.value(values, columns[slot]));
                }
            }
        }
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0L;
    }

    private static Instant instant(Object value) {
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof OffsetDateTime time) {
            return time.toInstant();
        }
        if (value instanceof java.time.LocalDateTime local) {
            return local.toInstant(ZoneOffset.UTC);
        }
        return null;
    }
}
