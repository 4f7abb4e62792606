package io.github.imcallbackbridge.boot;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.github.imcallbackbridge.database.RecordingLoad;
import io.github.imcallbackbridge.journal.CallbackJournal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeEvent;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.EventNotifierSupport;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The bridge's own metrics on {@code /actuator/prometheus}, read from what the routes leave on their exchanges
 * when they complete (no step in the routes): callbacks by command and outcome, topics recorded, reply time;
 * deliveries by target and outcome, attempt time, delivery latency (recorded → delivered); and gauges read
 * every {@code metrics.outbox-refresh-ms} with one grouped query (not on each scrape): pending deliveries and
 * the age of the oldest per target, dead ones, callbacks waiting in the journal.
 */
@Component
@ConditionalOnProperty(name = "metrics.enabled", havingValue = "true", matchIfMissing = true)
public class BridgeMetrics extends EventNotifierSupport implements CamelContextConfiguration {

    /** Command names as the IM backend spells them; anything else is counted as "other". */
    private static final Pattern COMMAND = Pattern.compile("[A-Z][A-Za-z0-9]{0,31}\\.Callback[A-Za-z0-9]{1,48}");
    private static final int MAX_COMMANDS = 200;

    private final MeterRegistry registry;
    private final JdbcTemplate jdbc;
    private final CamelContext camel;
    private final long refreshMs;
    private final Set<String> commands = ConcurrentHashMap.newKeySet();
    private final Timer.Builder replyTime;
    private final Map<String, Outbox> outboxes = new ConcurrentHashMap<>();
    private ScheduledExecutorService refresher;

    public BridgeMetrics(MeterRegistry registry, JdbcTemplate jdbc, CamelContext camel,
                         @Value("${metrics.outbox-refresh-ms:15000}") long refreshMs) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.camel = camel;
        this.refreshMs = refreshMs;
        this.replyTime = Timer.builder("im.callback.reply").description("Time from a callback's arrival to its reply")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(2));
        Gauge.builder("im.callback.journal.records", this, BridgeMetrics::journalRecords)
                .description("Callbacks in the local journal waiting for the database").register(registry);
        Gauge.builder("im.recording.topics", this, BridgeMetrics::topicsBeingRecorded)
                .description("Topics of the callbacks being recorded now (delivery steps back from webhook.yield-to-recording-topics)")
                .register(registry);
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        if (!context.getManagementStrategy().getEventNotifiers().contains(this)) {
            context.getManagementStrategy().addEventNotifier(this);
        }
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
        // nothing more: the notifier is in place before the routes start
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event.getType() == CamelEvent.Type.ExchangeCompleted || event.getType() == CamelEvent.Type.ExchangeFailed;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((ExchangeEvent) event).getExchange();
        String route = exchange.getFromRouteId();
        if ("im-callback".equals(route)) {
            // the request's own exchange, the one that carries the reply; not the copies made to record it
            if (exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE) != null) {
                callbackDone(exchange);
            }
        } else if ("delivery-threads".equals(route)) {
            deliveryDone(exchange);
        }
    }

    private void callbackDone(Exchange exchange) {
        Integer status = exchange.getProperty("rejectionStatus", Integer.class);
        String outcome;
        if (exchange.getException() != null) {
            outcome = "failed";
        } else if (status != null) {
            outcome = status >= 500 ? "failed" : "rejected";
        } else if (exchange.getProperty("journaled", false, Boolean.class)) {
            outcome = "journaled";
        } else if (exchange.getProperty("beforeCallback", false, Boolean.class)) {
            outcome = "allowed"; // a before-callback: let through at once, recorded after the reply when forwarded
        } else if (exchange.getProperty("recording") == null) {
            outcome = "ignored";
        } else {
            long recorded = exchange.getProperty("newTopicCount", 0L, Long.class) + exchange.getProperty("newGroupCount", 0L, Long.class)
                    + exchange.getProperty("newForwardedCount", 0L, Long.class);
            outcome = recorded > 0 ? "recorded" : "duplicate";
            Counter.builder("im.topics.recorded").description("Destroyed topics recorded (new ones only)")
                    .register(registry).increment(exchange.getProperty("newTopicCount", 0L, Long.class));
        }
        String command = "rejected".equals(outcome) ? "-" : command(exchange.getProperty("callbackCommand", String.class));
        Counter.builder("im.callbacks").description("Callbacks by command and outcome")
                .tags("command", command, "outcome", outcome).register(registry).increment();
        replyTime.register(registry).record(exchange.getClock().elapsed(), TimeUnit.MILLISECONDS);
    }

    private void deliveryDone(Exchange exchange) {
        if (!(exchange.getMessage().getBody() instanceof Map<?, ?> outcome) || !(outcome.get("status") instanceof String status)) {
            return; // not attempted (the application is stopping)
        }
        String target = String.valueOf(outcome.get("target"));
        String result = switch (status) {
            case "DELIVERED" -> "delivered";
            case "DEAD" -> "dead";
            default -> "retry";
        };
        Counter.builder("webhook.deliveries").description("Delivery attempts by target and outcome")
                .tags("target", target, "outcome", result).register(registry).increment();
        if (outcome.get("latencyMs") instanceof Number ms) {
            Timer.builder("webhook.attempt").description("One delivery attempt, request to response").tags("target", target)
                    .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry).record(ms.longValue(), TimeUnit.MILLISECONDS);
        }
        Instant recordedAt = instant(exchange.getProperty("recordedAt"));
        if ("delivered".equals(result) && recordedAt != null) {
            Timer.builder("webhook.delivery.latency").description("From a callback's recording to its webhook's delivery")
                    .tags("target", target).publishPercentileHistogram().maximumExpectedValue(Duration.ofHours(1))
                    .register(registry).record(Duration.between(recordedAt, Instant.now()));
        }
    }

    private String command(String command) {
        if (command == null || !COMMAND.matcher(command).matches()) {
            return "other";
        }
        if (commands.contains(command) || (commands.size() < MAX_COMMANDS && commands.add(command))) {
            return command;
        }
        return "other";
    }

    private static Instant instant(Object value) {
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof OffsetDateTime dateTime) {
            return dateTime.toInstant();
        }
        return null;
    }

    private double topicsBeingRecorded() {
        RecordingLoad load = camel.getRegistry().lookupByNameAndType("recordingLoad", RecordingLoad.class);
        return load == null ? 0 : load.topics();
    }

    private double journalRecords() {
        CallbackJournal journal = camel.getRegistry().lookupByNameAndType("callbackJournal", CallbackJournal.class);
        return journal == null ? 0 : journal.waitingRecords();
    }

    /** One target's outbox figures, as the gauges read them (set by each refresh). */
    private static final class Outbox {
        volatile double pending;
        volatile double oldestPendingAge;
        volatile double dead;
    }

    private Outbox outbox(String target) {
        return outboxes.computeIfAbsent(target, name -> {
            Outbox outbox = new Outbox();
            Tags tags = Tags.of("target", name);
            Gauge.builder("webhook.outbox.pending", outbox, o -> o.pending).tags(tags).strongReference(true)
                    .description("Deliveries waiting to be sent").register(registry);
            Gauge.builder("webhook.outbox.oldest.pending.age", outbox, o -> o.oldestPendingAge).tags(tags).baseUnit("seconds")
                    .strongReference(true).description("Age of the oldest delivery waiting to be sent").register(registry);
            Gauge.builder("webhook.dead", outbox, o -> o.dead).tags(tags).strongReference(true)
                    .description("Dead deliveries (not replayed or purged)").register(registry);
            return outbox;
        });
    }

    /** Reads the outbox gauges: one grouped query, every refresh interval. */
    void refreshOutbox() {
        try {
            Map<String, double[]> figures = new java.util.HashMap<>();
            Instant now = Instant.now();
            jdbc.query("SELECT target, status, COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_delivery"
                    + " WHERE status IN ('PENDING', 'DEAD') GROUP BY target, status", row -> {
                        double[] f = figures.computeIfAbsent(row.getString("target"), t -> new double[3]);
                        if ("PENDING".equals(row.getString("status"))) {
                            f[0] = row.getLong("n");
                            Timestamp oldest = row.getTimestamp("oldest");
                            f[1] = oldest == null ? 0 : Math.max(0, Duration.between(oldest.toInstant(), now).toMillis() / 1000.0);
                        } else {
                            f[2] = row.getLong("n");
                        }
                    });
            figures.keySet().forEach(this::outbox);
            outboxes.forEach((target, outbox) -> {
                double[] f = figures.getOrDefault(target, new double[3]);
                outbox.pending = f[0];
                outbox.oldestPendingAge = f[1];
                outbox.dead = f[2];
            });
        } catch (RuntimeException databaseAway) {
            // keep the last values; the database outage is logged by the routes
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    public void startRefreshing() {
        refresher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "outbox-metrics");
            thread.setDaemon(true);
            return thread;
        });
        refresher.scheduleWithFixedDelay(this::refreshOutbox, 0, refreshMs, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    public void stopRefreshing() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }
}
