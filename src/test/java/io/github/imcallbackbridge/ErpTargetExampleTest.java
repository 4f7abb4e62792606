package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.noContent;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.GROUP_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.SDK_APP_ID;
import static io.github.imcallbackbridge.support.ImBackend.SEED_CALLBACK;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.imcallbackbridge.support.StandardWebhooks;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The shipped ERP example (examples/erp-target: one YAML route and one properties file, no Java): started
 * the way its README says, an ERP with its own payload shape gets one flat, signed document per callback
 * listing the topics it destroyed, while the standard target keeps getting one event per topic.
 */
class ErpTargetExampleTest {

    static final String ERP_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final WireMockExtension TARGETS = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    static ConfigurableApplicationContext bridge;
    static ImBackend im;
    static JdbcTemplate database;

    @BeforeAll
    static void startWithTheExampleConfiguration() {
        bridge = BridgeLauncher.start(TestDatabases.h2InMemory(), 0, TARGETS.baseUrl() + "/crm", Map.of(
                "spring.config.import", "file:examples/erp-target/erp-target.properties",
                "webhook.target.erp.url", TARGETS.baseUrl() + "/erp",
                "webhook.target.erp.secret", ERP_SECRET));
        im = new ImBackend(BridgeLauncher.port(bridge));
        database = bridge.getBean(JdbcTemplate.class);
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    @BeforeEach
    void targetsAnswer204() {
        TARGETS.resetAll();
        TARGETS.stubFor(post("/crm").willReturn(noContent()));
        TARGETS.stubFor(post("/erp").willReturn(noContent()));
    }

    @Test
    void theErpGetsOneFlatSignedDocumentPerCallbackListingItsTopics() throws Exception {
        assertThat(im.callback(TOPIC_DESTROYED, SEED_CALLBACK).body()).isEqualTo(OK_REPLY);

        LoggedRequest document = awaitErpDocuments(1).get(0);
        assertThat(document.getBodyAsString()).as("compact JSON").doesNotContain("\n").startsWith("{\"doc_type\":");
        assertThat(document.getHeader("Content-Type")).startsWith("application/json");
        JsonNode erp = JSON.readTree(document.getBodyAsString());
        assertThat(erp.get("doc_type").asText()).isEqualTo("IM_TOPICS_CLOSED");
        assertThat(erp.get("app_id").asText()).isEqualTo(SDK_APP_ID);
        assertThat(erp.get("group_id").asText()).isEqualTo("@TGS#_@TGS#cQVLVHIM62CJ");
        assertThat(erp.get("group_type").asText()).isEqualTo("Community");
        assertThat(erp.get("topic_count").asInt()).isEqualTo(2);
        assertThat(erp.get("topic_ids").asText())
                .isEqualTo("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic,@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1");
        assertThat(OffsetDateTime.parse(erp.get("closed_at").asText())).isNotNull();
        assertThat(erp.size()).as("only the ERP's flat fields: %s", erp).isEqualTo(8);

        String webhookId = document.getHeader("webhook-id");
        assertThat(erp.get("doc_id").asText()).isEqualTo(webhookId);
        assertThat(document.getHeader("webhook-signature")).isEqualTo(StandardWebhooks.signature(
                ERP_SECRET, webhookId, document.getHeader("webhook-timestamp"), document.getBodyAsString()));
        assertThat(database.queryForMap(
                "SELECT event_type, status FROM webhook_delivery WHERE target = 'erp' AND event_id = ?", webhookId))
                .containsEntry("event_type", "im.topics.destroyed");
        await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(database.queryForObject(
                "SELECT status FROM webhook_delivery WHERE event_id = ?", String.class, webhookId)));

        // the standard target is untouched: one standard event per topic, as before
        List<LoggedRequest> standard = awaitCrmRequests(2);
        assertThat(standard).extracting(r -> JSON.readTree(r.getBodyAsString()).get("type").asText())
                .containsOnly("im.topic.destroyed");
    }

    @Test
    void aRepeatedCallbackSendsTheErpNothingAndAPartlyKnownOneOnlyItsNewTopics() throws Exception {
        String group = "@TGS#_@TGS#erpRepeat";
        assertThat(im.callback(TOPIC_DESTROYED, ImBackend.topicCallback(group, "a", "b")).body()).isEqualTo(OK_REPLY);
        awaitErpDocuments(1);

        assertThat(im.callback(TOPIC_DESTROYED, ImBackend.topicCallback(group, "a", "b")).body()).isEqualTo(OK_REPLY);
        assertThat(im.callback(TOPIC_DESTROYED, ImBackend.topicCallback(group, "b", "c")).body()).isEqualTo(OK_REPLY);

        List<LoggedRequest> documents = awaitErpDocuments(2);
        JsonNode second = JSON.readTree(documents.get(1).getBodyAsString());
        assertThat(second.get("topic_count").asInt()).isEqualTo(1);
        assertThat(second.get("topic_ids").asText()).isEqualTo(group + "@TOPIC#_c");
        awaitCrmRequests(3);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE target = 'erp' AND group_id = ?",
                Long.class, group)).isEqualTo(2);
    }

    @Test
    void quotesAndBackslashesInIdsStayValidJsonInTheErpDocument() throws Exception {
        String group = "@TGS#_q\"uote\\back";
        ObjectNode callback = JSON.createObjectNode()
                .put("CallbackCommand", TOPIC_DESTROYED).put("GroupId", group).put("Type", "Com\"munity");
        callback.putArray("TopicIdList").add(group + "@TOPIC#_\"},\"injected\":\"1");
        assertThat(im.callback(TOPIC_DESTROYED, JSON.writeValueAsString(callback)).body()).isEqualTo(OK_REPLY);

        JsonNode erp = JSON.readTree(awaitErpDocuments(1).get(0).getBodyAsString());
        assertThat(erp.get("group_id").asText()).isEqualTo(group);
        assertThat(erp.get("group_type").asText()).isEqualTo("Com\"munity");
        assertThat(erp.get("topic_ids").asText()).isEqualTo(group + "@TOPIC#_\"},\"injected\":\"1");
        assertThat(erp.has("injected")).isFalse();
    }

    @Test
    void aDestroyedGroupIsNotForTheErpButStillReachesTheStandardTarget() throws Exception {
        String body = "{\"CallbackCommand\":\"" + GROUP_DESTROYED + "\",\"GroupId\":\"@TGS#_erpGroup\",\"Type\":\"Community\","
                + "\"Owner_Account\":\"owner\",\"EventTime\":1700000000000}";
        assertThat(im.callback(GROUP_DESTROYED, body).body()).isEqualTo(OK_REPLY);

        assertThat(JSON.readTree(awaitCrmRequests(1).get(0).getBodyAsString()).get("type").asText())
                .isEqualTo("im.group.destroyed");
        assertThat(database.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE target = 'erp' AND group_id = ?",
                Long.class, "@TGS#_erpGroup")).isZero();
        assertThat(TARGETS.findAll(postRequestedFor(urlEqualTo("/erp")))).isEmpty();
    }

    private static List<LoggedRequest> awaitErpDocuments(int count) {
        return awaitRequests("/erp", count);
    }

    private static List<LoggedRequest> awaitCrmRequests(int count) {
        return awaitRequests("/crm", count);
    }

    /** Waits for {@code count} POSTs to {@code path}, then requires exactly that many. */
    private static List<LoggedRequest> awaitRequests(String path, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> TARGETS.findAll(postRequestedFor(urlEqualTo(path))).size() >= count);
        List<LoggedRequest> requests = TARGETS.findAll(postRequestedFor(urlEqualTo(path)));
        assertThat(requests).hasSize(count);
        return requests;
    }
}
