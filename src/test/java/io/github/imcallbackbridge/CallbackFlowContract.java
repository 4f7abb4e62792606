package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.github.imcallbackbridge.support.ImBackend.GROUP_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.SDK_APP_ID;
import static io.github.imcallbackbridge.support.ImBackend.SEED_CALLBACK;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.imcallbackbridge.support.ImBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The callback protocol, end to end: the application on a random port, real HTTP in and out, a real
 * database (H2 or PostgreSQL, chosen by the subclass) and WireMock as the CRM.
 */
abstract class CallbackFlowContract extends RunningBridge {

    ImBackend im;

    /**
     * The recording deadline is raised out of reach here: what happens when the database is too slow (the journal
     * answers OK) is {@link DatabaseOutageContract}'s subject. Here every callback is recorded to its end, so a
     * loaded machine cannot turn a refused callback's 500 into a journaled OK.
     */
    static void bridgeProperties(DynamicPropertyRegistry registry, Map<String, String> datasource) {
        bridgeProperties(registry, datasource, Map.of("callback.deadline-ms", "60000"));
    }

    @BeforeEach
    void crmIsHealthy() {
        CRM.resetAll();
        CRM.stubFor(post("/crm").willReturn(ok()));
        im = new ImBackend(port);
    }

    @AfterAll
    static void quietCrm() {
        CRM.resetAll();
    }

    @Test
    void withoutAnAdminTokenTheAdminApiIsOff() throws Exception {
        DeliveryContract.assertProblem(im.send("GET", "/admin/deliveries"), 404, "the admin API is off: set ADMIN_TOKEN");
        DeliveryContract.assertProblem(im.send("POST", "/admin/deliveries/1/replay"), 404, "the admin API is off");
        DeliveryContract.assertProblem(im.send("GET", "/console"), 404, "the admin API is off");
        DeliveryContract.assertProblem(im.send("GET", "/console/console.js"), 404, "the admin API is off");
    }

    @Test
    void theSeedCallbackIsRecordedForwardedAndAnsweredOkAndARepeatChangesNothing() throws Exception {
        HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, SEED_CALLBACK);

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(OK_REPLY);
        assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertInOnePiece(reply);

        String group = "@TGS#_@TGS#cQVLVHIM62CJ";
        List<Map<String, Object>> topics = database.queryForList(
                "SELECT topic_id, group_id, group_type, sdk_app_id, event_id, received_at FROM im_topic_destroyed"
                        + " WHERE group_id = ? ORDER BY topic_id", group);
        assertThat(topics).extracting(row -> row.get("topic_id")).containsExactly(
                "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic", "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1");
        assertThat(topics).allSatisfy(row -> {
            assertThat(row.get("group_type")).isEqualTo("Community");
            assertThat(row.get("sdk_app_id")).isEqualTo(SDK_APP_ID);
            assertThat(row.get("received_at")).isNotNull();
        });
        List<Map<String, Object>> callbacks = database.queryForList(
                "SELECT callback_command, sdk_app_id, client_ip, opt_platform, raw_body FROM im_callback"
                        + " WHERE callback_id IN (SELECT callback_id FROM im_topic_destroyed WHERE group_id = ?)", group);
        assertThat(callbacks).hasSize(1);
        assertThat(callbacks.get(0)).containsEntry("callback_command", TOPIC_DESTROYED)
                .containsEntry("sdk_app_id", SDK_APP_ID)
                .containsEntry("client_ip", "203.0.113.7")
                .containsEntry("opt_platform", "RESTAPI");
        assertThat(text(callbacks.get(0).get("raw_body"))).isEqualTo(SEED_CALLBACK);

        List<LoggedRequest> webhooks = awaitWebhooks(group, 2);
        Map<String, String> idByTopic = new LinkedHashMap<>();
        for (LoggedRequest webhook : webhooks) {
            JsonNode event = JSON.readTree(webhook.getBodyAsString());
            assertThat(event.get("type").asText()).isEqualTo("im.topic.destroyed");
            assertThat(event.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
            JsonNode data = event.get("data");
            assertThat(data.get("sdkAppId").asText()).isEqualTo(SDK_APP_ID);
            assertThat(data.get("groupId").asText()).isEqualTo(group);
            assertThat(data.get("groupType").asText()).isEqualTo("Community");
            assertThat(webhook.getHeader("Content-Type")).startsWith("application/json");
            idByTopic.put(data.get("topicId").asText(), webhook.getHeader("webhook-id"));
        }
        assertThat(idByTopic.keySet()).containsExactlyInAnyOrder(
                "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic", "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1");
        assertThat(Set.copyOf(idByTopic.values())).hasSize(2).doesNotContainNull();
        for (Map<String, Object> topic : topics) {
            assertThat(idByTopic.get((String) topic.get("topic_id"))).isEqualTo(topic.get("event_id"));
        }
        awaitAllDelivered(group);

        HttpResponse<String> repeat = im.callback(TOPIC_DESTROYED, SEED_CALLBACK);

        assertThat(repeat.statusCode()).isEqualTo(200);
        assertThat(repeat.body()).isEqualTo(OK_REPLY);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = ?", Long.class, group))
                .isEqualTo(2);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback WHERE raw_body LIKE ?", Long.class,
                "%" + group + "%")).isEqualTo(1);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE payload LIKE ?", Long.class,
                "%" + group + "%")).isEqualTo(2);
        awaitLaterCallbackForwarded();
        assertThat(webhooksFor(group)).hasSize(2);
    }

    static Stream<Arguments> callbacksForAnotherApplication() {
        Map<String, String> wrong = ImBackend.standardQuery(TOPIC_DESTROYED);
        wrong.put("SdkAppid", "1400999999");
        Map<String, String> missing = ImBackend.standardQuery(TOPIC_DESTROYED);
        missing.remove("SdkAppid");
        Map<String, String> empty = ImBackend.standardQuery(TOPIC_DESTROYED);
        empty.put("SdkAppid", "");
        return Stream.of(
                Arguments.of("another app's SdkAppid", ImBackend.encode(wrong), Map.of()),
                Arguments.of("no SdkAppid", ImBackend.encode(missing), Map.of()),
                Arguments.of("an empty SdkAppid", ImBackend.encode(empty), Map.of()),
                Arguments.of("SdkAppid only as an HTTP header", ImBackend.encode(missing), Map.of("SdkAppid", SDK_APP_ID)),
                Arguments.of("another app's SdkAppid with ours in a header", ImBackend.encode(wrong),
                        Map.of("SdkAppid", SDK_APP_ID)));
    }

    @ParameterizedTest(name = "{0}: 403")
    @MethodSource("callbacksForAnotherApplication")
    void callbacksNotForThisApplicationAreRefused(String description, String query, Map<String, String> headers) throws Exception {
        String group = newGroupId();
        Map<String, String> allHeaders = new LinkedHashMap<>(headers);
        allHeaders.put("Content-Type", "application/json");

        HttpResponse<String> reply = im.post("/im/callback?" + query, topicCallback(group, "a", "b"), allHeaders);

        assertThat(reply.statusCode()).isEqualTo(403);
        assertFail(reply, 403, "SdkAppid");
        assertInOnePiece(reply);
        assertNothingRecordedOrSent(group);
    }

    static Stream<Arguments> invalidTopicCallbacks() {
        String g = "@TGS#_@TGS#invalid";
        String ok = "\"" + g + "@TOPIC#_ok\"";
        String command = "\"CallbackCommand\":\"" + TOPIC_DESTROYED + "\"";
        return Stream.of(
                Arguments.of("body is not JSON", "CallbackCommand=" + TOPIC_DESTROYED, "not valid JSON"),
                Arguments.of("truncated JSON", "{" + command + ",\"GroupId\":\"" + g, "not valid JSON"),
                Arguments.of("JSON array", "[" + ok + "]", "JSON object"),
                Arguments.of("empty body", "", "empty"),
                Arguments.of("CallbackCommand missing from body",
                        "{\"GroupId\":\"" + g + "\",\"TopicIdList\":[" + ok + "]}", "CallbackCommand"),
                Arguments.of("CallbackCommand differs from the query's",
                        "{\"CallbackCommand\":\"Group.CallbackAfterGroupDestroyed\",\"GroupId\":\"" + g
                                + "\",\"TopicIdList\":[" + ok + "]}", "CallbackCommand"),
                Arguments.of("GroupId missing", "{" + command + ",\"TopicIdList\":[" + ok + "]}", "GroupId"),
                Arguments.of("GroupId empty", "{" + command + ",\"GroupId\":\"\",\"TopicIdList\":[\"@TOPIC#_x\"]}", "GroupId"),
                Arguments.of("GroupId a number", "{" + command + ",\"GroupId\":12,\"TopicIdList\":[\"12@TOPIC#_x\"]}", "GroupId"),
                Arguments.of("TopicIdList missing", "{" + command + ",\"GroupId\":\"" + g + "\"}", "TopicIdList"),
                Arguments.of("TopicIdList empty", "{" + command + ",\"GroupId\":\"" + g + "\",\"TopicIdList\":[]}", "TopicIdList"),
                Arguments.of("TopicIdList a string", "{" + command + ",\"GroupId\":\"" + g + "\",\"TopicIdList\":" + ok + "}",
                        "TopicIdList"),
                Arguments.of("TopicIdList with a number",
                        "{" + command + ",\"GroupId\":\"" + g + "\",\"TopicIdList\":[" + ok + ",7]}", "TopicIdList[1]"),
                Arguments.of("TopicIdList with null",
                        "{" + command + ",\"GroupId\":\"" + g + "\",\"TopicIdList\":[null]}", "TopicIdList[0]"),
                Arguments.of("topic ID over 96 bytes", "{" + command + ",\"GroupId\":\"" + g + "\",\"TopicIdList\":[\""
                        + g + "@TOPIC#_" + "x".repeat(96 - g.length() - 8 + 1) + "\"]}", "96 bytes"),
                Arguments.of("topic ID of another group", "{" + command + ",\"GroupId\":\"" + g
                        + "\",\"TopicIdList\":[\"@TGS#_@TGS#other@TOPIC#_x\"]}", "TopicIdList[0]"),
                Arguments.of("topic ID without a suffix", "{" + command + ",\"GroupId\":\"" + g
                        + "\",\"TopicIdList\":[\"" + g + "@TOPIC#_\"]}", "TopicIdList[0]"),
                Arguments.of("one bad topic among good ones", "{" + command + ",\"GroupId\":\"" + g
                        + "\",\"TopicIdList\":[" + ok + ",\"" + g + "@TOPIC#_two\",\"elsewhere\"]}", "TopicIdList[2]"));
    }

    @ParameterizedTest(name = "{0}: 400")
    @MethodSource("invalidTopicCallbacks")
    void invalidTopicCallbacksAreRejectedWholeNamingTheProblem(String description, String body, String named)
            throws Exception {
        long before = count("im_topic_destroyed") + count("im_callback") + count("webhook_delivery");

        HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, body);

        assertThat(reply.statusCode()).isEqualTo(400);
        assertFail(reply, 400, named);
        assertInOnePiece(reply);
        assertThat(count("im_topic_destroyed") + count("im_callback") + count("webhook_delivery")).isEqualTo(before);
        assertNothingRecordedOrSent("@TGS#_@TGS#invalid");
    }

    @Test
    void aCallbackIsRecordedWholeOrNotAtAll() throws Exception {
        // The database refuses the outbox row of one topic: the whole callback must roll back.
        String group = newGroupId();
        database.execute("ALTER TABLE webhook_delivery ADD CONSTRAINT refuse_poison CHECK (payload NOT LIKE '%poison%')");
        try {
            assertRolledBackWhole(im.callback(TOPIC_DESTROYED, topicCallback(group, "fine", "poison", "later")), group);
        } finally {
            database.execute("ALTER TABLE webhook_delivery DROP CONSTRAINT refuse_poison");
        }

        assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "fine", "poison", "later")).body()).isEqualTo(OK_REPLY);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = ?", Long.class, group))
                .isEqualTo(3);
    }

    @Test
    void aThousandTopicCallbackIsRecordedAndQueuedInOneTransactionOrNotAtAll() throws Exception {
        String group = newGroupId();
        String[] topics = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "t" + i).toArray(String[]::new);
        // the database refuses the outbox row of the 501st topic: the 500 topics before it roll back too
        database.execute("ALTER TABLE webhook_delivery ADD CONSTRAINT refuse_t500 CHECK (payload NOT LIKE '%@TOPIC#_t500\"%')");
        try {
            assertRolledBackWhole(im.callback(TOPIC_DESTROYED, topicCallback(group, topics)), group);
        } finally {
            database.execute("ALTER TABLE webhook_delivery DROP CONSTRAINT refuse_t500");
        }

        HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, topicCallback(group, topics));

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(OK_REPLY);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = ?", Long.class, group))
                .isEqualTo(1000);
        assertThat(database.queryForObject("SELECT COUNT(DISTINCT callback_id) FROM im_topic_destroyed WHERE group_id = ?",
                Long.class, group)).as("one callback recorded them all").isEqualTo(1);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE group_id = ?", Long.class, group))
                .isEqualTo(1000);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback WHERE raw_body LIKE ?", Long.class,
                "%" + group + "%")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> webhooksFor(group).size() >= 1000);
        assertThat(webhooksFor(group).stream().map(r -> r.getHeader("webhook-id")).distinct().count()).isEqualTo(1000);

        assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, topics)).body()).as("a repeat changes nothing")
                .isEqualTo(OK_REPLY);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE group_id = ?", Long.class, group))
                .isEqualTo(1000);
    }

    @Test
    void concurrentCopiesOfOneCallbackRecordEachTopicOnce() throws Exception {
        String group = newGroupId();
        String body = topicCallback(group, "a", "b", "c");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<HttpResponse<String>>> replies = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                replies.add(pool.submit(() -> im.callback(TOPIC_DESTROYED, body)));
            }
            for (java.util.concurrent.Future<HttpResponse<String>> reply : replies) {
                assertThat(reply.get().statusCode()).isEqualTo(200);
                assertThat(reply.get().body()).isEqualTo(OK_REPLY);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = ?", Long.class, group))
                .isEqualTo(3);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE payload LIKE ?", Long.class,
                "%" + group + "%")).isEqualTo(3);
        awaitWebhooks(group, 3);
    }

    @Test
    void aCallbackRepeatingPartOfAnEarlierOneRecordsAndForwardsOnlyItsNewTopics() throws Exception {
        String group = newGroupId();
        assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "a", "b", "c")).body()).isEqualTo(OK_REPLY);
        awaitWebhooks(group, 3);

        HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, topicCallback(group, "b", "d", "c", "e"));

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(OK_REPLY);
        assertThat(database.queryForList("SELECT topic_id FROM im_topic_destroyed WHERE group_id = ? ORDER BY topic_id",
                String.class, group)).containsExactly(group + "@TOPIC#_a", group + "@TOPIC#_b", group + "@TOPIC#_c",
                        group + "@TOPIC#_d", group + "@TOPIC#_e");
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback WHERE raw_body LIKE ?", Long.class,
                "%" + group + "%")).isEqualTo(2);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE payload LIKE ?", Long.class,
                "%" + group + "%")).isEqualTo(5);
        List<LoggedRequest> webhooks = awaitWebhooks(group, 5);
        List<String> topicsSent = new java.util.ArrayList<>();
        for (LoggedRequest webhook : webhooks) {
            topicsSent.add(JSON.readTree(webhook.getBodyAsString()).get("data").get("topicId").asText());
        }
        assertThat(topicsSent).containsExactlyInAnyOrder(group + "@TOPIC#_a", group + "@TOPIC#_b",
                group + "@TOPIC#_c", group + "@TOPIC#_d", group + "@TOPIC#_e");
    }

    /** Type is optional in the protocol: without it the topics are recorded (no group type) and forwarded all the same. */
    @Test
    void aTopicCallbackWithoutTypeIsRecordedAndForwarded() throws Exception {
        String group = newGroupId();
        String body = topicCallback(group, "a", "b").replace("\"Type\":\"Community\",", "");
        assertThat(body).doesNotContain("Type\"");

        HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, body);

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(OK_REPLY);
        assertThat(database.queryForList("SELECT topic_id || ' ' || COALESCE(group_type, '-') FROM im_topic_destroyed"
                + " WHERE group_id = ? ORDER BY topic_id", String.class, group))
                .containsExactly(group + "@TOPIC#_a -", group + "@TOPIC#_b -");
        awaitWebhooks(group, 2);
    }

    @ParameterizedTest(name = "EventTime as {0}")
    @ValueSource(strings = {"number", "string"})
    void groupDestructionIsRecordedAndForwarded(String eventTimeAs) throws Exception {
        String group = "@TGS#2" + UUID.randomUUID().toString().substring(0, 8);
        String eventTime = "number".equals(eventTimeAs) ? "1670574414123" : "\"1670574414123\"";
        String body = "{\"CallbackCommand\":\"" + GROUP_DESTROYED + "\",\"GroupId\":\"" + group
                + "\",\"Type\":\"Public\",\"Owner_Account\":\"leckie\",\"Operator_Account\":\"admin\","
                + "\"Name\":\"MyFirstGroup\",\"MemberList\":[{\"Member_Account\":\"bob\"}],\"EventTime\":" + eventTime + "}";

        HttpResponse<String> reply = im.callback(GROUP_DESTROYED, body);

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(OK_REPLY);
        Map<String, Object> row = database.queryForMap(
                "SELECT group_type, owner_account, operator_account, name, event_time, sdk_app_id, event_id"
                        + " FROM im_group_destroyed WHERE group_id = ?", group);
        assertThat(row).containsEntry("group_type", "Public").containsEntry("owner_account", "leckie")
                .containsEntry("operator_account", "admin").containsEntry("name", "MyFirstGroup")
                .containsEntry("sdk_app_id", SDK_APP_ID);
        assertThat(((Number) row.get("event_time")).longValue()).isEqualTo(1670574414123L);

        LoggedRequest webhook = awaitWebhooks(group, 1).get(0);
        JsonNode event = JSON.readTree(webhook.getBodyAsString());
        assertThat(event.get("type").asText()).isEqualTo("im.group.destroyed");
        assertThat(event.get("data").get("groupId").asText()).isEqualTo(group);
        assertThat(event.get("data").get("eventTime").asLong()).isEqualTo(1670574414123L);
        assertThat(webhook.getHeader("webhook-id")).isEqualTo(row.get("event_id"));

        assertThat(im.callback(GROUP_DESTROYED, body).body()).isEqualTo(OK_REPLY);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_group_destroyed WHERE group_id = ?",
                Long.class, group)).isEqualTo(1);
    }

    @Test
    void otherCommandsAreAcknowledgedAndNotRecorded() throws Exception {
        long before = count("im_callback");
        String body = "{\"CallbackCommand\":\"Group.CallbackAfterNewMemberJoin\",\"GroupId\":\"@TGS#1x\"}";

        HttpResponse<String> reply = im.callback("Group.CallbackAfterNewMemberJoin", body);

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(OK_REPLY);
        assertThat(count("im_callback")).isEqualTo(before);
        assertNothingRecordedOrSent("@TGS#1x");
    }

    @Test
    void theReplyIsOkAndFastWhileTheCrmFailsAndTheTopicIsDeliveredOnceItRecovers() throws Exception {
        CRM.resetAll();
        CRM.stubFor(post("/crm").willReturn(aResponse().withStatus(500)));
        String group = newGroupId();

        HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, topicCallback(group, "flaky"));

        assertThat(reply.body()).isEqualTo(OK_REPLY);
        await().atMost(Duration.ofSeconds(20)).until(() -> webhooksFor(group).size() >= 2);
        assertThat(deliveryStatus(group)).isEqualTo("PENDING");

        CRM.stubFor(post("/crm").willReturn(ok()));

        await().atMost(Duration.ofSeconds(20)).until(() -> "DELIVERED".equals(deliveryStatus(group)));
        List<LoggedRequest> attempts = webhooksFor(group);
        assertThat(attempts.stream().map(r -> r.getHeader("webhook-id")).distinct()).hasSize(1);
        assertThat(database.queryForObject("SELECT attempts FROM webhook_delivery WHERE payload LIKE ?",
                Integer.class, "%" + group + "%")).isEqualTo(attempts.size());
    }

    @Test
    void aSlowCrmDoesNotDelayTheReply() {
        CRM.resetAll();
        CRM.stubFor(post("/crm").willReturn(ok().withFixedDelay(8000)));
        String group = newGroupId();

        HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, topicCallback(group, "slow"));

        assertThat(reply.body()).isEqualTo(OK_REPLY);
        // the CRM holds every request for 8 s: a reply that had waited for it would find the delivery DELIVERED
        assertThat(deliveryStatus(group + "@TOPIC#_slow")).as("the delivery when the reply came").isEqualTo("PENDING");
        await().atMost(Duration.ofSeconds(30)).until(() -> !CRM.findAll(postRequestedFor(urlEqualTo("/crm"))).isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> "DELIVERED".equals(deliveryStatus(group + "@TOPIC#_slow")));
    }

    @ParameterizedTest(name = "{0} is not allowed")
    @ValueSource(strings = {"GET", "PUT", "DELETE"})
    void onlyPostIsAllowed(String method) {
        assertThat(im.send(method, "/im/callback?" + ImBackend.encode(ImBackend.standardQuery(TOPIC_DESTROYED)))
                .statusCode()).isEqualTo(405);
    }

    @ParameterizedTest(name = "JSON labelled {0} is accepted")
    @ValueSource(strings = {"application/x-www-form-urlencoded", "text/plain", "application/json; charset=UTF-8", "(none)"})
    void aJsonBodyIsAcceptedWhateverItsDeclaredType(String contentType) {
        String group = newGroupId();
        HttpResponse<String> reply = im.post(
                "/im/callback?" + ImBackend.encode(ImBackend.standardQuery(TOPIC_DESTROYED)),
                topicCallback(group, "typed"), "(none)".equals(contentType) ? Map.of() : Map.of("Content-Type", contentType));

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(OK_REPLY);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = ?",
                Long.class, group)).isEqualTo(1);
    }

    // --- helpers ------------------------------------------------------------------------------------

    static String newGroupId() {
        return "@TGS#_@TGS#" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    long count(String table) {
        return database.queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
    }

    String deliveryStatus(String payloadFragment) {
        List<String> statuses = database.queryForList(
                "SELECT status FROM webhook_delivery WHERE payload LIKE ?", String.class, "%" + payloadFragment + "%");
        return statuses.size() == 1 ? statuses.get(0) : "rows: " + statuses;
    }

    void awaitAllDelivered(String group) {
        await().atMost(Duration.ofSeconds(10)).until(() -> database.queryForObject(
                "SELECT COUNT(*) FROM webhook_delivery WHERE status <> 'DELIVERED' AND payload LIKE ?", Long.class,
                "%" + group + "%") == 0);
    }

    static List<LoggedRequest> webhooksFor(String fragment) {
        return CRM.findAll(postRequestedFor(urlEqualTo("/crm")).withRequestBody(containing(fragment)));
    }

    static List<LoggedRequest> awaitWebhooks(String group, int expected) {
        await().atMost(Duration.ofSeconds(10)).until(() -> webhooksFor(group).size() >= expected);
        List<LoggedRequest> received = webhooksFor(group);
        assertThat(received).hasSize(expected);
        return received;
    }

    /** A 500 FAIL that says nothing was stored, and indeed no row of the callback and no webhook. */
    void assertRolledBackWhole(HttpResponse<String> reply, String group) throws Exception {
        assertThat(reply.statusCode()).isEqualTo(500);
        assertFail(reply, 500, "nothing was stored");
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback WHERE raw_body LIKE ?", Long.class,
                "%" + group + "%")).isZero();
        assertNothingRecordedOrSent(group);
    }

    void assertNothingRecordedOrSent(String group) {
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = ?", Long.class, group))
                .isZero();
        assertThat(database.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE payload LIKE ?", Long.class,
                "%" + group + "%")).isZero();
        awaitLaterCallbackForwarded();
        assertThat(webhooksFor(group)).isEmpty();
    }

    /**
     * Records a callback of a fresh group and waits for its webhook: outbox rows are claimed oldest first, so
     * anything queued before it has been sent by then.
     */
    void awaitLaterCallbackForwarded() {
        String marker = newGroupId();
        assertThat(im.callback(TOPIC_DESTROYED, topicCallback(marker, "later")).body()).isEqualTo(OK_REPLY);
        awaitWebhooks(marker, 1);
    }

    static void assertFail(HttpResponse<String> reply, int errorCode, String infoMentions) throws Exception {
        assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode body = JSON.readTree(reply.body());
        assertThat(body.get("ActionStatus").asText()).isEqualTo("FAIL");
        assertThat(body.get("ErrorCode").asInt()).isEqualTo(errorCode);
        assertThat(body.get("ErrorInfo").asText()).contains(infoMentions);
        assertThat(reply.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** A reply with its Content-Length (written at once), not chunked. */
    static void assertInOnePiece(HttpResponse<String> reply) {
        assertThat(reply.headers().firstValue("Transfer-Encoding")).isEmpty();
        assertThat(reply.headers().firstValue("Content-Length"))
                .hasValue(String.valueOf(reply.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
    }

    static String text(Object column) throws Exception {
        if (column instanceof java.sql.Clob clob) {
            return clob.getSubString(1, (int) clob.length());
        }
        return (String) column;
    }
}
