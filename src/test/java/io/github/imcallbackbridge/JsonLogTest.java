package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.BridgeProcess;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code LOG_FORMAT=json} (the application in a JVM of its own, as an operator starts it): every line is one JSON
 * object, and one topic ID finds its callback's recording and its delivery, with callbackId, groupId, eventId and
 * target as fields.
 */
class JsonLogTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final WireMockExtension CRM = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    @TempDir
    Path dir;

    @Test
    void oneSearchForATopicIdFindsItsRecordingAndItsDelivery() throws Exception {
        CRM.stubFor(post(urlEqualTo("/crm")).willReturn(ok()));
        int port = ImBackend.freePort();
        Path log = dir.resolve("bridge.log");
        BridgeProcess bridge = BridgeProcess.fromClasspath(BridgeLauncher.arguments(TestDatabases.h2File(dir.resolve("db").toString()),
                port, CRM.baseUrl() + "/crm", Map.of("log.format", "json", "callback.journal-dir", dir.resolve("journal").toString())),
                log);
        String group = "@TGS#_@TGS#jsonlog01";
        String topic = group + "@TOPIC#_searched";
        try {
            ImBackend im = new ImBackend(port);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> im.send("GET", "/actuator/health/readiness").statusCode() == 200);
            assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "searched")).body()).isEqualTo(OK_REPLY);
            await().atMost(Duration.ofSeconds(20)).until(() -> !CRM.findAll(postRequestedFor(urlEqualTo("/crm"))).isEmpty());
            await().atMost(Duration.ofSeconds(10)).until(() -> linesAbout(log, topic).stream()
                    .anyMatch(line -> line.path("message").asText().contains("delivered")));
        } finally {
            bridge.process().destroy();
            bridge.process().waitFor();
        }

        List<String> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith("{")).toList();
        assertThat(lines).as("JSON lines").hasSizeGreaterThan(10);
        for (String line : lines) {
            JsonNode json = JSON.readTree(line);
            assertThat(json.has("@timestamp") && json.has("message") && (json.has("log.level") || json.at("/log/level").isTextual()))
                    .as(line).isTrue();
        }
        List<JsonNode> found = linesAbout(log, topic);
        JsonNode recorded = found.stream().filter(l -> l.path("message").asText().contains("outcome=recorded")).findFirst().orElseThrow();
        JsonNode delivered = found.stream().filter(l -> l.path("message").asText().contains("delivered to default")).findFirst().orElseThrow();
        assertThat(recorded.path("groupId").asText()).isEqualTo(group);
        assertThat(recorded.path("callbackId").asText()).isNotBlank();
        String webhookId = CRM.findAll(postRequestedFor(urlEqualTo("/crm"))).get(0).getHeader("webhook-id");
        assertThat(recorded.path("eventId").asText()).isEqualTo(webhookId);
        assertThat(delivered.path("eventId").asText()).isEqualTo(webhookId);
        assertThat(delivered.path("target").asText()).isEqualTo("default");
        assertThat(delivered.path("groupId").asText()).isEqualTo(group);
    }

    static List<JsonNode> linesAbout(Path log, String topicId) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("{")) {
                JsonNode json = JSON.readTree(line);
                if (topicId.equals(json.path("topicId").asText())) {
                    found.add(json);
                }
            }
        }
        return found;
    }
}
