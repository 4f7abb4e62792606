package io.github.imcallbackbridge.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Decides what one delivery attempt means and prepares the rows that record it (named parameters of the
 * route's SQL): 2xx is delivered; {@code 410 Gone} is dead at once; anything else (timeouts, connection
 * errors, 3xx, 4xx, 5xx) is retried on the {@link RetrySchedule}, waiting at least as long as a
 * {@code Retry-After} asks (up to {@code maxRetryAfterSeconds}), and is dead once the schedule is used up.
 * The schedule is the target's own ({@code retrySchedule} property, set by {@link WebhookTargets}) or this
 * bean's default.
 * Errors and response bodies are kept short, and target URLs are never recorded.
 */
public class DeliveryOutcome {

    static final int MAX_ERROR = 500;
    public static final int MAX_RESPONSE_BODY = 1024;

    private RetrySchedule schedule = RetrySchedule.parse("5s,30s,2m,10m,30m,1h,2h,4h,8h,8h");
    private Duration maxRetryAfter = Duration.ofHours(1);

    public void setSchedule(String schedule) {
        this.schedule = RetrySchedule.parse(schedule);
    }

    public void setMaxRetryAfterSeconds(long seconds) {
        this.maxRetryAfter = Duration.ofSeconds(seconds);
    }

    /** Marks the start of an attempt. */
    public void started(Exchange exchange) {
        exchange.setProperty("attemptStartedNanos", System.nanoTime());
        exchange.setProperty("attemptedAt", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
    }

    /**
     * Parameters for a successful attempt (the target answered 2xx): {@code status} DELIVERED. Like {@link #failed},
     * also sets the variables {@code attemptStatus}, {@code attemptLatencyMs} and {@code attemptError} for the log
     * line (plain look-ups, where {@code ${body[status]}} would be a bean call copying the exchange).
     */
    public Map<String, Object> succeeded(Exchange exchange) {
        Map<String, Object> row = attempt(exchange);
        Integer statusCode = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        row.put("statusCode", statusCode);
        // a Camel endpoint target (kafka:…) has no response: its body is still what was sent
        row.put("responseBody", statusCode == null ? null : cap(responseText(exchange), MAX_RESPONSE_BODY));
        row.put("error", null);
        row.put("status", "DELIVERED");
        row.put("nextAttemptAt", row.get("attemptedAt"));
        row.put("deliveredAt", row.get("attemptedAt"));
        row.put("deadAt", null);
        return withVariables(exchange, row);
    }

    /** Parameters for a failed attempt, with {@code status} PENDING (and {@code nextAttemptAt}) or DEAD. */
    public Map<String, Object> failed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Map<String, Object> row = attempt(exchange);
        Integer statusCode = null;
        String responseBody = null;
        Duration retryAfter = Duration.ZERO;
        if (failure instanceof HttpOperationFailedException http) {
            statusCode = http.getStatusCode();
            responseBody = http.getResponseBody();
            retryAfter = retryAfter(http.getResponseHeaders() == null ? null : http.getResponseHeaders().get("Retry-After"));
        }
        row.put("statusCode", statusCode);
        row.put("responseBody", cap(responseBody, MAX_RESPONSE_BODY));
        row.put("error", describe(failure));
        row.put("deliveredAt", null);

        int failedAttempts = exchange.getProperty("previousAttempts", Integer.class) + 1;
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        boolean gone = statusCode != null && statusCode == 410;
        RetrySchedule targetSchedule = exchange.getProperty("retrySchedule", schedule, RetrySchedule.class);
        Optional<Duration> wait = gone ? Optional.empty() : targetSchedule.waitAfter(failedAttempts);
        if (wait.isPresent()) {
            Duration delay = wait.get().compareTo(retryAfter) >= 0 ? wait.get() : retryAfter;
            row.put("status", "PENDING");
            row.put("nextAttemptAt", now.plus(delay));
            row.put("deadAt", null);
        } else {
            row.put("status", "DEAD");
            row.put("nextAttemptAt", now);
            row.put("deadAt", now);
        }
        return withVariables(exchange, row);
    }

    private static Map<String, Object> withVariables(Exchange exchange, Map<String, Object> row) {
        exchange.setVariable("attemptStatus", row.get("status"));
        exchange.setVariable("attemptLatencyMs", row.get("latencyMs"));
        exchange.setVariable("attemptError", row.get("error"));
        return row;
    }

    private static Map<String, Object> attempt(Exchange exchange) {
        Map<String, Object> row = new HashMap<>();
        row.put("deliveryId", exchange.getProperty("deliveryId"));
        row.put("leaseToken", exchange.getProperty("leaseToken"));
        row.put("target", exchange.getProperty("target"));
        row.put("ordered", exchange.getProperty("ordered", false, Boolean.class));
        row.put("attemptedAt", exchange.getProperty("attemptedAt"));
        Long started = exchange.getProperty("attemptStartedNanos", Long.class);
        row.put("latencyMs", started == null ? 0L : (System.nanoTime() - started) / 1_000_000);
        return row;
    }

    /** Retry-After in seconds or as an HTTP date, bounded by maxRetryAfter; zero when absent or unreadable. */
    Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return Duration.ZERO;
        }
        Duration asked;
        try {
            asked = Duration.ofSeconds(Long.parseLong(header.trim()));
        } catch (NumberFormatException notSeconds) {
            try {
                asked = Duration.between(OffsetDateTime.now(ZoneOffset.UTC),
                        ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (RuntimeException notADate) {
                return Duration.ZERO;
            }
        }
        if (asked.isNegative()) {
            return Duration.ZERO;
        }
        return asked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked;
    }

    static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        if (failure instanceof HttpOperationFailedException http) {
            String location = http.getRedirectLocation() != null ? " (redirect not followed)" : "";
            return "HTTP " + http.getStatusCode() + location;
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName();
        if (root.getMessage() != null) {
            text += ": " + root.getMessage().replaceAll("[a-zA-Z][a-zA-Z0-9+.-]*://\\S+", "<target>");
        }
        return cap(text, MAX_ERROR);
    }

    /**
     * The start of the target's answer as text. Read directly for the usual body types: asking Camel's type
     * converter for a body class it has no converter for (an empty HTTP entity stream) makes it search its
     * whole registry on every delivery.
     */
    private static String responseText(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body == null || body instanceof String) {
            return (String) body;
        }
        if (body instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (body instanceof InputStream stream) {
            try (stream) {
                String text = new String(stream.readNBytes(MAX_RESPONSE_BODY * 4), StandardCharsets.UTF_8);
                return text.isEmpty() ? null : text;
            } catch (IOException e) {
                return null;
            }
        }
        return exchange.getMessage().getBody(String.class);
    }

    private static String cap(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
