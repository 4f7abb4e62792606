package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.BridgeProcess;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * SIGTERM while the IM backend keeps calling and deliveries are in flight (the application in a JVM of its own):
 * the process is gone within its shutdown timeout, and every callback it acknowledged is recorded (the next start
 * finds them in the database, or replays them from the journal), with nothing left leased.
 */
class GracefulStopTest {

    @RegisterExtension
    static final WireMockExtension CRM = WireMockExtension.newInstance()
            .options(options().dynamicPort().containerThreads(40)).build();

    @TempDir
    Path dir;

    @Test
    void sigtermUnderLoadLosesNoAcknowledgedCallback() throws Exception {
        CRM.stubFor(post(urlEqualTo("/crm")).willReturn(ok().withFixedDelay(500)));
        Map<String, String> database = TestDatabases.h2File(dir.resolve("db").toString());
        Map<String, String> extra = Map.of("callback.journal-dir", dir.resolve("journal").toString());
        int port = ImBackend.freePort();
        BridgeProcess bridge = BridgeProcess.fromClasspath(BridgeLauncher.arguments(database, port, CRM.baseUrl() + "/crm", extra),
                Path.of("target/graceful-stop-instance.log"));

        ImBackend im = new ImBackend(port);
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> im.send("GET", "/actuator/health/readiness").statusCode() == 200);
        } catch (RuntimeException notReady) {
            bridge.kill();
            throw notReady;
        }
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean sending = new AtomicBoolean(true);
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread sender = new Thread(() -> {
                while (sending.get()) {
                    String group = "@TGS#_@TGS#" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
                    try {
                        if (OK_REPLY.equals(im.callback(TOPIC_DESTROYED, topicCallback(group, "s")).body())) {
                            acknowledged.add(group);
                        }
                    } catch (RuntimeException refusedWhileStopping) {
                        // the port is closed: the IM backend would count this callback as failed
                    }
                }
            });
            sender.start();
            senders.add(sender);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 50);

        long stopping = System.nanoTime();
        bridge.process().destroy(); // SIGTERM
        boolean gone = bridge.exitCodeWithin(Duration.ofSeconds(60)) != null;
        double stopSeconds = (System.nanoTime() - stopping) / 1e9;
        sending.set(false);
        for (Thread sender : senders) {
            sender.join();
        }
        assertThat(gone).as("the process is gone within the shutdown timeout").isTrue();
        System.out.printf("SIGTERM under load: %d callbacks acknowledged, process gone %.1f s after SIGTERM%n",
                acknowledged.size(), stopSeconds);

        try (ConfigurableApplicationContext next = BridgeLauncher.start(database, 0, CRM.baseUrl() + "/crm", extra)) {
            JdbcTemplate jdbc = next.getBean(JdbcTemplate.class);
            Set<String> wanted = new HashSet<>(acknowledged);
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForList(
                    "SELECT group_id FROM im_topic_destroyed", String.class).stream().filter(wanted::contains).count() == wanted.size());
            await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForObject(
                    "SELECT COUNT(*) FROM webhook_delivery WHERE status <> 'DELIVERED'", Long.class) == 0);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE lease_token IS NOT NULL", Long.class))
                    .isZero();
        }
    }
}
