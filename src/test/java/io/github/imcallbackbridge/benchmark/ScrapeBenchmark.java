package io.github.imcallbackbridge.benchmark;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code /actuator/prometheus} with {@code benchmark.pending} (default 100,000) pending deliveries on
 * PostgreSQL: the time of a scrape, and of the grouped query that refreshes the outbox gauges.
 * <p>
 * Not part of {@code ./mvnw verify}. Run with {@code ./mvnw -Pbenchmark verify -Dtest=ScrapeBenchmark}.
 */
class ScrapeBenchmark {

    private static final int PENDING = Integer.getInteger("benchmark.pending", 100_000);

    @Test
    void scrapeWithALargeBacklog() {
        // the target is disabled, so the backlog stays where it is
        try (ConfigurableApplicationContext bridge = BridgeLauncher.start(TestDatabases.freshPostgres(), 0,
                "http://127.0.0.1:9/unused", Map.of("webhook.target.default.enabled", "false", "metrics.outbox-refresh-ms", "1000"))) {
            JdbcTemplate jdbc = bridge.getBean(JdbcTemplate.class);
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            for (int batch = 0; batch < PENDING / 10_000; batch++) {
                List<Object[]> rows = new ArrayList<>();
                for (int i = 0; i < 10_000; i++) {
                    rows.add(new Object[] {"evt_scrape_" + batch + "_" + i, "{}", now, now});
                }
                jdbc.batchUpdate("INSERT INTO webhook_delivery (event_id, event_type, target, payload, status, attempts,"
                        + " next_attempt_at, created_at) VALUES (?, 'im.topic.destroyed', 'default', ?, 'PENDING', 0, ?, ?)", rows);
            }
            jdbc.execute("ANALYZE webhook_delivery");
            ImBackend im = new ImBackend(BridgeLauncher.port(bridge));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    im.send("GET", "/actuator/prometheus").body().contains("webhook_outbox_pending{target=\"default\"} " + PENDING));

            double[] scrape = time(20, () -> im.send("GET", "/actuator/prometheus"));
            double[] query = time(10, () -> jdbc.queryForList("SELECT target, status, COUNT(*) AS n, MIN(created_at) AS oldest"
                    + " FROM webhook_delivery WHERE status IN ('PENDING', 'DEAD') GROUP BY target, status"));
            System.out.printf("%nscrape with %,d pending deliveries (PostgreSQL): median %.1f ms, max %.1f ms;"
                    + " the gauges' refresh query (every METRICS_OUTBOX_REFRESH_MS, not per scrape): median %.1f ms, max %.1f ms%n%n",
                    PENDING, scrape[0], scrape[1], query[0], query[1]);
        }
    }

    /** {median, max} of {@code times} runs, in milliseconds, after two unmeasured ones. */
    private static double[] time(int times, Runnable action) {
        action.run();
        action.run();
        double[] ms = new double[times];
        for (int i = 0; i < times; i++) {
            long start = System.nanoTime();
            action.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return new double[] {ms[times / 2], ms[times - 1]};
    }
}
