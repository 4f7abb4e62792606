package io.github.imcallbackbridge.benchmark;

import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Forwarding speed with a healthy target (a JDK HTTP server on 127.0.0.1 answering 204 at once):
 * <ul>
 * <li>latency from the OK reply reaching the IM backend to the webhook reaching the target, over callbacks
 * of one new topic each offered at a fixed rate ({@code -Dbenchmark.rate}, default 100/s, below one
 * target's delivery capacity), with the default 1 s poll interval (so what is measured is the wake-up path);
 * above capacity a backlog builds and the time is spent queueing, which the drain rate measures;</li>
 * <li>drain rate of a backlog of pending deliveries written straight into the outbox.</li>
 * </ul>
 * Run with {@code ./mvnw -Pbenchmark verify}; {@code -Dbenchmark.callbacks}, {@code -Dbenchmark.backlog}.
 */
class DeliveryBenchmark {

    private static final int CALLBACKS = Integer.getInteger("benchmark.callbacks", 1000);
    private static final int BACKLOG = Integer.getInteger("benchmark.backlog", 10_000);
    /** Callbacks per second offered in the latency run: below one target's delivery capacity (the drain rate). */
    private static final int RATE = Integer.getInteger("benchmark.rate", 100);

    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();

    @Test
    void deliveryLatencyAndDrainRate() throws Exception {
        HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/crm", exchange -> {
            long now = System.nanoTime();
            exchange.getRequestBody().readAllBytes();
            arrivals.putIfAbsent(exchange.getRequestHeaders().getFirst("webhook-id"), now);
            received.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        target.setExecutor(Executors.newFixedThreadPool(4));
        target.start();
        String url = "http://127.0.0.1:" + target.getAddress().getPort() + "/crm";
        StringBuilder report = new StringBuilder("\n");
        try {
            for (String database : new String[] {"H2", "PostgreSQL"}) {
                Map<String, String> datasource = "H2".equals(database)
                        ? TestDatabases.h2File(Files.createTempDirectory("bench").resolve("bridge").toString())
                        : TestDatabases.freshPostgres();
                try (ConfigurableApplicationContext app = BridgeLauncher.start(datasource, 0, url, Map.of(
                        "webhook.poll-interval-ms", "1000",
                        "logging.level.im-callback", "WARN",
                        "logging.level.webhook-delivery", System.getProperty("benchmark.deliveryLog", "WARN")))) {
                    report.append(latency(database, app)).append(drainRate(database, app));
                }
            }
        } finally {
            target.stop(0);
        }
        System.out.println(report);
    }

    private String latency(String database, ConfigurableApplicationContext app) throws Exception {
        ImBackend im = new ImBackend(BridgeLauncher.port(app));
        JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
        for (int i = 0; i < 200; i++) { // warm-up
            send(im);
        }
        awaitDrained(jdbc, Duration.ofSeconds(60)); // measure from a drained outbox
        List<String> groups = new ArrayList<>();
        List<Long> repliedAt = new ArrayList<>();
        long interval = 1_000_000_000L / RATE;
        long next = System.nanoTime();
        for (int i = 0; i < CALLBACKS; i++) {
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
            next += interval;
            groups.add(send(im));
            repliedAt.add(System.nanoTime());
        }
        awaitDrained(jdbc, Duration.ofSeconds(60));
        double[] ms = new double[CALLBACKS];
        int early = 0;
        for (int i = 0; i < CALLBACKS; i++) {
            String id = jdbc.queryForObject("SELECT event_id FROM im_topic_destroyed WHERE group_id = ?", String.class, groups.get(i));
            long gap = arrivals.get(id) - repliedAt.get(i);
            if (gap < 0) {
                early++;
            }
            ms[i] = Math.max(0, gap) / 1e6;
        }
        Arrays.sort(ms);
        // where the time goes: from recording to the first attempt, and the attempt itself (server side)
        List<Map<String, Object>> split = jdbc.queryForList("SELECT d.created_at, a.attempted_at, a.latency_ms"
                + " FROM webhook_delivery d JOIN webhook_attempt a ON a.delivery_id = d.id"
                + " WHERE d.event_id LIKE 'evt_%' AND d.event_id NOT LIKE 'evt_drain_%' ORDER BY d.id DESC LIMIT " + CALLBACKS);
        double[] waited = new double[split.size()];
        double[] attempt = new double[split.size()];
        for (int i = 0; i < split.size(); i++) {
            waited[i] = java.time.Duration.between(instant(split.get(i).get("created_at")),
                    instant(split.get(i).get("attempted_at"))).toNanos() / 1e6;
            attempt[i] = ((Number) split.get(i).get("latency_ms")).doubleValue();
        }
        Arrays.sort(waited);
        Arrays.sort(attempt);
        return String.format("%-10s OK reply -> webhook arrival, %d callbacks at " + RATE + "/s: median %.1f ms, p90 %.1f ms,"
                        + " p99 %.1f ms, max %.1f ms (%d arrived before the reply reached the client, counted as 0);"
                        + " recorded -> attempt started: median %.1f ms, p99 %.1f ms; attempt: median %.1f ms, p99 %.1f ms%n",
                database, CALLBACKS, ms[CALLBACKS / 2], ms[(int) (CALLBACKS * 0.9) - 1], ms[(int) (CALLBACKS * 0.99) - 1],
                ms[CALLBACKS - 1], early, waited[waited.length / 2], waited[(int) (waited.length * 0.99) - 1],
                attempt[attempt.length / 2], attempt[(int) (attempt.length * 0.99) - 1]);
    }

    private String drainRate(String database, ConfigurableApplicationContext app) throws Exception {
        JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            String id = "evt_drain_" + UUID.randomUUID().toString().replace("-", "");
            rows.add(new Object[] {id, "{\"type\":\"im.topic.destroyed\",\"n\":\"" + id + "\"}", now, now});
        }
        long before = received.get();
        long started = System.nanoTime();
        jdbc.batchUpdate("INSERT INTO webhook_delivery (event_id, event_type, target, payload, status, attempts,"
                + " next_attempt_at, created_at) VALUES (?, 'im.topic.destroyed', 'default', ?, 'PENDING', 0, ?, ?)", rows);
        awaitDrained(jdbc, Duration.ofSeconds(600));
        double seconds = (System.nanoTime() - started) / 1e9;
        long sent = received.get() - before;
        return String.format("%-10s backlog of %d pending deliveries drained in %.1f s: %.0f deliveries/s (%d requests received)%n",
                database, BACKLOG, seconds, BACKLOG / seconds, sent);
    }

    private static java.time.Instant instant(Object column) {
        return column instanceof java.sql.Timestamp t ? t.toInstant() : ((OffsetDateTime) column).toInstant();
    }

    private static String send(ImBackend im) {
        String group = "@TGS#_@TGS#" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String reply = im.callback(TOPIC_DESTROYED, topicCallback(group, "bench")).body();
        if (!OK_REPLY.equals(reply)) {
            throw new AssertionError(reply);
        }
        return group;
    }

    /** Until every delivery is DELIVERED (a benchmark reports what it got, so it does not fail on time). */
    private static void awaitDrained(JdbcTemplate jdbc, Duration atMost) {
        org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> jdbc.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE status <> 'DELIVERED'",
                        Long.class) == 0);
    }
}
