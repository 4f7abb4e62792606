package io.github.imcallbackbridge;

import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.imcallbackbridge.support.StandardWebhooks;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.EmbeddedKafka;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A target on a Camel endpoint rather than HTTP: Kafka, a real broker inside the test JVM. The event is the
 * record's value, its webhook-id the record's key and a header, with the other Standard Webhooks headers; the
 * outbox's guarantees hold as for a webhook: while the broker is down the attempts fail and are retried, and
 * once it is back every event arrives, once.
 */
class KafkaTargetTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() throws Exception {
        kafka = new EmbeddedKafka(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    @Test
    void eventsAreRecordsKeyedByWebhookIdAndABrokerDownForAWhileLosesAndRepeatsNothing() throws Exception {
        String topic = "im-events-" + UUID.randomUUID().toString().substring(0, 8);
        // the producer gives up on an attempt within 3 s; the outbox schedules the next one
        String url = "kafka:" + topic + "?brokers=" + kafka.bootstrapServers()
                + "&requestTimeoutMs=2000&deliveryTimeoutMs=3000&maxBlockMs=2000&lingerMs=0";
        try (ConfigurableApplicationContext bridge = BridgeLauncher.start(TestDatabases.h2InMemory(), 0, "http://127.0.0.1:9/unused",
                Map.of("webhook.targets", "events", "webhook.target.events.url", url,
                        "webhook.target.events.secret", SECRET))) {
            ImBackend im = new ImBackend(BridgeLauncher.port(bridge));
            JdbcTemplate jdbc = bridge.getBean(JdbcTemplate.class);
            String group = "@TGS#_@TGS#kafka" + UUID.randomUUID().toString().substring(0, 6);
            assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "k1", "k2")).body()).isEqualTo(OK_REPLY);
            await().atMost(Duration.ofSeconds(30)).until(() -> delivered(jdbc, group) == 2);

            List<ConsumerRecord<String, String>> first = kafka.recordsUntil(topic, group + "@TOPIC#_k2");
            assertThat(first).hasSize(2);
            for (ConsumerRecord<String, String> record : first) {
                JsonNode event = JSON.readTree(record.value());
                assertThat(event.get("type").asText()).isEqualTo("im.topic.destroyed");
                assertThat(event.at("/data/groupId").asText()).isEqualTo(group);
                String id = header(record, "webhook-id");
                assertThat(record.key()).as("the record's key is the webhook-id").isEqualTo(id);
                assertThat(id).isEqualTo(jdbc.queryForObject("SELECT event_id FROM webhook_delivery WHERE payload = ?",
                        String.class, record.value()));
                assertThat(header(record, "webhook-signature")).isEqualTo(StandardWebhooks.signature(
                        SECRET, id, header(record, "webhook-timestamp"), record.value()));
            }

            kafka.stop();
            String whileDown = "@TGS#_@TGS#kafkadown" + UUID.randomUUID().toString().substring(0, 6);
            assertThat(im.callback(TOPIC_DESTROYED, topicCallback(whileDown, "d1", "d2", "d3")).body())
                    .as("callbacks are still acknowledged: the outbox holds their events").isEqualTo(OK_REPLY);
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                    "SELECT COUNT(*) FROM webhook_delivery WHERE group_id = ? AND attempts > 0 AND status = 'PENDING'",
                    Long.class, whileDown) == 3);
            kafka.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> delivered(jdbc, whileDown) == 3);

            String marker = "@TGS#_@TGS#kafkalast" + UUID.randomUUID().toString().substring(0, 6);
            assertThat(im.callback(TOPIC_DESTROYED, topicCallback(marker, "m")).body()).isEqualTo(OK_REPLY);
            List<ConsumerRecord<String, String>> all = kafka.recordsUntil(topic, marker);
            List<String> ofOutage = all.stream().filter(r -> r.value().contains(whileDown)).map(ConsumerRecord::key).toList();
            assertThat(ofOutage).as("every event of the outage, once").hasSize(3).doesNotHaveDuplicates();
            assertThat(jdbc.queryForObject("SELECT MIN(attempts) FROM webhook_delivery WHERE group_id = ?", Integer.class,
                    whileDown)).as("attempted while the broker was down, then delivered").isGreaterThanOrEqualTo(2);
        }
    }

    static long delivered(JdbcTemplate jdbc, String group) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE group_id = ? AND status = 'DELIVERED'",
                Long.class, group);
    }

    static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
