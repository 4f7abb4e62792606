package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.BridgeProcess;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Several application instances on one PostgreSQL, and an instance killed outright: deliveries are sent
 * exactly once by whichever instance claims them, and a killed instance's claims are taken over when their
 * lease expires.
 */
class SharedDatabaseTest {

    @RegisterExtension
    static final WireMockExtension CRM = WireMockExtension.newInstance()
            .options(options().dynamicPort().containerThreads(40)).build();

    /** Leases of about 3 s: one delivery in flight per instance, 3 s to connect and answer at most. */
    static final Map<String, String> SHORT_LEASE = Map.of("webhook.lease-seconds", "3", "webhook.max-in-flight", "1",
            "webhook.connect-timeout-ms", "500", "webhook.response-timeout-ms", "2500");

    @Test
    void twoInstancesDrainABacklogOf1000DeliveriesExactlyOnce() {
        CRM.stubFor(post(urlMatching("/instance-.")).willReturn(ok().withFixedDelay(5)));
        Map<String, String> database = TestDatabases.freshPostgres();

        try (ConfigurableApplicationContext a = start(database, "instance-a");
             ConfigurableApplicationContext b = start(database, "instance-b")) {
            JdbcTemplate jdbc = a.getBean(JdbcTemplate.class);
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            List<Object[]> rows = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String id = "evt_backlog_" + i;
                rows.add(new Object[] {id, "{\"n\":\"" + id + "\"}", now, now});
            }
            // one transaction: both instances see the whole backlog at once
            jdbc.batchUpdate("INSERT INTO webhook_delivery (event_id, event_type, target, payload, status, attempts,"
                    + " next_attempt_at, created_at) VALUES (?, 'im.topic.destroyed', 'default', ?, 'PENDING', 0, ?, ?)", rows);

            await().atMost(Duration.ofSeconds(90)).until(() -> jdbc.queryForObject(
                    "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'DELIVERED'", Long.class) == 1000);
        }
        List<LoggedRequest> byA = CRM.findAll(postRequestedFor(urlEqualTo("/instance-a")));
        List<LoggedRequest> byB = CRM.findAll(postRequestedFor(urlEqualTo("/instance-b")));
        Set<String> ids = new HashSet<>();
        byA.forEach(r -> ids.add(r.getHeader("webhook-id")));
        byB.forEach(r -> ids.add(r.getHeader("webhook-id")));
        System.out.printf("two instances: %d sent by A, %d by B, %d distinct webhook-ids%n", byA.size(), byB.size(), ids.size());
        assertThat(ids).hasSize(1000);
        assertThat(byA.size() + byB.size()).as("no delivery sent twice").isEqualTo(1000);
        assertThat(byA).as("instance A took part").isNotEmpty();
        assertThat(byB).as("instance B took part").isNotEmpty();
    }

    @Test
    void anInstanceKilledMidDeliveryLosesNothingAndLeavesNothingStuck() throws Exception {
        CRM.stubFor(post(urlEqualTo("/slow")).willReturn(ok().withFixedDelay(2000)));
        CRM.stubFor(post(urlEqualTo("/fast")).willReturn(ok()));
        Map<String, String> database = TestDatabases.freshPostgres();
        int port = ImBackend.freePort();
        String group = "@TGS#_@TGS#" + UUID.randomUUID().toString().substring(0, 8);

        BridgeProcess doomed = BridgeProcess.fromClasspath(BridgeLauncher.arguments(database, port, CRM.baseUrl() + "/slow",
                SHORT_LEASE), Path.of("target/killed-instance.log"));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                try {
                    return new ImBackend(port).send("GET", "/actuator/health/readiness").statusCode() == 200;
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
            assertThat(new ImBackend(port).callback(TOPIC_DESTROYED, topicCallback(group, "k1", "k2", "k3")).body())
                    .isEqualTo(OK_REPLY);
            await().atMost(Duration.ofSeconds(10)).until(() -> !CRM.findAll(postRequestedFor(urlEqualTo("/slow"))).isEmpty());
        } finally {
            doomed.kill(); // SIGKILL: no shutdown hook, no lease released
        }

        try (ConfigurableApplicationContext survivor = start(database, "fast")) {
            JdbcTemplate jdbc = survivor.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE lease_token IS NOT NULL", Long.class))
                    .as("the killed instance's claims are still there").isPositive();
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                    "SELECT COUNT(*) FROM webhook_delivery WHERE group_id = ? AND status = 'DELIVERED'", Long.class, group) == 3);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE lease_token IS NOT NULL", Long.class))
                    .isZero();
        }
        Set<String> ids = new HashSet<>();
        CRM.findAll(postRequestedFor(urlEqualTo("/fast"))).forEach(r -> ids.add(r.getHeader("webhook-id")));
        int beforeKill = CRM.findAll(postRequestedFor(urlEqualTo("/slow"))).size();
        System.out.printf("killed mid-delivery: %d request(s) reached the target before the kill, %d delivered after, %d distinct%n",
                beforeKill, CRM.findAll(postRequestedFor(urlEqualTo("/fast"))).size(), ids.size());
        assertThat(ids).hasSize(3);
    }

    static ConfigurableApplicationContext start(Map<String, String> database, String path) {
        return BridgeLauncher.start(database, 0, CRM.baseUrl() + "/" + path, SHORT_LEASE);
    }

    /** The application in a JVM of its own, so that it can be killed outright. */
}
