package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What happens across starts and stops of the application: no acknowledged callback's delivery is lost
 * to a restart, and the load balancer is told "ready" only once callbacks are really served.
 */
@ExtendWith(OutputCaptureExtension.class)
class ApplicationLifecycleTest {

    @RegisterExtension
    static final WireMockExtension CRM = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    static Stream<Arguments> databases() throws IOException {
        String h2File = Files.createTempDirectory("bridge-h2").resolve("bridge").toString();
        return Stream.of(
                Arguments.of("H2 file", TestDatabases.h2File(h2File)),
                Arguments.of("PostgreSQL", TestDatabases.freshPostgres()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void deliveriesPendingAtShutdownAreSentAfterARestart(String name, Map<String, String> database) {
        CRM.stubFor(post("/crm").willReturn(aResponse().withStatus(503)));
        String group = "@TGS#_@TGS#" + UUID.randomUUID().toString().substring(0, 8);

        try (ConfigurableApplicationContext first = start(database, 0)) {
            HttpResponse<String> reply = new ImBackend(port(first))
                    .callback(TOPIC_DESTROYED, topicCallback(group, "one", "two"));
            assertThat(reply.body()).isEqualTo(OK_REPLY);
            await().atMost(Duration.ofSeconds(20)).until(() -> webhooksFor(group).size() >= 2);
            assertThat(statuses(first, group)).containsOnly("PENDING");
        }

        CRM.resetAll();
        CRM.stubFor(post("/crm").willReturn(ok()));
        try (ConfigurableApplicationContext second = start(database, 0)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> statuses(second, group).equals(List.of("DELIVERED", "DELIVERED")));
            List<LoggedRequest> delivered = webhooksFor(group);
            assertThat(delivered).hasSize(2);
            assertThat(delivered).extracting(r -> r.getHeader("webhook-id")).doesNotHaveDuplicates();
            JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForList("SELECT event_id FROM im_topic_destroyed WHERE group_id = ?", String.class, group))
                    .containsExactlyInAnyOrderElementsOf(delivered.stream().map(r -> r.getHeader("webhook-id")).toList());
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM webhook_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id"
                    + " WHERE d.group_id = ? AND a.status_code = 503", Long.class, group))
                    .as("the first life's refused attempts are on record").isGreaterThanOrEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void stoppingWhileTheCrmIsSlowReleasesUnsentDeliveriesForTheNextStart(String name, Map<String, String> database)
            throws Exception {
        CRM.stubFor(post("/crm").willReturn(ok().withFixedDelay(1500)));
        String group = "@TGS#_@TGS#" + UUID.randomUUID().toString().substring(0, 8);

        try (ConfigurableApplicationContext first = start(database, 0)) {
            HttpResponse<String> reply = new ImBackend(port(first))
                    .callback(TOPIC_DESTROYED, topicCallback(group, "t1", "t2", "t3", "t4", "t5", "t6"));
            assertThat(reply.body()).isEqualTo(OK_REPLY);
            await().atMost(Duration.ofSeconds(10)).until(() -> !webhooksFor(group).isEmpty());
        }
        try (Connection db = DriverManager.getConnection(database.get("spring.datasource.url"),
                database.get("spring.datasource.username"), database.get("spring.datasource.password"));
             ResultSet leased = db.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM webhook_delivery WHERE lease_token IS NOT NULL")) {
            leased.next();
            assertThat(leased.getLong(1)).as("deliveries still leased after a normal stop").isZero();
        }

        CRM.resetAll();
        CRM.stubFor(post("/crm").willReturn(ok()));
        try (ConfigurableApplicationContext second = start(database, 0)) {
            // well before the 300 s lease could have expired
            await().atMost(Duration.ofSeconds(15)).until(() -> statuses(second, group).stream().allMatch("DELIVERED"::equals)
                    && statuses(second, group).size() == 6);
        }
    }

    @org.junit.jupiter.api.Test
    void startingWithoutACallbackTokenWarnsThatOnlySdkAppidIsChecked(CapturedOutput output) {
        try (ConfigurableApplicationContext app = start(TestDatabases.h2InMemory(), 0)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> output.getAll().contains("IM_CALLBACK_TOKEN is not set"));
        }
    }

    @org.junit.jupiter.api.Test
    void aMisconfiguredTargetStopsTheStartWithOneSentenceSayingWhy(CapturedOutput output) {
        Map<String, String> database = TestDatabases.h2InMemory();
        assertThatThrownBy(() -> BridgeLauncher.start(database, 0, CRM.baseUrl() + "/crm", Map.of(
                "webhook.targets", "default,erp",
                "webhook.target.erp.url", CRM.baseUrl() + "/erp",
                "webhook.target.erp.events", "im.topic.destroy")).close())
                .as("the start fails instead of failing callbacks later").isInstanceOf(RuntimeException.class);

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START").contains(
                "webhook target erp: webhook.target.erp.events lists [im.topic.destroy], but the events are "
                        + "[im.topic.destroyed, im.topics.destroyed, im.group.destroyed]");
        assertThat(output.getAll()).as("the reason, not a stack trace").doesNotContain("\tat io.github.imcallbackbridge");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void readinessIsReportedOnlyOnceCallbacksAreServed(String name, Map<String, String> database) throws Exception {
        CRM.stubFor(post("/crm").willReturn(ok()));
        int port = ImBackend.freePort();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest readiness = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2)).build();

        CompletableFuture<ConfigurableApplicationContext> starting = CompletableFuture.supplyAsync(() -> start(database, port));
        try {
            List<Integer> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                int status;
                try {
                    status = http.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException notListeningYet) {
                    status = -1;
                }
                seen.add(status);
                return status == 200;
            });
            assertThat(seen).last().isEqualTo(200);

            String group = "@TGS#_@TGS#" + UUID.randomUUID().toString().substring(0, 8);
            HttpResponse<String> first = new ImBackend(port).callback(TOPIC_DESTROYED, topicCallback(group, "early"));
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).isEqualTo(OK_REPLY);
        } finally {
            starting.get().close();
        }
    }

    @org.junit.jupiter.api.Test
    void readinessIsDownWhileTheCallbackRouteIsStopped() throws Exception {
        try (ConfigurableApplicationContext app = BridgeLauncher.start(TestDatabases.h2InMemory(), 0, CRM.baseUrl() + "/crm",
                Map.of())) {
            ImBackend im = new ImBackend(BridgeLauncher.port(app));
            org.apache.camel.CamelContext camel = app.getBean(org.apache.camel.CamelContext.class);
            assertThat(im.send("GET", "/actuator/health/readiness").statusCode()).isEqualTo(200);

            camel.getRouteController().stopRoute("im-callback");
            HttpResponse<String> stopped = im.send("GET", "/actuator/health/readiness");
            assertThat(stopped.statusCode()).as("taken out of the load balancer").isEqualTo(503);
            assertThat(im.send("GET", "/actuator/health/liveness").statusCode()).as("but not restarted").isEqualTo(200);

            camel.getRouteController().startRoute("im-callback");
            assertThat(im.send("GET", "/actuator/health/readiness").statusCode()).isEqualTo(200);
            assertThat(im.callback(TOPIC_DESTROYED, topicCallback("@TGS#_@TGS#" + UUID.randomUUID().toString().substring(0, 8),
                    "back")).body()).isEqualTo(OK_REPLY);
        }
    }

    // --- helpers ------------------------------------------------------------------------------------

    static ConfigurableApplicationContext start(Map<String, String> database, int port) {
        return BridgeLauncher.start(database, port, CRM.baseUrl() + "/crm", Map.of());
    }

    static int port(ConfigurableApplicationContext context) {
        return BridgeLauncher.port(context);
    }

    static List<String> statuses(ConfigurableApplicationContext context, String group) {
        return context.getBean(JdbcTemplate.class).queryForList(
                "SELECT status FROM webhook_delivery WHERE payload LIKE ? ORDER BY id", String.class, "%" + group + "%");
    }

    static List<LoggedRequest> webhooksFor(String group) {
        return CRM.findAll(postRequestedFor(urlEqualTo("/crm")).withRequestBody(containing(group)));
    }

}
