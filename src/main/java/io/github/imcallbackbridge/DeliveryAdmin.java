package io.github.imcallbackbridge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Clob;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

/**
 * The admin API's checks and shapes: bearer-token authorisation (the API is off, 404, without a token),
 * query parameters read from the raw query string into SQL named parameters, and rows rendered as JSON with
 * ISO-8601 times. Never logs or echoes the token.
 */
public class DeliveryAdmin {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> STATUSES = Set.of("PENDING", "DELIVERED", "DEAD");
    private static final int MAX_LIMIT = 1000;

    private byte[] token = new byte[0];
    private Duration retention = Duration.ofDays(30);
    private Duration callbackRetention = Duration.ofDays(30);

    public void setToken(String token) {
        this.token = token == null ? new byte[0] : token.trim().getBytes(StandardCharsets.UTF_8);
    }

    public void setRetentionDays(long days) {
        this.retention = Duration.ofDays(days);
    }

    public void setCallbackRetentionDays(long days) {
        this.callbackRetention = Duration.ofDays(days);
    }

    /** 404 when no ADMIN_TOKEN is configured; 401 unless {@code Authorization: Bearer <token>} matches. */
    public void authorize(Exchange exchange) {
        if (token.length == 0) {
            throw new CallbackRejectedException(404, "no such endpoint; the admin API is off (set ADMIN_TOKEN)");
        }
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        byte[] presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(token, presented)) {
            throw new CallbackRejectedException(401, "a valid bearer token is required");
        }
    }

    /** {@code status}, {@code target}, {@code groupId}, {@code from}, {@code to}, {@code limit} for the list query. */
    public Map<String, Object> listFilter(Exchange exchange) {
        Map<String, String> query = query(exchange);
        String status = query.get("status");
        if (status != null && !STATUSES.contains(status)) {
            throw CallbackRejectedException.invalid("status must be one of PENDING, DELIVERED, DEAD");
        }
        Map<String, Object> filter = new HashMap<>();
        filter.put("status", status);
        filter.put("target", query.get("target"));
        filter.put("groupId", query.get("group"));
        filter.put("from", time(query, "from"));
        filter.put("to", time(query, "to"));
        int limit = 100;
        if (query.get("limit") != null) {
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw CallbackRejectedException.invalid("limit must be between 1 and " + MAX_LIMIT);
            }
        }
        filter.put("limit", limit);
        return filter;
    }

    /** {@code id} from the path {@code /admin/deliveries/{id}[/replay]}, plus {@code now}. */
    public Map<String, Object> deliveryId(Exchange exchange) {
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
        String[] parts = path == null ? new String[0] : path.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            if ("deliveries".equals(parts[i])) {
                try {
                    Map<String, Object> params = new HashMap<>();
                    params.put("id", Long.parseLong(parts[i + 1]));
                    params.put("now", OffsetDateTime.now(ZoneOffset.UTC));
                    return params;
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw CallbackRejectedException.invalid("the delivery id must be a number");
    }

    /** {@code target} (required), {@code from}, {@code to}, {@code now} for replaying dead deliveries. */
    public Map<String, Object> replayFilter(Exchange exchange) {
        Map<String, String> query = query(exchange);
        if (query.get("target") == null) {
            throw CallbackRejectedException.invalid("target is required");
        }
        Map<String, Object> filter = new HashMap<>();
        filter.put("target", query.get("target"));
        filter.put("from", time(query, "from"));
        filter.put("to", time(query, "to"));
        filter.put("now", OffsetDateTime.now(ZoneOffset.UTC));
        return filter;
    }

    /** {@code target} and {@code before} (both required) for purging dead deliveries. */
    public Map<String, Object> purgeFilter(Exchange exchange) {
        Map<String, String> query = query(exchange);
        if (query.get("target") == null || query.get("before") == null) {
            throw CallbackRejectedException.invalid("target and before are required");
        }
        return Map.of("target", query.get("target"), "before", time(query, "before"));
    }

    /** {@code cutoff}: delivered rows older than the retention period are purged. */
    public Map<String, Object> retentionCutoff() {
        return Map.of("cutoff", OffsetDateTime.now(ZoneOffset.UTC).minus(retention));
    }

    /** {@code cutoff}: callbacks received before it lose their raw body and client IP (personal data). */
    public Map<String, Object> callbackRetentionCutoff() {
        return Map.of("cutoff", OffsetDateTime.now(ZoneOffset.UTC).minus(callbackRetention));
    }

    /** The delivery row (header {@code delivery}) with its attempts (header {@code attempts}) as one map. */
    public Map<String, Object> withAttempts(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> delivery = new LinkedHashMap<>(exchange.getMessage().getHeader("delivery", Map.class));
        delivery.put("attempts_made", delivery.remove("attempts"));
        delivery.put("attempts", exchange.getMessage().getHeader("attempts", List.class));
        return delivery;
    }

    /** The body (a row, a list of rows, or a map of those) as JSON, times in ISO-8601 UTC. */
    public String render(Object body) throws JsonProcessingException {
        return JSON.writeValueAsString(plain(body));
    }

    private static Object plain(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k).toLowerCase(), plain(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(plain(item)));
            return copy;
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant().toString();
        }
        if (value instanceof OffsetDateTime time) {
            return time.withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString();
        }
        if (value instanceof TemporalAccessor temporal) {
            return temporal.toString();
        }
        if (value instanceof Clob clob) {
            try {
                return clob.getSubString(1, (int) clob.length());
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return value;
    }

    private static OffsetDateTime time(Map<String, String> query, String name) {
        String text = query.get(name);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            throw CallbackRejectedException.invalid(name + " must be an ISO-8601 time with offset, e.g. 2026-11-26T00:00:00Z");
        }
    }

    /** The first non-empty value of each query parameter. */
    private static Map<String, String> query(Exchange exchange) {
        Map<String, String> query = new HashMap<>();
        QueryString.of(exchange).forEach((name, values) -> values.stream().filter(v -> !v.isEmpty()).findFirst()
                .ifPresent(value -> query.put(name, value)));
        return query;
    }
}
