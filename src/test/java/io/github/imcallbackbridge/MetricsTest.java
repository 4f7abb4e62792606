package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What an operator scrapes from {@code /actuator/prometheus}: callbacks by command and outcome, topics, reply
 * time; deliveries by target and outcome, their latencies; the outbox and dead-letter gauges; Camel's route
 * metrics. Three targets: one healthy, one gone (410: dead at once), one failing (500: retried). And every metric
 * that deploy/observability's alert rules and dashboard name is exported.
 */
@AutoConfigureObservability(tracing = false) // tests turn metrics export off unless asked
class MetricsTest extends RunningBridge {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("webhook.targets", "default,gone,flaky");
        extra.put("webhook.target.gone.url", CRM.baseUrl() + "/gone");
        extra.put("webhook.target.gone.events", "im.topic.destroyed");
        extra.put("webhook.target.flaky.url", CRM.baseUrl() + "/flaky");
        extra.put("webhook.target.flaky.events", "im.topic.destroyed");
        extra.put("webhook.target.flaky.retry-schedule", "1h");
        extra.put("metrics.outbox-refresh-ms", "200");
        bridgeProperties(registry, TestDatabases.h2InMemory(), extra);
    }

    @Test
    void callbacksDeliveriesAndTheOutboxAreCountedAsTheyHappen() throws IOException {
        CRM.stubFor(post("/crm").willReturn(ok()));
        CRM.stubFor(post("/gone").willReturn(aResponse().withStatus(410)));
        CRM.stubFor(post("/flaky").willReturn(aResponse().withStatus(500)));
        ImBackend im = new ImBackend(port);
        String group = "@TGS#_@TGS#metrics01";

        assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "a", "b")).body()).isEqualTo(OK_REPLY);
        assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "a", "b")).body()).isEqualTo(OK_REPLY);
        assertThat(im.post("/im/callback?SdkAppid=1400999999&CallbackCommand=" + TOPIC_DESTROYED,
                topicCallback(group, "c"), Map.of("Content-Type", "application/json")).statusCode()).isEqualTo(403);
        assertThat(im.callback("Group.CallbackAfterNewMemberJoin",
                "{\"CallbackCommand\":\"Group.CallbackAfterNewMemberJoin\",\"GroupId\":\"" + group + "\"}").body())
                .isEqualTo(OK_REPLY);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String scrape = scrape(im);
            assertThat(value(scrape, "im_callbacks_total", "command", TOPIC_DESTROYED, "outcome", "recorded")).isEqualTo(1);
            assertThat(value(scrape, "im_callbacks_total", "command", TOPIC_DESTROYED, "outcome", "duplicate")).isEqualTo(1);
            assertThat(value(scrape, "im_callbacks_total", "command", "-", "outcome", "rejected")).isEqualTo(1);
            assertThat(value(scrape, "im_callbacks_total", "command", "Group.CallbackAfterNewMemberJoin", "outcome", "ignored"))
                    .isEqualTo(1);
            assertThat(value(scrape, "im_topics_recorded_total")).isEqualTo(2);
            assertThat(value(scrape, "im_callback_reply_seconds_count")).isEqualTo(4);
            assertThat(value(scrape, "webhook_deliveries_total", "target", "default", "outcome", "delivered")).isEqualTo(2);
            assertThat(value(scrape, "webhook_deliveries_total", "target", "gone", "outcome", "dead")).isEqualTo(2);
            assertThat(value(scrape, "webhook_deliveries_total", "target", "flaky", "outcome", "retry")).isEqualTo(2);
            assertThat(value(scrape, "webhook_delivery_latency_seconds_count", "target", "default")).isEqualTo(2);
            assertThat(value(scrape, "webhook_attempt_seconds_count", "target", "flaky")).isEqualTo(2);
            assertThat(value(scrape, "webhook_dead", "target", "gone")).isEqualTo(2);
            assertThat(value(scrape, "webhook_outbox_pending", "target", "flaky")).isEqualTo(2);
            assertThat(value(scrape, "webhook_outbox_oldest_pending_age_seconds", "target", "flaky")).isGreaterThanOrEqualTo(0);
            assertThat(value(scrape, "im_callback_journal_records")).isZero();
            assertThat(value(scrape, "im_recording_topics")).as("every recording is over").isZero();
            assertThat(value(scrape, "camel_exchanges_total", "routeId", "im-callback")).isEqualTo(4);
        });

        // every metric the alert rules and the dashboard name is one the application exports
        String scrape = scrape(im);
        assertThat(namedMetrics()).isNotEmpty().allSatisfy(name -> assertThat(scrape)
                .as("exported: " + name).containsPattern("(?m)^" + Pattern.quote(name) + "[{ ]"));
    }

    /** The metric names used by deploy/observability's alert rules and Grafana dashboard. */
    static Set<String> namedMetrics() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String file : List.of("deploy/observability/alerts.yml", "deploy/observability/grafana/dashboards/im-callback-bridge.json")) {
            Matcher name = Pattern.compile("\\b(?:im|webhook|camel)_[a-z0-9_]+").matcher(Files.readString(Path.of(file)));
            while (name.find()) {
                names.add(name.group());
            }
        }
        return names;
    }

    String scrape(ImBackend im) {
        var reply = im.send("GET", "/actuator/prometheus");
        assertThat(reply.statusCode()).isEqualTo(200);
        return reply.body();
    }

    /** The sum of the samples of {@code name} whose labels include the given ones; -1 when there is none. */
    static double value(String scrape, String name, String... labels) {
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = sample.matcher(scrape);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            String labelText = m.group(1) == null ? "" : m.group(1);
            boolean matches = true;
            for (int i = 0; i < labels.length; i += 2) {
                matches &= labelText.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (matches) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        return found ? sum : -1;
    }
}
