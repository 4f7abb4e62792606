package io.github.imcallbackbridge.benchmark;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.FlakyNetwork;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * PostgreSQL refused for the whole run of {@code benchmark.callbacks} callbacks (2 topics each, 8 clients at
 * once): the reply time while every callback goes to the journal, then, once PostgreSQL is back, how fast the
 * journal is replayed into it (records/s) and how long until every topic is delivered.
 * <p>
 * Not part of {@code ./mvnw verify}. Run with {@code ./mvnw -Pbenchmark verify -Dtest=JournalBenchmark}.
 */
class JournalBenchmark {

    private static final int CALLBACKS = Integer.getInteger("benchmark.callbacks", 2000);
    private static final int CLIENTS = 8;

    @Test
    void journalDuringAnOutageAndItsReplay() throws Exception {
        WireMockServer crm = new WireMockServer(options().dynamicPort().containerThreads(50));
        crm.start();
        crm.stubFor(post("/crm").willReturn(ok()));
        Path journal = Files.createTempDirectory("journal-benchmark");
        try (FlakyNetwork network = new FlakyNetwork("127.0.0.1", TestDatabases.postgresPort());
             ConfigurableApplicationContext bridge = BridgeLauncher.start(TestDatabases.freshPostgres(network.port()), 0,
                     crm.baseUrl() + "/crm", Map.of("callback.journal-dir", journal.toString(),
                             "logging.level.im-callback", "ERROR", "logging.level.webhook-delivery", "ERROR"))) {
            ImBackend im = new ImBackend(BridgeLauncher.port(bridge));
            for (int i = 0; i < 200; i++) { // warm-up with the database up
                im.callback(TOPIC_DESTROYED, topicCallback(group(), "a", "b"));
            }
            network.refuse();
            List<Long> micros = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger failures = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            long started = System.nanoTime();
            for (int i = 0; i < CALLBACKS; i++) {
                clients.execute(() -> {
                    long start = System.nanoTime();
                    boolean ok = OK_REPLY.equals(im.callback(TOPIC_DESTROYED, topicCallback(group(), "a", "b")).body());
                    micros.add((System.nanoTime() - start) / 1000);
                    if (!ok) {
                        failures.incrementAndGet();
                    }
                });
            }
            clients.shutdown();
            clients.awaitTermination(10, TimeUnit.MINUTES);
            double ingestSeconds = (System.nanoTime() - started) / 1e9;

            JdbcTemplate jdbc = bridge.getBean(JdbcTemplate.class);
            long healed = System.nanoTime();
            network.heal();
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                    .until(() -> jdbc.queryForObject("SELECT COUNT(*) FROM im_callback", Long.class) >= 200 + CALLBACKS);
            double replaySeconds = (System.nanoTime() - healed) / 1e9;
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> jdbc.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE status <> 'DELIVERED'",
                            Long.class) == 0);
            double deliveredSeconds = (System.nanoTime() - healed) / 1e9;

            // for comparison: the same callbacks live, one after another (the replay records one at a time too)
            long liveStart = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                im.callback(TOPIC_DESTROYED, topicCallback(group(), "a", "b"));
            }
            double liveMs = (System.nanoTime() - liveStart) / 1e6 / 200;

            List<Long> sorted = micros.stream().sorted().toList();
            System.out.printf("%njournal: %d callbacks (2 topics each, %d clients) while PostgreSQL refused connections:"
                            + " %d not OK; %.0f callbacks/s; reply p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", CALLBACKS, CLIENTS,
                    failures.get(), CALLBACKS / ingestSeconds, sorted.get(sorted.size() / 2) / 1000.0,
                    sorted.get((int) (sorted.size() * 0.99)) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0);
            System.out.printf("replay: all %d in the database %.2f s after PostgreSQL came back (%.0f records/s);"
                    + " all %d topics delivered after %.2f s%n", CALLBACKS, replaySeconds, CALLBACKS / replaySeconds,
                    2 * CALLBACKS, deliveredSeconds);
            System.out.printf("for comparison, live callbacks one at a time with the database up: %.1f ms each (%.0f/s)%n%n",
                    liveMs, 1000 / liveMs);
        } finally {
            crm.stop();
        }
    }

    private static String group() {
        return "@TGS#_@TGS#" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
