package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.SDK_APP_ID;
import static io.github.imcallbackbridge.support.ImBackend.SEED_CALLBACK;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.imcallbackbridge.support.ImBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The callback URL is public. Every hostile or broken request gets a 4xx with a FAIL body that says what is
 * wrong, writes no row, sends no webhook, and leaves the application healthy. Callback authentication
 * (token) is on, as it should be in production.
 */
@ExtendWith(OutputCaptureExtension.class)
@AutoConfigureObservability(tracing = false) // metrics exported as in production, so the actuator index is the real one
abstract class HostileInputContract extends RunningBridge {

    static final String TOKEN = "hostile-test-token-7f3a";
    static final int MAX_TOPICS = 100;
    static final int MAX_BODY = 1024 * 1024;
    static final String GROUP = "@TGS#_@TGS#cQVLVHIM62CJ";
    /** A command forwarded as received, for the generic path's fuzzing. */
    static final String FORWARDED = "Group.CallbackAfterNewMemberJoin";
    static final List<String> TABLES = List.of("im_callback", "im_topic_destroyed", "im_group_destroyed", "webhook_delivery");

    ImBackend im;

    static void bridgeProperties(DynamicPropertyRegistry registry, Map<String, String> datasource) {
        bridgeProperties(registry, datasource, Map.of(
                "im.callback-token", TOKEN,
                "callback.max-topics", String.valueOf(MAX_TOPICS),
                "im.callbacks.forward", FORWARDED,
                "webhook.poll-interval-ms", "100",
                // every rejection gets its line, so that each line is checked for secrets (the default
                // interval would leave out repeats of a kind: RejectedCallbackLogTest)
                "callback.rejection-log-interval-seconds", "0"));
    }

    @BeforeEach
    void setUp() {
        // deliveries queued by an earlier test must not arrive during this one
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> database.queryForObject(
                "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'PENDING'", Long.class) == 0);
        CRM.resetAll();
        CRM.stubFor(post("/crm").willReturn(ok()));
        im = new ImBackend(port, TOKEN);
    }

    // --- the table ---------------------------------------------------------------------------------

    /** What came back: status, Content-Type, body. */
    record Reply(int status, String contentType, String body) {
        static Reply of(HttpResponse<String> response) {
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
        }
    }

    /** One hostile request: how to send it, and the status and ErrorInfo fragment it must get. */
    record Hostile(String name, Function<HostileInputContract, Reply> send, int status, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Hostile body(String name, String body, int status, String says) {
        return new Hostile(name, t -> t.http(t.callbackRequest(t.im.query(TOPIC_DESTROYED),
                HttpRequest.BodyPublishers.ofString(body), "application/json")), status, says);
    }

    static Hostile bytes(String name, byte[] body, int status, String says) {
        return new Hostile(name, t -> t.http(t.callbackRequest(t.im.query(TOPIC_DESTROYED),
                HttpRequest.BodyPublishers.ofByteArray(body), "application/json")), status, says);
    }

    static Hostile query(String name, Function<Map<String, String>, String> rawQuery, int status, String says) {
        return new Hostile(name, t -> t.rawPost("/im/callback?" + rawQuery.apply(t.im.query(TOPIC_DESTROYED)), SEED_CALLBACK),
                status, says);
    }

    static Hostile request(String name, String method, String path, int status, String says) {
        return new Hostile(name, t -> t.http(HttpRequest.newBuilder(URI.create(t.base() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(SEED_CALLBACK))
                .header("Content-Type", "application/json").build()), status, says);
    }

    static String topics(String... items) {
        return "{\"CallbackCommand\":\"" + TOPIC_DESTROYED + "\",\"GroupId\":\"" + GROUP
                + "\",\"Type\":\"Community\",\"TopicIdList\":[" + String.join(",", items) + "]}";
    }

    static String topic(String suffix) {
        return "\"" + GROUP + "@TOPIC#_" + suffix + "\"";
    }

    static String withField(String field, String json) {
        return "{\"CallbackCommand\":\"" + TOPIC_DESTROYED + "\",\"GroupId\":\"" + GROUP
                + "\",\"TopicIdList\":[" + topic("ok") + "]," + "\"" + field + "\":" + json + "}";
    }

    static String withGroupId(String json) {
        return "{\"CallbackCommand\":\"" + TOPIC_DESTROYED + "\",\"GroupId\":" + json
                + ",\"TopicIdList\":[\"x@TOPIC#_y\"]}";
    }

    static String withoutSign(Map<String, String> q) {
        q.remove("Sign");
        return ImBackend.encode(q);
    }

    static Stream<Hostile> hostileRequests() {
        byte[] invalidUtf8 = (topics(topic("caf")).replace("caf\"", "caf\u0000\"")).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < invalidUtf8.length; i++) {
            if (invalidUtf8[i] == 0) {
                invalidUtf8[i] = (byte) 0xC3; // a lead byte followed by a quote: malformed UTF-8
            }
        }
        String[] manyTopics = new String[MAX_TOPICS + 1];
        for (int i = 0; i < manyTopics.length; i++) {
            manyTopics[i] = topic("t" + i);
        }
        String huge = topics(topic("x".repeat(MAX_BODY)));
        return Stream.of(
                // broken JSON
                body("malformed JSON", "{\"CallbackCommand\":", 400, "not valid JSON"),
                body("truncated JSON", SEED_CALLBACK.substring(0, SEED_CALLBACK.length() / 2), 400, "not valid JSON"),
                body("JSON array instead of an object", "[" + topic("a") + "]", 400, "JSON object"),
                body("JSON number instead of an object", "42", 400, "JSON object"),
                body("JSON string instead of an object", "\"Group.CallbackAfterTopicDestroyed\"", 400, "JSON object"),
                body("JSON null", "null", 400, "JSON object"),
                body("JSON true", "true", 400, "JSON object"),
                bytes("invalid UTF-8", invalidUtf8, 400, "UTF-8"),
                body("empty body", "", 400, "empty"),
                body("whitespace only", " \n\t ", 400, "empty"),
                body("trailing garbage after the object", SEED_CALLBACK + " xyz", 400, "not valid JSON"),
                body("two objects", SEED_CALLBACK + SEED_CALLBACK, 400, "not valid JSON"),
                body("single quotes", SEED_CALLBACK.replace('"', '\''), 400, "not valid JSON"),
                body("comments as in the specification's example",
                        SEED_CALLBACK.replace("\"Type\": \"Community\",", "\"Type\": \"Community\", // type"), 400, "not valid JSON"),
                // wrong types
                body("TopicIdList a string", "{\"CallbackCommand\":\"" + TOPIC_DESTROYED + "\",\"GroupId\":\"" + GROUP
                        + "\",\"TopicIdList\":" + topic("a") + "}", 400, "TopicIdList"),
                body("TopicIdList with a number", topics(topic("a"), "7"), 400, "TopicIdList[1]"),
                body("TopicIdList with null", topics("null"), 400, "TopicIdList[0]"),
                body("TopicIdList with an object", topics("{\"id\":" + topic("a") + "}"), 400, "TopicIdList[0]"),
                body("TopicIdList with a nested array", topics("[" + topic("a") + "]"), 400, "TopicIdList[0]"),
                body("TopicIdList empty", topics(), 400, "TopicIdList"),
                body("GroupId a number", withGroupId("12345"), 400, "GroupId"),
                body("GroupId an object", withGroupId("{\"id\":\"g\"}"), 400, "GroupId"),
                body("GroupId null", withGroupId("null"), 400, "GroupId"),
                body("Type a number", withField("Type", "3"), 400, "Type"),
                body("Type with a NUL character", withField("Type", "\"Comm\\u0000unity\""), 400, "Type"),
                body("CallbackCommand a number", SEED_CALLBACK.replace("\"Group.CallbackAfterTopicDestroyed\"", "7"),
                        400, "CallbackCommand"),
                // sizes
                body("body over 1 MiB (Content-Length)", huge, 413, "larger than"),
                new Hostile("body over 1 MiB (chunked)", t -> t.http(t.callbackRequest(t.im.query(TOPIC_DESTROYED),
                        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))),
                        "application/json")), 413, "larger than"),
                body("TopicIdList longer than the maximum", topics(manyTopics), 400, "more than " + MAX_TOPICS),
                // topic IDs
                body("topic ID over 96 bytes", topics(topic("x".repeat(96 - GROUP.length() - 8 + 1))), 400, "96 bytes"),
                body("topic ID over 96 bytes in multi-byte characters",
                        topics(topic("\u8bdd".repeat(30))), 400, "96 bytes"),
                body("topic ID with a control character", topics(topic("a\\u0001b")), 400, "control characters"),
                body("topic ID with a newline", topics(topic("a\\nb")), 400, "control characters"),
                body("topic ID of another group", topics("\"@TGS#_@TGS#other@TOPIC#_x\""), 400, "TopicIdList[0]"),
                body("topic ID that is only the prefix", topics("\"" + GROUP + "@TOPIC#_\""), 400, "TopicIdList[0]"),
                body("one bad topic ID among good ones", topics(topic("a"), topic("b"), "\"evil\"", topic("c")), 400,
                        "TopicIdList[2]"),
                body("GroupId with a control character", withGroupId("\"@TGS#_\\u0007x\""), 400, "GroupId"),
                body("GroupId too long", withGroupId("\"" + "g".repeat(200) + "\""), 400, "GroupId"),
                body("CallbackCommand differs from the query's",
                        SEED_CALLBACK.replace("CallbackAfterTopicDestroyed", "CallbackAfterGroupDestroyed"), 400, "CallbackCommand"),
                // query string and authentication
                query("SdkAppid of another app", q -> ImBackend.encode(with(q, "SdkAppid", "1400999999")), 403, "SdkAppid"),
                query("SdkAppid as SQL injection", q -> ImBackend.encode(with(q, "SdkAppid", "1' OR '1'='1")), 403, "SdkAppid"),
                query("SdkAppid twice with different values", q -> ImBackend.encode(q) + "&SdkAppid=1400999999", 400,
                        "more than once"),
                new Hostile("SdkAppid only as an HTTP header", t -> {
                    Map<String, String> q = t.im.query(TOPIC_DESTROYED);
                    q.remove("SdkAppid");
                    return t.http(HttpRequest.newBuilder(URI.create(t.base() + "/im/callback?" + ImBackend.encode(q)))
                            .header("Content-Type", "application/json").header("SdkAppid", SDK_APP_ID)
                            .POST(HttpRequest.BodyPublishers.ofString(SEED_CALLBACK)).build());
                }, 403, "SdkAppid"),
                query("no Sign", HostileInputContract::withoutSign, 403, "Sign"),
                query("no RequestTime", q -> {
                    q.remove("RequestTime");
                    return ImBackend.encode(q);
                }, 403, "RequestTime"),
                query("wrong Sign", q -> ImBackend.encode(with(q, "Sign", ImBackend.sign("another-token", q.get("RequestTime")))),
                        403, "Sign"),
                query("Sign replayed with a RequestTime 61 s old", q -> {
                    String old = String.valueOf(System.currentTimeMillis() / 1000 - 61);
                    return ImBackend.encode(with(with(q, "RequestTime", old), "Sign", ImBackend.sign(TOKEN, old)));
                }, 403, "RequestTime"),
                query("RequestTime 61 s in the future", q -> {
                    String future = String.valueOf(System.currentTimeMillis() / 1000 + 61);
                    return ImBackend.encode(with(with(q, "RequestTime", future), "Sign", ImBackend.sign(TOKEN, future)));
                }, 403, "RequestTime"),
                query("RequestTime in milliseconds", q -> {
                    String millis = String.valueOf(System.currentTimeMillis());
                    return ImBackend.encode(with(with(q, "RequestTime", millis), "Sign", ImBackend.sign(TOKEN, millis)));
                }, 403, "RequestTime"),
                query("RequestTime not a number", q -> ImBackend.encode(with(q, "RequestTime", "now")), 403, "RequestTime"),
                query("Sign twice with different values", q -> ImBackend.encode(q) + "&Sign=00", 400, "more than once"),
                query("broken percent-encoding", q -> ImBackend.encode(q) + "&ClientIP=%zz", 400, "URL-encoded"),
                query("query parameter too long", q -> ImBackend.encode(with(q, "OptPlatform", "A".repeat(300))), 400, "too long"),
                query("no CallbackCommand in the query", q -> {
                    q.remove("CallbackCommand");
                    return ImBackend.encode(q);
                }, 400, "CallbackCommand"),
                query("CallbackCommand as SQL injection",
                        q -> ImBackend.encode(with(q, "CallbackCommand", "x'; DROP TABLE im_callback; --")), 400, "CallbackCommand"),
                // methods and paths
                request("GET", "GET", "/im/callback", 405, "method"),
                request("PUT", "PUT", "/im/callback", 405, "method"),
                request("DELETE", "DELETE", "/im/callback", 405, "method"),
                request("PATCH", "PATCH", "/im/callback", 405, "method"),
                request("unknown path", "POST", "/im/callbacks", 404, "no such endpoint"),
                request("root path", "GET", "/", 404, "no such endpoint"),
                request("actuator env (not exposed)", "GET", "/actuator/env", 404, "no such endpoint"),
                request("actuator beans (not exposed)", "GET", "/actuator/beans", 404, "no such endpoint"),
                request("dot-segment path to a hidden endpoint", "GET", "/im/../actuator/env", 404, "no such endpoint"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void hostileRequestsAreRefusedCleanly(Hostile hostile) throws Exception {
        Map<String, Long> before = rowCounts();

        Reply reply = hostile.send().apply(this);

        assertThat(reply.status()).isEqualTo(hostile.status());
        assertThat(reply.contentType()).startsWith("application/json");
        JsonNode fail = JSON.readTree(reply.body());
        assertThat(fail.get("ActionStatus").asText()).isEqualTo("FAIL");
        assertThat(fail.get("ErrorCode").asInt()).isEqualTo(hostile.status());
        assertThat(fail.get("ErrorInfo").asText()).contains(hostile.says());
        assertThat(reply.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain(TOKEN);
        assertThat(rowCounts()).isEqualTo(before);
        // a valid callback after it: once its webhook arrived, anything the refused one had queued would have too
        String later = "@TGS#_@TGS#later" + java.util.UUID.randomUUID().toString().substring(0, 8);
        assertThat(im.callback(TOPIC_DESTROYED, ImBackend.topicCallback(later, "t")).body()).isEqualTo(OK_REPLY);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !CRM.getAllServeEvents().isEmpty());
        assertThat(CRM.getAllServeEvents()).as("only the later callback's webhook")
                .allSatisfy(e -> assertThat(e.getRequest().getBodyAsString()).contains(later));
        assertThat(im.send("GET", "/actuator/health").statusCode()).isEqualTo(200);
    }

    static Stream<Arguments> injectionStrings() {
        return Stream.of(
                Arguments.of("x'); DROP TABLE im_topic_destroyed; --"),
                Arguments.of("x' OR '1'='1"),
                Arguments.of("<script>alert(1)</script>"),
                Arguments.of("${jndi:ldap://127.0.0.1/a}"),
                Arguments.of("{{im.callback-token}}"),
                Arguments.of("${exchangeProperty.sign}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("injectionStrings")
    void injectionStringsInValidCallbacksAreStoredVerbatimNeverExecuted(String injection) throws Exception {
        String group = "@TGS#_" + injection.replace("\"", "").substring(0, Math.min(20, injection.length()))
                + System.nanoTime();
        String topic = group + "@TOPIC#_" + injection;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("CallbackCommand", TOPIC_DESTROYED);
        body.put("GroupId", group);
        body.put("Type", injection);
        body.put("TopicIdList", List.of(topic));
        Map<String, String> query = with(im.query(TOPIC_DESTROYED), "ClientIP", injection);

        HttpResponse<String> reply = im.post("/im/callback?" + ImBackend.encode(with(query, "OptPlatform", injection)),
                JSON.writeValueAsString(body), Map.of("Content-Type", "application/json"));

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(OK_REPLY);
        Map<String, Object> row = database.queryForMap(
                "SELECT t.topic_id, t.group_type, c.client_ip, c.opt_platform FROM im_topic_destroyed t"
                        + " JOIN im_callback c ON c.callback_id = t.callback_id WHERE t.group_id = ?", group);
        assertThat(row).containsEntry("topic_id", topic).containsEntry("group_type", injection)
                .containsEntry("client_ip", injection).containsEntry("opt_platform", injection);
        assertThat(tablesPresent()).as("every table is still there").containsExactlyInAnyOrderElementsOf(TABLES);
        String topicAsJson = JSON.writeValueAsString(topic);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> CRM.getAllServeEvents().stream()
                .anyMatch(e -> e.getRequest().getBodyAsString().contains(topicAsJson)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("injectionStrings")
    void injectionStringsInAGroupCallbackAreStoredVerbatim(String injection) throws Exception {
        String group = "@TGS#2" + System.nanoTime();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("CallbackCommand", ImBackend.GROUP_DESTROYED);
        body.put("GroupId", group);
        body.put("Type", injection);
        body.put("Owner_Account", injection);
        body.put("Operator_Account", injection);
        body.put("Name", injection);
        body.put("EventTime", 1670574414123L);

        HttpResponse<String> reply = im.callback(ImBackend.GROUP_DESTROYED, JSON.writeValueAsString(body));

        assertThat(reply.body()).isEqualTo(OK_REPLY);
        assertThat(database.queryForMap("SELECT group_type, owner_account, operator_account, name FROM im_group_destroyed"
                + " WHERE group_id = ?", group)).containsOnly(Map.entry("group_type", injection),
                Map.entry("owner_account", injection), Map.entry("operator_account", injection), Map.entry("name", injection));
        assertThat(tablesPresent()).as("every table is still there").containsExactlyInAnyOrderElementsOf(TABLES);
    }

    @Test
    void secretsAndSignaturesNeverReachTheLog(CapturedOutput output) {
        Map<String, String> good = im.query(TOPIC_DESTROYED);
        String wrongSign = ImBackend.sign("not-the-token", good.get("RequestTime"));
        im.post("/im/callback?" + ImBackend.encode(good), ImBackend.topicCallback(GROUP + "x", "logged"),
                Map.of("Content-Type", "application/json"));
        im.post("/im/callback?" + ImBackend.encode(with(im.query(TOPIC_DESTROYED), "Sign", wrongSign)), SEED_CALLBACK,
                Map.of("Content-Type", "application/json"));

        assertThat(output.getAll()).contains("topic destroyed:").contains("im-callback rejected: HTTP 403")
                .doesNotContain(TOKEN).doesNotContain(good.get("Sign")).doesNotContain(wrongSign);
    }

    @Test
    void theActuatorExposesOnlyHealthInfoMetricsAndPrometheus() throws Exception {
        HttpResponse<String> index = im.send("GET", "/actuator");

        assertThat(index.statusCode()).isEqualTo(200);
        List<String> links = new ArrayList<>();
        JSON.readTree(index.body()).get("_links").fieldNames().forEachRemaining(links::add);
        assertThat(links).containsOnly("self", "health", "health-path", "info", "metrics", "metrics-requiredMetricName",
                "prometheus");
        assertThat(im.send("GET", "/actuator/health").statusCode()).isEqualTo(200);
        assertThat(im.send("GET", "/actuator/info").statusCode()).isEqualTo(200);
        assertThat(im.send("GET", "/actuator/metrics").statusCode()).isEqualTo(200);
        assertThat(im.send("GET", "/actuator/prometheus").statusCode()).isEqualTo(200);
    }

    // --- fuzzing -----------------------------------------------------------------------------------

    static final int FUZZ_REQUESTS = Integer.getInteger("fuzz.requests", 1500);

    @Test
    void randomlyMutatedCallbacksGetOkWithRowsOrA4xxWithNoRowsNeverA5xx() throws Exception {
        Map<Integer, Integer> outcomes = fuzz(TOPIC_DESTROYED, SEED_CALLBACK, 20261126L, FUZZ_REQUESTS,
                (mutated, context) -> {
                    for (String topicId : topicIds(mutated)) {
                        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_topic_destroyed WHERE topic_id = ?",
                                Long.class, topicId)).as(context + " recorded " + topicId).isEqualTo(1);
                    }
                });
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).as("every mutation answered").isEqualTo(FUZZ_REQUESTS);
    }

    @Test
    void randomlyMutatedForwardedCallbacksGetOkWithTheirRowOrA4xxWithNoRowsNeverA5xx() throws Exception {
        String example = ForwardedCallbackContract.NEW_MEMBER_JOIN.replace("EVENT_TIME", "1670574414123");
        Map<Integer, Integer> outcomes = fuzz(FORWARDED, example, 20261127L, Math.max(1, FUZZ_REQUESTS / 3),
                (mutated, context) -> assertThat(database.queryForObject(
                        "SELECT COUNT(*) FROM im_callback WHERE callback_command = ? AND raw_body = ?", Long.class,
                        FORWARDED, mutated)).as(context + " recorded once").isEqualTo(1));
        assertThat(outcomes.keySet()).as("both accepted and refused mutations").contains(200, 400);
    }

    /** What an accepted mutation must have recorded. */
    interface RecordedCheck {
        void check(String mutated, String context) throws Exception;
    }

    /**
     * Posts {@code requests} random mutations of {@code example} as {@code command} (reproducible from the
     * printed seed): each gets OK and passes {@code recorded}, or a 4xx FAIL and
     * writes no row; never a 5xx. Answers the count of replies by status.
     */
    Map<Integer, Integer> fuzz(String command, String example, long defaultSeed, int requests, RecordedCheck recorded)
            throws Exception {
        long seed = Long.getLong("fuzz.seed", defaultSeed + getClass().getSimpleName().length());
        Random random = new Random(seed);
        Map<Integer, Integer> outcomes = new java.util.TreeMap<>();
        int sent = 0;
        while (sent < requests) {
            String mutated = Mutations.mutate(example, random);
            Map<String, Long> before = rowCounts();

            HttpResponse<String> reply = im.post("/im/callback?" + ImBackend.encode(im.query(command)), mutated,
                    Map.of("Content-Type", "application/json"));
            sent++;
            outcomes.merge(reply.statusCode(), 1, Integer::sum);

            String context = "fuzz.seed=" + seed + " request " + sent + ": " + mutated;
            assertThat(reply.statusCode()).as(context).isLessThan(500);
            if (reply.statusCode() == 200) {
                assertThat(reply.body()).as(context).isEqualTo(OK_REPLY);
                recorded.check(mutated, context);
            } else {
                assertThat(reply.statusCode()).as(context).isBetween(400, 499);
                assertThat(JSON.readTree(reply.body()).get("ActionStatus").asText()).as(context).isEqualTo("FAIL");
                assertThat(rowCounts()).as(context).isEqualTo(before);
            }
        }
        System.out.println("fuzz (" + command + "): " + sent + " mutated callbacks (seed " + seed + "), outcomes by status: "
                + outcomes);
        assertThat(im.send("GET", "/actuator/health").statusCode()).isEqualTo(200);
        return outcomes;
    }

    // --- helpers ------------------------------------------------------------------------------------

    String base() {
        return "http://127.0.0.1:" + port;
    }

    Reply http(HttpRequest request) {
        return Reply.of(im.send(request));
    }

    /** A POST written on a plain socket, for request targets no well-behaved HTTP client would send. */
    Reply rawPost(String target, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + content.length + "\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = response.indexOf("\r\n\r\n");
            String[] headers = response.substring(0, split).split("\r\n");
            int status = Integer.parseInt(headers[0].split(" ")[1]);
            String contentType = "";
            boolean chunked = false;
            for (String header : headers) {
                String lower = header.toLowerCase();
                if (lower.startsWith("content-type:")) {
                    contentType = header.substring(13).trim();
                }
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            String rest = response.substring(split + 4);
            return new Reply(status, contentType, chunked ? dechunk(rest) : rest);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    HttpRequest callbackRequest(Map<String, String> query, HttpRequest.BodyPublisher body, String contentType) {
        return HttpRequest.newBuilder(URI.create(base() + "/im/callback?" + ImBackend.encode(query)))
                .header("Content-Type", contentType).timeout(Duration.ofSeconds(30)).POST(body).build();
    }

    /** Which of the tables exist, from the database's catalog (not from a query on each). */
    List<String> tablesPresent() {
        return database.queryForList("SELECT LOWER(table_name) FROM information_schema.tables WHERE LOWER(table_name) IN ("
                + String.join(",", java.util.Collections.nCopies(TABLES.size(), "?")) + ")", String.class, TABLES.toArray());
    }

    Map<String, Long> rowCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : TABLES) {
            counts.put(table, database.queryForObject("SELECT COUNT(*) FROM " + table, Long.class));
        }
        return counts;
    }

    static Map<String, String> with(Map<String, String> query, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(query);
        copy.put(name, value);
        return copy;
    }

    /** The TopicIdList of an accepted body, read independently of the application. */
    static List<String> topicIds(String body) throws Exception {
        List<String> ids = new ArrayList<>();
        JsonNode list = JSON.readTree(body).get("TopicIdList");
        list.forEach(node -> ids.add(node.textValue()));
        return ids;
    }
}
