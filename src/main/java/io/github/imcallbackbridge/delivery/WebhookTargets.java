package io.github.imcallbackbridge.delivery;

import io.github.imcallbackbridge.CommaList;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The CRM/ERP systems events are forwarded to, read from Camel properties (so from application.yaml and
 * environment variables on Spring Boot, from application.properties on plain Camel and Camel K):
 * <pre>
 * webhook.targets = default,erp                       names of the targets
 * webhook.target.NAME.secret                          optional: signs with Standard Webhooks
 * webhook.target.NAME.url                             an http(s) URL, or a Camel endpoint URI (kafka:topic?brokers=…)
 * webhook.target.NAME.events                          default: im.topic.destroyed,im.group.destroyed; also
 *                                                     im.callback.COMMAND (forwarded callbacks) and patterns (im.callback.Group.*, im.*)
 * webhook.target.NAME.sdkappids                       default: every app; else the SDKAppIDs whose events it takes
 * webhook.target.NAME.connect-timeout-ms              default: webhook.connect-timeout-ms (2000)
 * webhook.target.NAME.response-timeout-ms             default: webhook.response-timeout-ms (10000)
 * webhook.target.NAME.enabled                         default: true
 * webhook.target.NAME.retry-schedule                  default: webhook.retry.schedule
 * webhook.target.NAME.payload-route                   optional: a direct: route that reshapes the body
 * webhook.target.NAME.max-in-flight                   default: webhook.max-in-flight (16) requests at once
 * webhook.target.NAME.ordered                         default: false; true: one group's events one at a time, in order
 * </pre>
 * How the deliveries are drained and how many are in flight is {@link TargetDrains}' business.
 */
public class WebhookTargets {

    /** Deliveries one claim takes per slot of the target (see {@code TargetDrains.sizeRound}). */
    static final int CLAIMED_PER_SLOT = 4;

    /** One configured target. The secret never leaves this record except as a signature. */
    record Target(String name, String url, WebhookSignature signature, Set<String> events,
                  long connectTimeoutMs, long responseTimeoutMs, boolean enabled, RetrySchedule retrySchedule,
                  String payloadRoute, int maxInFlight, boolean ordered, Set<String> sdkAppIds) {

        /** Whether the target is an HTTP(S) webhook; otherwise its URL is a Camel endpoint URI (kafka:…, jms:…). */
        boolean http() {
            return url.matches("(?i)https?://.+");
        }

        /** Whether the target subscribes to {@code eventType}: a listed type, or a pattern ({@code *} is any text). */
        boolean wants(String eventType) {
            return events.contains(eventType) || events.stream().anyMatch(e -> e.contains("*") && matches(e, eventType));
        }

        /** Whether the target takes events of app {@code sdkAppId} (all apps when none is listed). */
        boolean serves(Object sdkAppId) {
            return sdkAppIds.isEmpty() || sdkAppIds.contains(String.valueOf(sdkAppId));
        }
    }

    /** {@code pattern} with {@code *} standing for any text (possibly none), against the whole of {@code text}. */
    public static boolean matches(String pattern, String text) {
        String[] parts = pattern.split("\\*", -1);
        if (!text.startsWith(parts[0])) {
            return false;
        }
        int at = parts[0].length();
        for (int i = 1; i < parts.length - 1; i++) {
            int found = text.indexOf(parts[i], at);
            if (found < 0) {
                return false;
            }
            at = found + parts[i].length();
        }
        String last = parts[parts.length - 1];
        return parts.length == 1 ? text.equals(pattern) : text.length() - at >= last.length() && text.endsWith(last);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private volatile List<String> names;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    /** Names of the enabled targets; a target whose configuration cannot be read fails (see configurationProblems). */
    public List<String> enabledNames(Exchange exchange) {
        return enabledNames(exchange.getContext());
    }

    private List<String> enabledNames(CamelContext context) {
        return names(context).stream().filter(n -> target(context, n).enabled()).toList();
    }

    /**
     * Names of the targets to drain: the enabled ones whose configuration can be read. A misconfigured
     * target was named at start-up; its pending deliveries wait until it is fixed, like a disabled target's.
     */
    public List<String> drainableNames(Exchange exchange) {
        CamelContext context = exchange.getContext();
        return names(context).stream().filter(n -> problemOf(context, n) == null && target(context, n).enabled()).toList();
    }

    /**
     * What is wrong in the configuration of the targets, one sentence each (empty when nothing is). Checked
     * at start-up: a target that cannot be read makes every callback that would be queued for it fail.
     */
    public List<String> configurationProblems(Exchange exchange) {
        CamelContext context = exchange.getContext();
        return names(context).stream().map(n -> problemOf(context, n)).filter(Objects::nonNull).toList();
    }

    /** Why the configuration of target {@code name} cannot be read, or null when it can. */
    private String problemOf(CamelContext context, String name) {
        try {
            target(context, name);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** Whether any enabled target wants {@code im.topics.destroyed}, the one event per topic callback. */
    public boolean wantsTopicsSummary(Exchange exchange) {
        return enabledNames(exchange).stream()
                .anyMatch(name -> target(exchange.getContext(), name).wants(WebhookEvent.TOPICS_DESTROYED));
    }

    /**
     * One outbox row per enabled target that wants the event in the body (a topic, group or forwarded record
     * with {@code eventType}): the record plus {@code target}. Their number is also the variable
     * {@code queuedTargets}, for the log line; so this runs as a {@code bean:} step (a {@code method:}
     * expression would set it on a copy of the exchange).
     */
    public List<Map<String, Object>> deliveriesFor(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> record = exchange.getMessage().getBody(Map.class);
        List<Map<String, Object>> rows = deliveriesFor(exchange.getContext(), record);
        exchange.setVariable("queuedTargets", rows.size());
        return rows;
    }

    private List<Map<String, Object>> deliveriesFor(CamelContext context, Map<String, Object> record) {
        List<Map<String, Object>> rows = new ArrayList<>(1);
        for (String name : enabledNames(context)) {
            Target target = target(context, name);
            if (target.wants((String) record.get("eventType")) && target.serves(record.get("sdkAppId"))) {
                Map<String, Object> row = new LinkedHashMap<>(record);
                row.put("target", name);
                rows.add(row);
            }
        }
        return rows;
    }

    /** The event's group and topic (for the delivery's log lines), from the stored payload's {@code data}. */
    private static void eventSubject(Exchange exchange, Object payload) {
        if (payload instanceof String json) {
            try {
                com.fasterxml.jackson.databind.JsonNode data = SUBJECT_READER.readTree(json).path("data");
                exchange.setProperty("groupId", data.path("groupId").textValue());
                exchange.setProperty("topicId", data.path("topicId").textValue());
            } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
                // a payload that is not JSON (written by hand) just has no subject
            }
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper SUBJECT_READER = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * Turns a claimed outbox row (the body) into the request for its target: the stored payload as body,
     * {@code webhook-id} as the only header; as properties, the delivery's {@code deliveryId}, {@code leaseToken},
     * {@code previousAttempts}, {@code eventId} and {@code target}, the endpoint URI in {@code targetUri} (and the
     * endpoint in {@code targetEndpoint}) and,
     * when the target wants its own payload shape, the route that reshapes it in {@code payloadRoute}.
     */
    public void prepareRequest(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> row = exchange.getMessage().getBody(Map.class);
        Target target = target(exchange.getContext(), (String) row.get("target"));
        exchange.setProperty("deliveryId", row.get("id"));
        exchange.setProperty("leaseToken", row.get("lease_token"));
        exchange.setProperty("previousAttempts", row.get("attempts"));
        exchange.setProperty("eventId", row.get("event_id"));
        exchange.setProperty("recordedAt", row.get("created_at"));
        eventSubject(exchange, row.get("payload"));
        exchange.setProperty("target", target.name());
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader("webhook-id", row.get("event_id"));
        message.setBody(row.get("payload"));
        // Retries are the outbox's (recorded, scheduled, bounded); HttpClient's own are switched off on the
        // component (camel.component.http.automatic-retries-disabled), as they would silently retry 429/503.
        String options = "httpMethod=POST&throwExceptionOnFailure=true&followRedirects=false"
                + "&connectTimeout=" + target.connectTimeoutMs()
                + "&connectionRequestTimeout=" + target.connectTimeoutMs()
                + "&responseTimeout=" + target.responseTimeoutMs()
                // enough pooled connections for every request the target may have in flight
                + "&connectionsPerRoute=" + target.maxInFlight() + "&maxTotalConnections=" + target.maxInFlight();
        // a Camel endpoint (kafka:…) is used as configured: its own timeouts and retries are in its URI
        String uri = !target.http() ? target.url() : target.url() + (target.url().contains("?") ? "&" : "?") + options;
        exchange.setProperty("targetUri", uri);
        // the endpoint itself, resolved once per target: toD then skips normalising the URI on every delivery
        exchange.setProperty("targetEndpoint", endpoints.computeIfAbsent(target.name(), n -> exchange.getContext().getEndpoint(uri)));
        exchange.setProperty("retrySchedule", target.retrySchedule());
        exchange.setProperty("payloadRoute", target.payloadRoute());
    }

    /**
     * The request as it goes out: the body (reshaped or not) as JSON text, and only the Standard Webhooks
     * headers (whatever a payload route set is dropped): {@code webhook-id}, {@code webhook-timestamp} and,
     * when the target has a secret, {@code webhook-signature} over exactly this body.
     */
    public void signRequest(Exchange exchange) {
        Target target = target(exchange.getContext(), exchange.getProperty("target", String.class));
        String id = exchange.getProperty("eventId", String.class);
        String body = compactJson(exchange.getMessage());
        long timestamp = Instant.now().getEpochSecond();

        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader("webhook-id", id);
        message.setHeader("webhook-timestamp", String.valueOf(timestamp));
        if (target.signature() != null) {
            message.setHeader("webhook-signature", target.signature().sign(id, timestamp, body));
        }
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (!target.http() && target.url().startsWith("kafka:")) {
            message.setHeader("kafka.KEY", id); // the record's key: one event's retries land in one partition
        }
        message.setBody(body);
    }

    /** The body as JSON text: text as it is; a JSON tree, map or list (a jq result, say) as compact JSON. */
    private static String compactJson(Message message) {
        Object body = message.getBody();
        if (body instanceof JsonNode || body instanceof Map || body instanceof List) {
            try {
                return JSON.writeValueAsString(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the payload route left a body that is not JSON", e);
            }
        }
        return message.getBody(String.class);
    }

    /**
     * What the drain of the target in {@code target} needs to know, as exchange properties:
     * {@code attemptBudgetMs} (the longest one attempt can take: connect plus response timeout),
     * {@code targetMaxInFlight} (its slots) and {@code ordered}. Each round of the drain then takes
     * {@link #CLAIMED_PER_SLOT} due deliveries per slot it has ({@code TargetDrains.sizeRound}), so the claim's
     * round trips (a committed UPDATE, then a SELECT) are made once per that many deliveries and a fast target is
     * not left waiting on them.
     */
    public void drainSettings(Exchange exchange) {
        Target target = target(exchange.getContext(), exchange.getProperty("target", String.class));
        exchange.setProperty("attemptBudgetMs", target.connectTimeoutMs() + target.responseTimeoutMs());
        exchange.setProperty("targetMaxInFlight", target.maxInFlight());
        exchange.setProperty("ordered", target.ordered());
    }

    /**
     * The configured targets as the console shows them: {@code name}, {@code enabled}, {@code kind} (webhook
     * or endpoint), {@code max_in_flight}, {@code ordered} and {@code events}; never the URL (it may carry
     * credentials) nor the secret. A target whose configuration cannot be read is listed with its problem.
     */
    public List<Map<String, Object>> described(Exchange exchange) {
        CamelContext context = exchange.getContext();
        List<Map<String, Object>> described = new ArrayList<>();
        for (String name : names(context)) {
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("name", name);
            String problem = problemOf(context, name);
            if (problem != null) {
                target.put("problem", problem);
            } else {
                Target t = target(context, name);
                target.put("enabled", t.enabled());
                target.put("kind", t.http() ? "webhook" : "endpoint");
                target.put("max_in_flight", t.maxInFlight());
                target.put("ordered", t.ordered());
                target.put("events", List.copyOf(t.events()));
            }
            described.add(target);
        }
        return described;
    }

    private List<String> names(CamelContext context) {
        List<String> known = names;
        if (known == null) {
            known = CommaList.of(property(context, "webhook.targets").orElse("default")).stream().distinct().toList();
            names = known;
        }
        return known;
    }

    Target target(CamelContext context, String name) {
        return targets.computeIfAbsent(name, n -> {
            String prefix = "webhook.target." + n + ".";
            boolean enabled = Boolean.parseBoolean(property(context, prefix + "enabled").orElse("true"));
            String url = property(context, prefix + "url").orElse("");
            if (enabled && !url.matches("(?i)https?://.+") && !isEndpoint(context, url)) {
                throw new IllegalArgumentException("webhook target " + n + " needs in " + prefix + "url an http(s) URL"
                        + " or the URI of a Camel endpoint whose component is on the classpath (kafka:topic?brokers=…), not '"
                        + url.replaceAll("[?].*", "?…") + "'");
            }
            WebhookSignature signature = property(context, prefix + "secret").filter(s -> !s.isBlank())
                    .map(WebhookSignature::fromSecret).orElse(null);
            Set<String> events = new LinkedHashSet<>(CommaList.of(property(context, prefix + "events")
                    .orElse(WebhookEvent.TOPIC_DESTROYED + "," + WebhookEvent.GROUP_DESTROYED)));
            List<String> unknown = events.stream().filter(e -> !e.contains("*") && !WebhookEvent.TYPES.contains(e)
                    && !e.startsWith(WebhookEvent.FORWARDED_PREFIX)).toList();
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("webhook target " + n + ": " + prefix + "events lists "
                        + unknown + ", but the events are " + WebhookEvent.TYPES + ", " + WebhookEvent.FORWARDED_PREFIX
                        + "<CallbackCommand> and patterns with * (im.callback.Group.*, im.*)");
            }
            Set<String> sdkAppIds = Set.copyOf(CommaList.of(property(context, prefix + "sdkappids").orElse("")));
            long connect = Long.parseLong(property(context, prefix + "connect-timeout-ms")
                    .orElse(property(context, "webhook.connect-timeout-ms").orElse("2000")));
            long response = Long.parseLong(property(context, prefix + "response-timeout-ms")
                    .orElse(property(context, "webhook.response-timeout-ms").orElse("10000")));
            RetrySchedule schedule = property(context, prefix + "retry-schedule")
                    .or(() -> property(context, "webhook.retry.schedule")).map(RetrySchedule::parse).orElse(null);
            String payloadRoute = property(context, prefix + "payload-route").filter(r -> !r.isEmpty()).orElse(null);
            if (payloadRoute != null && !payloadRoute.startsWith("direct:")) {
                throw new IllegalArgumentException("webhook target " + n + ": " + prefix
                        + "payload-route must name a direct: endpoint (a route in routes/), not " + payloadRoute);
            }
            int maxInFlight = Integer.parseInt(property(context, prefix + "max-in-flight")
                    .orElse(property(context, "webhook.max-in-flight").orElse("16")));
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("webhook target " + n + ": " + prefix
                        + "max-in-flight must be at least 1, not " + maxInFlight);
            }
            boolean ordered = Boolean.parseBoolean(property(context, prefix + "ordered").orElse("false"));
            return new Target(n, url, signature, events, connect, response, enabled, schedule, payloadRoute,
                    maxInFlight, ordered, sdkAppIds);
        });
    }

    /** Whether {@code uri} names a component this runtime has (its scheme, before the first colon). */
    private static boolean isEndpoint(CamelContext context, String uri) {
        int colon = uri.indexOf(':');
        if (colon <= 0 || !uri.substring(0, colon).matches("[a-z][a-z0-9-]*")) {
            return false;
        }
        try {
            return context.getComponent(uri.substring(0, colon)) != null;
        } catch (RuntimeException unknown) {
            return false;
        }
    }

    private static Optional<String> property(CamelContext context, String key) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim);
    }
}
