package io.github.imcallbackbridge.admin;

import java.net.URI;
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
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.imcallbackbridge.callback.QueryString;
import org.apache.camel.Exchange;

/**
 * The admin API's checks and shapes: bearer-token authorisation (the API is off, 404, without a token), query
 * parameters read from the raw query string into SQL named parameters, cursor pages, replies as plain values
 * for Jackson (ISO-8601 times), and problem details for refusals. Never logs or echoes the token.
 */
public class DeliveryAdmin {

    private static final Set<String> STATUSES = Set.of("PENDING", "DELIVERED", "DEAD");
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    private static final String PAGE_SIZE = "adminPageSize";

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

    /** 404 when no ADMIN_TOKEN is configured: the admin API and the console are off. */
    public void requireOn() {
        if (token.length == 0) {
            throw new AdminRequestException(404, "the admin API is off: set ADMIN_TOKEN to turn it on");
        }
    }

    /** 404 when no ADMIN_TOKEN is configured; 401 unless {@code Authorization: Bearer <token>} matches. */
    public void authorize(Exchange exchange) {
        requireOn();
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        byte[] presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(token, presented)) {
            throw new AdminRequestException(401, "a valid bearer token is required (Authorization: Bearer <ADMIN_TOKEN>)");
        }
    }

    /**
     * The list's named parameters: {@code status}, {@code target}, {@code groupId}, {@code topicId},
     * {@code eventId}, {@code from}, {@code to}, {@code beforeId} (from the cursor) and {@code pageAndOne} (one
     * more row than the page, to know whether another page follows).
     */
    public Map<String, Object> listFilter(Exchange exchange) {
        Map<String, String> query = query(exchange);
        String status = query.get("status");
        if (status != null && !STATUSES.contains(status)) {
            throw AdminRequestException.invalid("status must be one of PENDING, DELIVERED, DEAD");
        }
        int limit = DEFAULT_LIMIT;
        if (query.get("limit") != null) {
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw AdminRequestException.invalid("limit must be between 1 and " + MAX_LIMIT);
            }
        }
        exchange.setProperty(PAGE_SIZE, limit);
        Map<String, Object> filter = new HashMap<>();
        filter.put("status", status);
        filter.put("target", query.get("target"));
        filter.put("groupId", query.get("group"));
        filter.put("topicId", query.get("topic"));
        filter.put("eventId", query.get("webhookId"));
        filter.put("from", time(query, "from"));
        filter.put("to", time(query, "to"));
        filter.put("beforeId", cursorId(query.get("cursor")));
        filter.put("pageAndOne", limit + 1);
        return filter;
    }

    /** The rows selected by the list as {@code {deliveries, next}}: next is the following page's cursor, or null. */
    public Map<String, Object> page(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = exchange.getMessage().getBody(List.class);
        int size = exchange.getProperty(PAGE_SIZE, DEFAULT_LIMIT, Integer.class);
        Map<String, Object> page = new LinkedHashMap<>();
        boolean more = rows.size() > size;
        List<Map<String, Object>> deliveries = more ? rows.subList(0, size) : rows;
        page.put("deliveries", deliveries);
        page.put("next", more ? cursor(((Number) value(deliveries.get(size - 1), "id")).longValue()) : null);
        return page;
    }

    /** The delivery's {@code id} from the request path ({@code /admin/deliveries/{id}[/replay]}), plus {@code now}. */
    public Map<String, Object> deliveryId(Exchange exchange) {
        String[] parts = requestPath(exchange).split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            if ("deliveries".equals(parts[i])) {
                try {
                    Map<String, Object> params = requeue(null, null, null);
                    params.put("id", Long.parseLong(parts[i + 1]));
                    return params;
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw AdminRequestException.invalid("the delivery id must be a number");
    }

    /** {@code target} (required), {@code from}, {@code to}, {@code now} for replaying a target's dead deliveries. */
    public Map<String, Object> replayFilter(Exchange exchange) {
        Map<String, String> query = query(exchange);
        if (query.get("target") == null) {
            throw AdminRequestException.invalid("target is required");
        }
        return requeue(query.get("target"), time(query, "from"), time(query, "to"));
    }

    private static Map<String, Object> requeue(String target, OffsetDateTime from, OffsetDateTime to) {
        Map<String, Object> params = new HashMap<>();
        params.put("id", null);
        params.put("target", target);
        params.put("from", from);
        params.put("to", to);
        params.put("now", OffsetDateTime.now(ZoneOffset.UTC));
        return params;
    }

    /** {@code target} and {@code before} (both required) for purging dead deliveries. */
    public Map<String, Object> purgeFilter(Exchange exchange) {
        Map<String, String> query = query(exchange);
        if (query.get("target") == null || query.get("before") == null) {
            throw AdminRequestException.invalid("target and before are required");
        }
        return Map.of("target", query.get("target"), "before", time(query, "before"));
    }

    /** {@code {"replayed": n}}: the rows the requeue changed. */
    public Map<String, Object> replayed(Exchange exchange) {
        return Map.of("replayed", exchange.getMessage().getHeader("CamelSqlUpdateCount", 0, Integer.class));
    }

    /** {@code {"purged": n}}: the rows the purge deleted. */
    public Map<String, Object> purged(Exchange exchange) {
        return Map.of("purged", exchange.getMessage().getHeader("CamelSqlUpdateCount", 0, Integer.class));
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

    /**
     * The caught exception as problem details (RFC 9457): {@code type}, {@code title}, {@code status},
     * {@code detail}. A refusal says what is wrong; anything else is a 500 that names no internals.
     */
    public Map<String, Object> problem(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status = caught instanceof AdminRequestException refused ? refused.status() : 500;
        String detail = caught instanceof AdminRequestException ? caught.getMessage()
                : "the operation failed; the application log has the cause";
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            default -> "Internal Server Error";
        });
        problem.put("status", status);
        problem.put("detail", detail);
        return problem;
    }

    /** The body (rows, a delivery, a page, a count) with plain values for JSON: lower-case keys, ISO-8601 UTC times. */
    public Object plain(Object value) {
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

    /** A row's column, whatever case the database gave its name. */
    static Object value(Map<String, Object> row, String column) {
        Object value = row.get(column);
        return value != null ? value : row.get(column.toUpperCase());
    }

    private static String cursor(long lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Long.toString(lastId).getBytes(StandardCharsets.UTF_8));
    }

    private static Long cursorId(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            return Long.parseLong(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw AdminRequestException.invalid("cursor is not one this API gave: pass the next value of a page");
        }
    }

    static String requestPath(Exchange exchange) {
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (uri != null) {
            try {
                return URI.create(uri).getPath();
            } catch (IllegalArgumentException e) {
                // fall back to the path header
            }
        }
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
        return path == null ? "" : path;
    }

    private static OffsetDateTime time(Map<String, String> query, String name) {
        String text = query.get(name);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            throw AdminRequestException.invalid(name + " must be an ISO-8601 time with offset, e.g. 2026-11-26T00:00:00Z");
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
