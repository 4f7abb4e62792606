package io.github.imcallbackbridge.bench.yardstick;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The yardstick: what a developer would write by hand for Group.CallbackAfterTopicDestroyed, with the
 * bridge's semantics and none of its framework. Spring MVC + JdbcTemplate: SdkAppid from the query string,
 * Jackson validation of the body, one transaction per callback (each topic inserted with ON CONFLICT DO
 * NOTHING, one outbox row per new topic, the callback row when something was new), then OK; four delivery
 * threads claim outbox rows with FOR UPDATE SKIP LOCKED and POST them. Written plainly, one statement per
 * row, as such code usually is. Not part of the product.
 */
@SpringBootApplication
@RestController
public class HandWrittenReceiver implements CommandLineRunner {

    private static final String OK = "{\"ActionStatus\":\"OK\",\"ErrorInfo\":\"\",\"ErrorCode\":0}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final String sdkAppId;
    private final String targetUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    HandWrittenReceiver(JdbcTemplate jdbc, TransactionTemplate tx, @Value("${im.sdkappid:1400000000}") String sdkAppId,
                        @Value("${webhook.url}") String targetUrl) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.sdkAppId = sdkAppId;
        this.targetUrl = targetUrl;
    }

    public static void main(String[] args) {
        SpringApplication.run(HandWrittenReceiver.class, args);
    }

    @PostMapping(path = "/im/callback", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> callback(HttpServletRequest request, @RequestBody(required = false) byte[] body) {
        Map<String, String> query = query(request.getQueryString());
        if (!sdkAppId.equals(query.get("SdkAppid"))) {
            return fail(403, "SdkAppid in the callback URL is missing or is not this application's SDKAppID");
        }
        String command = query.get("CallbackCommand");
        JsonNode callback;
        try {
            callback = JSON.readTree(body);
        } catch (Exception e) {
            return fail(400, "the request body is not valid JSON");
        }
        if (callback == null || !callback.isObject() || !callback.path("CallbackCommand").asText("").equals(command)) {
            return fail(400, "CallbackCommand in the body must equal the CallbackCommand query parameter");
        }
        String groupId = callback.path("GroupId").asText("");
        JsonNode topics = callback.get("TopicIdList");
        if (groupId.isEmpty() || topics == null || !topics.isArray() || topics.isEmpty()) {
            return fail(400, "GroupId and TopicIdList are required");
        }
        List<String> topicIds = new ArrayList<>();
        for (JsonNode topic : topics) {
            String id = topic.asText("");
            if (!topic.isTextual() || id.getBytes(StandardCharsets.UTF_8).length > 96 || !id.startsWith(groupId + "@TOPIC#_")) {
                return fail(400, "TopicIdList holds an invalid topic ID");
            }
            topicIds.add(id);
        }
        String groupType = callback.path("Type").asText(null);
        String callbackId = UUID.randomUUID().toString();
        Timestamp now = Timestamp.from(Instant.now());
        String raw = new String(body, StandardCharsets.UTF_8);
        tx.executeWithoutResult(status -> {
            int recorded = 0;
            for (String topicId : topicIds) {
                String eventId = "evt_" + UUID.randomUUID().toString().replace("-", "");
                if (jdbc.update("INSERT INTO im_topic_destroyed (topic_id, group_id, group_type, sdk_app_id, event_id,"
                        + " callback_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        topicId, groupId, groupType, sdkAppId, eventId, callbackId, now) == 1) {
                    recorded++;
                    jdbc.update("INSERT INTO webhook_delivery (event_id, payload, status, created_at) VALUES (?, ?, 'PENDING', ?)",
                            eventId, payload(eventId, groupId, groupType, topicId), now);
                }
            }
            if (recorded > 0) {
                jdbc.update("INSERT INTO im_callback (callback_id, callback_command, sdk_app_id, raw_body, received_at)"
                        + " VALUES (?, ?, ?, ?, ?)", callbackId, command, sdkAppId, raw, now);
            }
        });
        return ResponseEntity.ok(OK);
    }

    private String payload(String eventId, String groupId, String groupType, String topicId) {
        ObjectNode event = JSON.createObjectNode().put("type", "im.topic.destroyed").put("timestamp", Instant.now().toString());
        event.putObject("data").put("sdkAppId", sdkAppId).put("groupId", groupId).put("groupType", groupType).put("topicId", topicId);
        return event.toString();
    }

    private static ResponseEntity<String> fail(int status, String info) {
        ObjectNode reply = JSON.createObjectNode().put("ActionStatus", "FAIL").put("ErrorCode", status).put("ErrorInfo", info);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(reply.toString());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.putIfAbsent(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    /** The schema, and four delivery threads. */
    @Override
    public void run(String... args) {
        jdbc.execute("CREATE TABLE IF NOT EXISTS im_callback (callback_id VARCHAR(36) PRIMARY KEY, callback_command VARCHAR(128),"
                + " sdk_app_id VARCHAR(32), raw_body TEXT, received_at TIMESTAMPTZ)");
        jdbc.execute("CREATE TABLE IF NOT EXISTS im_topic_destroyed (topic_id VARCHAR(96) PRIMARY KEY, group_id VARCHAR(96),"
                + " group_type VARCHAR(128), sdk_app_id VARCHAR(32), event_id VARCHAR(64) UNIQUE, callback_id VARCHAR(36),"
                + " received_at TIMESTAMPTZ)");
        jdbc.execute("CREATE TABLE IF NOT EXISTS webhook_delivery (id BIGSERIAL PRIMARY KEY, event_id VARCHAR(64), payload TEXT,"
                + " status VARCHAR(16), created_at TIMESTAMPTZ, delivered_at TIMESTAMPTZ)");
        jdbc.execute("CREATE INDEX IF NOT EXISTS webhook_delivery_pending ON webhook_delivery (status, id)");
        for (int i = 0; i < 4; i++) {
            Thread worker = new Thread(this::deliverForever, "delivery-" + i);
            worker.setDaemon(true);
            worker.start();
        }
    }

    private void deliverForever() {
        while (true) {
            try {
                Integer sent = tx.execute(status -> {
                    List<Map<String, Object>> rows = jdbc.queryForList("SELECT id, event_id, payload FROM webhook_delivery"
                            + " WHERE status = 'PENDING' ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED");
                    for (Map<String, Object> row : rows) {
                        boolean delivered;
                        try {
                            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(targetUrl))
                                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                                    .header("webhook-id", (String) row.get("event_id"))
                                    .POST(HttpRequest.BodyPublishers.ofString((String) row.get("payload"))).build(),
                                    HttpResponse.BodyHandlers.discarding());
                            delivered = response.statusCode() / 100 == 2;
                        } catch (Exception e) {
                            delivered = false;
                        }
                        if (delivered) {
                            jdbc.update("UPDATE webhook_delivery SET status = 'DELIVERED', delivered_at = now() WHERE id = ?", row.get("id"));
                        }
                    }
                    return rows.size();
                });
                if (sent == null || sent == 0) {
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                sleepQuietly();
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
