package io.github.imcallbackbridge;

import io.github.imcallbackbridge.delivery.DeliveryOutcome;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.GROUP_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.imcallbackbridge.support.StandardWebhooks;
import io.github.imcallbackbridge.support.ImBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Forwarding to several CRM/ERP targets, as the best webhook gateways do it: Standard Webhooks signatures,
 * one slow or dead target never holding up another, retries with backoff and Retry-After, 410 and dead
 * letters, every attempt recorded, replay through the admin API, retention. Each target is its own WireMock
 * server, so one can be taken down alone.
 */
abstract class DeliveryContract extends RunningBridge {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String ADMIN_TOKEN = "admin-test-token-41";
    static WireMockServer crm = new WireMockServer(options().dynamicPort());
    static final WireMockServer ERP = new WireMockServer(options().dynamicPort());
    static final WireMockServer AUDIT = new WireMockServer(options().dynamicPort());

    static {
        crm.start();
        ERP.start();
        AUDIT.start();
    }

    ImBackend im;

    /**
     * crm: signed, every event, quick retries; erp: every event, dies after 3 attempts; audit: groups only;
     * paused: disabled, so it gets nothing.
     */
    static void bridgeProperties(DynamicPropertyRegistry registry, Map<String, String> datasource) {
        bridgeProperties(registry, datasource, Map.ofEntries(
                Map.entry("webhook.targets", "crm,erp,audit,paused"),
                Map.entry("webhook.target.crm.url", crm.baseUrl() + "/crm"),
                Map.entry("webhook.target.crm.secret", SECRET),
                Map.entry("webhook.target.erp.url", ERP.baseUrl() + "/erp"),
                Map.entry("webhook.target.erp.retry-schedule", "200ms,200ms"),
                Map.entry("webhook.target.audit.url", AUDIT.baseUrl() + "/audit"),
                Map.entry("webhook.target.audit.events", "im.group.destroyed"),
                Map.entry("webhook.target.paused.url", AUDIT.baseUrl() + "/paused"),
                Map.entry("webhook.target.paused.enabled", "false"),
                Map.entry("admin.token", ADMIN_TOKEN),
                Map.entry("webhook.retention-check-interval-ms", "300")));
    }

    @BeforeEach
    void healthyTargets() {
        for (WireMockServer target : List.of(crm, ERP, AUDIT)) {
            target.resetAll();
            target.stubFor(post(urlEqualTo("/" + name(target))).willReturn(ok()));
        }
        im = new ImBackend(port);
    }

    @Test
    void everyRequestIsSignedPerStandardWebhooksAndCarriesNoInboundHeader() throws Exception {
        String group = newGroupId();
        HttpResponse<String> reply = im.post("/im/callback?" + ImBackend.encode(ImBackend.standardQuery(TOPIC_DESTROYED)),
                topicCallback(group, "signed"), Map.of("Content-Type", "application/json", "X-Secret", "inbound-only",
                        "Cookie", "session=inbound", "Authorization", "Bearer inbound"));
        assertThat(reply.body()).isEqualTo(OK_REPLY);

        LoggedRequest signed = awaitOne(crm, group);
        String id = signed.getHeader("webhook-id");
        String timestamp = signed.getHeader("webhook-timestamp");
        assertThat(id).isEqualTo(database.queryForObject("SELECT event_id FROM im_topic_destroyed WHERE group_id = ?",
                String.class, group));
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp))).isLessThan(30);
        assertThat(signed.getHeader("webhook-signature"))
                .isEqualTo(StandardWebhooks.signature(SECRET, id, timestamp, signed.getBodyAsString()));
        LoggedRequest unsigned = awaitOne(ERP, group);
        assertThat(unsigned.getHeader("webhook-id")).isEqualTo(id);
        assertThat(unsigned.containsHeader("webhook-signature")).isFalse();
        for (LoggedRequest request : List.of(signed, unsigned)) {
            assertThat(request.getAllHeaderKeys()).map(String::toLowerCase)
                    .doesNotContain("x-secret", "cookie", "authorization", "sdkappid", "callbackcommand", "clientip");
        }
    }

    @Test
    void eachTargetGetsOnlyTheEventsItWants() throws Exception {
        String group = "@TGS#2" + UUID.randomUUID().toString().substring(0, 8);
        im.callback(GROUP_DESTROYED, "{\"CallbackCommand\":\"" + GROUP_DESTROYED + "\",\"GroupId\":\"" + group
                + "\",\"Type\":\"Public\",\"EventTime\":1670574414123}");
        String topicGroup = newGroupId();
        im.callback(TOPIC_DESTROYED, topicCallback(topicGroup, "a"));

        assertThat(awaitOne(AUDIT, group).getBodyAsString()).contains("im.group.destroyed");
        awaitOne(crm, topicGroup);
        awaitOne(ERP, topicGroup);
        assertThat(requestsFor(AUDIT, topicGroup)).isEmpty();
        assertThat(statuses(topicGroup)).containsOnlyKeys("crm", "erp");
        assertThat(AUDIT.findAll(postRequestedFor(urlEqualTo("/paused")))).as("a disabled target").isEmpty();
        assertThat(database.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE target = 'paused'", Long.class)).isZero();
    }

    @Test
    void aTargetDownForAWhileGetsEveryEventExactlyOnceWhenItIsBack() throws Exception {
        crm.stubFor(post(urlEqualTo("/crm")).willReturn(aResponse().withStatus(500)));
        String group = newGroupId();
        int callbacks = 20;
        for (int i = 0; i < callbacks; i++) {
            assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "o" + i + "a", "o" + i + "b")).body()).isEqualTo(OK_REPLY);
        }
        int events = callbacks * 2;
        await().atMost(Duration.ofSeconds(20)).until(() -> requestsFor(crm, group).size() >= events);
        int port = crm.port();
        crm.stop(); // now connection refused
        await().atMost(Duration.ofSeconds(10)).until(() -> refusedAttempts(group) > 0);
        long failedWhileDown = attempts(group, "crm");
        crm = new WireMockServer(options().port(port));
        crm.start();
        crm.stubFor(post(urlEqualTo("/crm")).willReturn(ok()));

        await().atMost(Duration.ofSeconds(30)).until(() -> "DELIVERED".equals(single(statuses(group).get("crm"))));
        List<LoggedRequest> afterRecovery = requestsFor(crm, group);
        Set<String> ids = new HashSet<>();
        afterRecovery.forEach(r -> ids.add(r.getHeader("webhook-id")));
        assertThat(ids).hasSize(events);
        assertThat(afterRecovery).hasSize(events);
        long sent = attempts(group, "crm");
        System.out.printf("outage (%s): %d events, %d attempts in all (%d before recovery), %d delivered, %d duplicates%n",
                getClass().getSimpleName(), events, sent, failedWhileDown, ids.size(), afterRecovery.size() - ids.size());
        assertThat(refusedAttempts(group)).as("connection-refused attempts recorded").isPositive();
    }

    long refusedAttempts(String group) {
        return database.queryForObject("SELECT COUNT(*) FROM webhook_attempt a JOIN webhook_delivery d"
                + " ON d.id = a.delivery_id WHERE d.group_id = ? AND d.target = 'crm' AND a.error LIKE '%Connect%'",
                Long.class, group);
    }

    @Test
    void goneMeansDeadAtOnce() throws Exception {
        ERP.stubFor(post(urlEqualTo("/erp")).willReturn(aResponse().withStatus(410)));
        String group = newGroupId();
        im.callback(TOPIC_DESTROYED, topicCallback(group, "gone"));

        await().atMost(Duration.ofSeconds(10)).until(() -> "DEAD".equals(single(statuses(group).get("erp"))));
        assertThat(attempts(group, "erp")).isEqualTo(1);
        assertThat(requestsFor(ERP, group)).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(single(statuses(group).get("crm"))));
    }

    /** Each attempt's log line says how it went: delivered (with its time) or not, why, and what the delivery is now. */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void eachAttemptIsLoggedWithItsOutcome(CapturedOutput output) throws Exception {
        ERP.stubFor(post(urlEqualTo("/erp")).willReturn(aResponse().withStatus(410)));
        String group = newGroupId();
        im.callback(TOPIC_DESTROYED, topicCallback(group, "logged"));

        await().atMost(Duration.ofSeconds(10)).until(() -> "DEAD".equals(single(statuses(group).get("erp")))
                && "DELIVERED".equals(single(statuses(group).get("crm"))));
        String event = database.queryForObject("SELECT DISTINCT event_id FROM webhook_delivery WHERE group_id = ?",
                String.class, group);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output.getOut())
                .containsPattern("webhook " + event + " delivered to crm \\(attempt \\d+ ms, 0 earlier failures\\)")
                .contains("webhook " + event + " not delivered to erp (HTTP 410): now DEAD"));
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void eachRecordedTopicIsLoggedWithTheTargetsItIsQueuedFor(CapturedOutput output) throws Exception {
        String group = newGroupId();
        assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "one", "two")).body()).isEqualTo(OK_REPLY);

        List<Map<String, Object>> topics = database.queryForList(
                "SELECT topic_id, event_id FROM im_topic_destroyed WHERE group_id = ?", group);
        assertThat(topics).hasSize(2);
        for (Map<String, Object> topic : topics) {
            assertThat(output.getOut()).as("crm and erp want im.topic.destroyed; audit does not, paused is off")
                    .contains("topic destroyed: group=" + group + " topic=" + topic.get("topic_id") + " outcome=recorded, webhook "
                            + topic.get("event_id") + " queued for 2 target(s)");
        }
    }

    @Test
    void retryAfterIsHonoured() throws Exception {
        crm.stubFor(post(urlEqualTo("/crm")).inScenario("busy").whenScenarioStateIs("Started")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")).willSetStateTo("calm"));
        crm.stubFor(post(urlEqualTo("/crm")).inScenario("busy").whenScenarioStateIs("calm").willReturn(ok()));
        String group = newGroupId();
        im.callback(TOPIC_DESTROYED, topicCallback(group, "busy"));

        await().atMost(Duration.ofSeconds(15)).until(() -> "DELIVERED".equals(single(statuses(group).get("crm"))));
        List<Map<String, Object>> attempts = attemptRows(group, "crm");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0)).containsEntry("status_code", 429);
        Duration between = Duration.between(instant(attempts.get(0).get("attempted_at")), instant(attempts.get(1).get("attempted_at")));
        assertThat(between).as("the schedule says 200 ms; Retry-After says 2 s").isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void aSlowTargetDoesNotHoldUpAFastOne() throws Exception {
        ERP.stubFor(post(urlEqualTo("/erp")).willReturn(ok().withFixedDelay(8000)));
        String group = newGroupId();
        for (int i = 0; i < 5; i++) {
            im.callback(TOPIC_DESTROYED, topicCallback(group, "s" + i + "a", "s" + i + "b"));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> requestsFor(crm, group).size() == 10);
        // no attempt at the slow target can finish before 8 s: had the fast one waited for it, one would be on record
        assertThat(attempts(group, "erp")).as("attempts the slow target has answered").isZero();
        assertThat(statuses(group).get("erp")).hasSize(10).containsOnly("PENDING");
    }

    @Test
    void redirectsAreNotFollowedButRetried() throws Exception {
        crm.stubFor(post(urlEqualTo("/crm")).willReturn(aResponse().withStatus(302).withHeader("Location", crm.baseUrl() + "/elsewhere")));
        String group = newGroupId();
        im.callback(TOPIC_DESTROYED, topicCallback(group, "moved"));

        await().atMost(Duration.ofSeconds(10)).until(() -> attempts(group, "crm") >= 2);
        assertThat(crm.findAll(postRequestedFor(urlEqualTo("/elsewhere")))).isEmpty();
        assertThat(attemptRows(group, "crm").get(0)).containsEntry("status_code", 302);
        assertThat(single(statuses(group).get("crm"))).isEqualTo("PENDING");

        crm.stubFor(post(urlEqualTo("/crm")).willReturn(ok()));
        await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(single(statuses(group).get("crm"))));
    }

    @Test
    void theConsoleSummaryCountsEachTargetsBacklogAndTheLastHourMinuteByMinute() throws Exception {
        JsonNode targetsBefore = targetSummary();
        JsonNode activityBefore = JSON.readTree(admin("GET", "/admin/activity").body());
        ERP.stubFor(post(urlEqualTo("/erp")).willReturn(aResponse().withStatus(503)));
        String group = newGroupId();

        im.callback(TOPIC_DESTROYED, topicCallback(group, "s1", "s2"));
        await().atMost(Duration.ofSeconds(15)).until(() -> statuses(group).get("erp").equals(List.of("DEAD", "DEAD"))
                && statuses(group).get("crm").equals(List.of("DELIVERED", "DELIVERED")));

        JsonNode targets = targetSummary();
        assertThat(targets.findValuesAsText("name")).containsExactly("crm", "erp", "audit", "paused");
        assertThat(target(targets, "erp").get("dead").asLong()).isEqualTo(target(targetsBefore, "erp").get("dead").asLong() + 2);
        assertThat(target(targets, "crm").get("delivered_last_hour").asLong())
                .isEqualTo(target(targetsBefore, "crm").get("delivered_last_hour").asLong() + 2);
        assertThat(target(targets, "crm").get("max_in_flight").asInt()).isEqualTo(16);
        assertThat(target(targets, "paused").get("enabled").asBoolean()).isFalse();
        assertThat(targets.toString()).as("no URL or secret in the summary").doesNotContain(SECRET).doesNotContain("http://");

        String minuteBefore = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).toInstant().toString();
        JsonNode activity = JSON.readTree(admin("GET", "/admin/activity").body());
        String minuteAfter = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).toInstant().toString();
        JsonNode minutes = activity.get("minutes");
        assertThat(minutes).hasSize(61);
        assertThat(minutes.get(60).get("minute").asText()).as("the last bar is this minute").isIn(minuteBefore, minuteAfter);
        assertThat(sum(minutes, "callbacks")).isEqualTo(sum(activityBefore.get("minutes"), "callbacks") + 1);
        assertThat(sum(minutes, "delivered")).isGreaterThanOrEqualTo(sum(activityBefore.get("minutes"), "delivered") + 2);
        assertThat(sum(minutes, "failed")).as("3 attempts of each of the 2 deliveries to erp")
                .isGreaterThanOrEqualTo(sum(activityBefore.get("minutes"), "failed") + 6);
    }

    JsonNode targetSummary() throws Exception {
        HttpResponse<String> reply = admin("GET", "/admin/targets");
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body()).get("targets");
    }

    static JsonNode target(JsonNode targets, String name) {
        for (JsonNode target : targets) {
            if (target.get("name").asText().equals(name)) {
                return target;
            }
        }
        throw new AssertionError("no target " + name + " in " + targets);
    }

    static long sum(JsonNode minutes, String field) {
        long total = 0;
        for (JsonNode minute : minutes) {
            total += minute.get(field).asLong();
        }
        return total;
    }

    @Test
    void deadDeliveriesAreKeptWithTheirAttemptsAndReplayedByIdAndByRange() throws Exception {
        ERP.stubFor(post(urlEqualTo("/erp")).willReturn(aResponse().withStatus(503).withBody("x".repeat(5000))));
        String group = newGroupId();
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        im.callback(TOPIC_DESTROYED, topicCallback(group, "d1", "d2", "d3"));
        await().atMost(Duration.ofSeconds(15)).until(() -> statuses(group).get("erp").equals(List.of("DEAD", "DEAD", "DEAD")));

        List<Map<String, Object>> attempts = attemptRows(group, "erp");
        assertThat(attempts).hasSize(9).allSatisfy(a -> {
            assertThat(a).containsEntry("status_code", 503).containsEntry("error", "HTTP 503");
            assertThat(((Number) a.get("latency_ms")).longValue()).isNotNegative();
            assertThat((String) a.get("response_body")).hasSize(DeliveryOutcome.MAX_RESPONSE_BODY);
        });
        JsonNode dead = deliveries("/admin/deliveries?status=DEAD&target=erp&group=" + enc(group));
        assertThat(dead).hasSize(3);
        String since = "&from=" + enc(before.toString());
        assertThat(deliveries("/admin/deliveries?status=DEAD&target=erp" + since)).hasSize(3);
        assertThat(deliveries("/admin/deliveries?status=DEAD&target=erp&to=" + enc(before.toString())))
                .as("none created before the range").allSatisfy(d -> assertThat(d.get("group_id").asText()).isNotEqualTo(group));
        String topic = group + "@TOPIC#_d2";
        JsonNode ofTopic = deliveries("/admin/deliveries?target=erp&topic=" + enc(topic));
        assertThat(ofTopic).as("the topic's one delivery to erp").hasSize(1);
        assertThat(deliveries("/admin/deliveries?webhookId=" + enc(ofTopic.get(0).get("event_id").asText())))
                .as("the event's delivery to each target that wants it").isNotEmpty()
                .allSatisfy(d -> assertThat(d.get("event_id").asText()).isEqualTo(ofTopic.get(0).get("event_id").asText()));
        long firstId = dead.get(2).get("id").asLong();
        JsonNode shown = JSON.readTree(admin("GET", "/admin/deliveries/" + firstId).body());
        assertThat(shown.get("attempts")).hasSize(3);
        assertThat(shown.get("status").asText()).isEqualTo("DEAD");
        String eventId = shown.get("event_id").asText();

        ERP.resetAll();
        ERP.stubFor(post(urlEqualTo("/erp")).willReturn(ok()));
        assertThat(admin("POST", "/admin/deliveries/" + firstId + "/replay").body()).isEqualTo("{\"replayed\":1}");
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsFor(ERP, group).size() == 1);
        assertThat(requestsFor(ERP, group).get(0).getHeader("webhook-id")).isEqualTo(eventId);

        String range = "/admin/deliveries/replay?target=erp&from=" + enc(before.toString())
                + "&to=" + enc(OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(1).toString());
        assertThat(admin("POST", range).body()).isEqualTo("{\"replayed\":2}");
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses(group).get("erp").equals(List.of("DELIVERED", "DELIVERED", "DELIVERED")));
        assertThat(requestsFor(ERP, group)).hasSize(3);
    }

    @Test
    void theAdminApiWantsTheBearerTokenAndAnswersRefusalsAsProblemDetails() throws Exception {
        assertProblem(im.send("GET", "/admin/deliveries"), 401, "a valid bearer token is required");
        HttpRequest wrong = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/deliveries"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN + "x").GET().build();
        HttpResponse<String> refused = im.send(wrong);
        assertProblem(refused, 401, "a valid bearer token is required");
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(refused.body()).doesNotContain(ADMIN_TOKEN).doesNotContain("ActionStatus");

        assertThat(admin("GET", "/admin/deliveries?limit=1").statusCode()).isEqualTo(200);
        assertProblem(admin("GET", "/admin/deliveries?status=LOST"), 400, "status must be one of PENDING, DELIVERED, DEAD");
        assertProblem(admin("GET", "/admin/deliveries?limit=0"), 400, "limit must be between 1 and 1000");
        assertProblem(admin("GET", "/admin/deliveries?from=yesterday"), 400, "from must be an ISO-8601 time");
        assertProblem(admin("GET", "/admin/deliveries?cursor=%25%25"), 400, "cursor is not one this API gave");
        assertProblem(admin("GET", "/admin/deliveries/999999999"), 404, "no delivery with this id");
        assertProblem(admin("GET", "/admin/deliveries/abc"), 400, "the delivery id must be a number");
        assertProblem(admin("POST", "/admin/deliveries/999999999/replay"), 404, "no DEAD or DELIVERED delivery with this id");
        assertProblem(admin("POST", "/admin/deliveries/replay"), 400, "target is required");
        assertProblem(admin("DELETE", "/admin/deliveries/dead?target=erp"), 400, "target and before are required");
    }

    @Test
    void theDeliveryListIsReadPageByPageWithTheCursorOfEachPage() throws Exception {
        String group = newGroupId();
        im.callback(TOPIC_DESTROYED, topicCallback(group, "p1", "p2", "p3", "p4", "p5"));
        String ofGroup = "/admin/deliveries?target=crm&group=" + enc(group);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(ofGroup).size() == 5);
        String list = ofGroup + "&limit=2";

        List<Long> ids = new java.util.ArrayList<>();
        List<Integer> pageSizes = new java.util.ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = JSON.readTree(admin("GET", list + (cursor == null ? "" : "&cursor=" + enc(cursor))).body());
            page.get("deliveries").forEach(d -> ids.add(d.get("id").asLong()));
            pageSizes.add(page.get("deliveries").size());
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
        } while (cursor != null && pageSizes.size() < 10);

        assertThat(pageSizes).containsExactly(2, 2, 1);
        assertThat(ids).as("every delivery once, newest first").hasSize(5).doesNotHaveDuplicates()
                .isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void theAdminApiDescribesItselfInAnOpenApiDocument() throws Exception {
        HttpResponse<String> reply = im.send("GET", "/admin/openapi.json");
        assertThat(reply.statusCode()).isEqualTo(200);
        JsonNode document = JSON.readTree(reply.body());
        assertThat(document.get("openapi").asText()).startsWith("3.");
        assertThat(document.at("/info/title").asText()).isEqualTo("im-callback-bridge admin API");
        JsonNode paths = document.get("paths");
        assertThat(paths.has("/admin/deliveries")).as(paths.toString()).isTrue();
        assertThat(paths.has("/admin/deliveries/{id}")).isTrue();
        assertThat(paths.has("/admin/deliveries/{id}/replay")).isTrue();
        assertThat(paths.has("/admin/deliveries/replay")).isTrue();
        assertThat(paths.has("/admin/deliveries/dead")).isTrue();
        List<String> listParameters = new java.util.ArrayList<>();
        paths.at("/~1admin~1deliveries/get/parameters").forEach(p -> {
            listParameters.add(p.get("name").asText());
            assertThat(p.path("required").asBoolean(false)).as("every filter is optional: " + p).isFalse();
        });
        assertThat(listParameters).contains("status", "target", "group", "topic", "webhookId", "from", "to", "limit", "cursor");
        assertThat(paths.at("/~1admin~1deliveries~1replay/post/parameters/0/required").asBoolean()).as("target").isTrue();
        assertThat(reply.body()).doesNotContain(ADMIN_TOKEN);
    }

    @Test
    void aDeliveryLeftLeasedByADeadWorkerIsSentOnceTheLeaseExpires() throws Exception {
        String eventId = "evt_crashed" + UUID.randomUUID().toString().replace("-", "");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        database.update("INSERT INTO webhook_delivery (event_id, event_type, target, group_id, payload, status, attempts,"
                + " next_attempt_at, lease_token, lease_until, created_at) VALUES (?, 'im.topic.destroyed', 'crm', 'g', ?,"
                + " 'PENDING', 0, ?, 'worker-that-died', ?, ?)", eventId, "{\"id\":\"" + eventId + "\"}", now, now.plusSeconds(3), now);

        String later = newGroupId(); // queued after it and sent while its lease still holds
        im.callback(TOPIC_DESTROYED, topicCallback(later, "after-crash"));
        awaitOne(crm, later);
        assertThat(OffsetDateTime.now(ZoneOffset.UTC)).as("the lease still held when the later event went out")
                .isBefore(now.plusSeconds(3));
        assertThat(requestsFor(crm, eventId)).as("still leased by the dead worker").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsFor(crm, eventId).size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> "DELIVERED".equals(database.queryForObject(
                "SELECT status FROM webhook_delivery WHERE event_id = ?", String.class, eventId)));
    }

    @Test
    void retentionPurgesOldDeliveredDeliveriesAndKeepsDeadOnes() {
        OffsetDateTime old = OffsetDateTime.now(ZoneOffset.UTC).minusDays(31);
        String delivered = "evt_old_delivered_" + UUID.randomUUID();
        String dead = "evt_old_dead_" + UUID.randomUUID();
        database.update("INSERT INTO webhook_delivery (event_id, event_type, target, payload, status, attempts, next_attempt_at,"
                + " created_at, delivered_at) VALUES (?, 'im.topic.destroyed', 'crm', '{}', 'DELIVERED', 1, ?, ?, ?)",
                delivered, old, old, old);
        database.update("INSERT INTO webhook_attempt (delivery_id, attempted_at, status_code, latency_ms) "
                + "SELECT id, ?, 200, 3 FROM webhook_delivery WHERE event_id = ?", old, delivered);
        database.update("INSERT INTO webhook_delivery (event_id, event_type, target, payload, status, attempts, next_attempt_at,"
                + " created_at, dead_at) VALUES (?, 'im.topic.destroyed', 'erp', '{}', 'DEAD', 3, ?, ?, ?)",
                dead, old, old, old);

        await().atMost(Duration.ofSeconds(10)).until(() -> database.queryForObject(
                "SELECT COUNT(*) FROM webhook_delivery WHERE event_id = ?", Long.class, delivered) == 0);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM webhook_attempt WHERE delivery_id NOT IN"
                + " (SELECT id FROM webhook_delivery)", Long.class)).isZero();
        assertThat(database.queryForObject("SELECT status FROM webhook_delivery WHERE event_id = ?", String.class, dead))
                .isEqualTo("DEAD");
    }

    @Test
    void retentionRemovesTheRawBodyAndClientIpOfOldCallbacksAndKeepsTheRest() {
        String old = UUID.randomUUID().toString();
        String recent = UUID.randomUUID().toString();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        for (Object[] row : new Object[][] {{old, now.minusDays(31)}, {recent, now.minusDays(29)}}) {
            database.update("INSERT INTO im_callback (callback_id, callback_command, sdk_app_id, client_ip, opt_platform,"
                    + " raw_body, received_at) VALUES (?, 'Group.CallbackAfterTopicDestroyed', '1400123456', '203.0.113.7',"
                    + " 'RESTAPI', '{\"GroupId\":\"@TGS#_personal\"}', ?)", row[0], row[1]);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> database.queryForObject(
                "SELECT COUNT(*) FROM im_callback WHERE callback_id = ? AND raw_body IS NULL AND client_ip IS NULL",
                Long.class, old) == 1);
        assertThat(database.queryForMap("SELECT callback_command, sdk_app_id, opt_platform FROM im_callback WHERE callback_id = ?", old))
                .containsEntry("callback_command", "Group.CallbackAfterTopicDestroyed").containsEntry("sdk_app_id", "1400123456");
        assertThat(database.queryForMap("SELECT raw_body, client_ip FROM im_callback WHERE callback_id = ?", recent))
                .containsEntry("client_ip", "203.0.113.7").containsEntry("raw_body", "{\"GroupId\":\"@TGS#_personal\"}");
    }

    // --- helpers ------------------------------------------------------------------------------------

    /** The deliveries of one page of the list. */
    JsonNode deliveries(String path) throws Exception {
        HttpResponse<String> reply = admin("GET", path);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body()).get("deliveries");
    }

    /** An application/problem+json reply (RFC 9457) with this status whose detail says {@code why}. */
    static void assertProblem(HttpResponse<String> reply, int status, String why) throws Exception {
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(status);
        assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(reply.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotEmpty();
        assertThat(problem.get("detail").asText()).contains(why);
    }

    HttpResponse<String> admin(String method, String path) {
        return im.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    static String name(WireMockServer target) {
        return target == ERP ? "erp" : target == AUDIT ? "audit" : "crm";
    }

    static List<LoggedRequest> requestsFor(WireMockServer target, String fragment) {
        return target.findAll(postRequestedFor(urlEqualTo("/" + name(target)))).stream()
                .filter(r -> r.getBodyAsString().contains(fragment)).toList();
    }

    static LoggedRequest awaitOne(WireMockServer target, String fragment) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !requestsFor(target, fragment).isEmpty());
        return requestsFor(target, fragment).get(0);
    }

    /** Delivery statuses by target for the events of a group, in id order. */
    Map<String, List<String>> statuses(String group) {
        Map<String, List<String>> byTarget = new java.util.TreeMap<>();
        database.queryForList("SELECT target, status FROM webhook_delivery WHERE group_id = ? ORDER BY id", group)
                .forEach(row -> byTarget.computeIfAbsent((String) row.get("target"), t -> new java.util.ArrayList<>())
                        .add((String) row.get("status")));
        return byTarget;
    }

    static String single(List<String> statuses) {
        return statuses == null ? "none" : statuses.stream().distinct().count() == 1 ? statuses.get(0) : statuses.toString();
    }

    long attempts(String group, String target) {
        return database.queryForObject("SELECT COUNT(*) FROM webhook_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id"
                + " WHERE d.group_id = ? AND d.target = ?", Long.class, group, target);
    }

    List<Map<String, Object>> attemptRows(String group, String target) {
        return database.queryForList("SELECT a.attempted_at, a.status_code, a.latency_ms, a.error, a.response_body"
                + " FROM webhook_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id"
                + " WHERE d.group_id = ? AND d.target = ? ORDER BY a.id", group, target);
    }

    static Instant instant(Object column) {
        if (column instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        return ((OffsetDateTime) column).toInstant();
    }

    static String newGroupId() {
        return "@TGS#_@TGS#" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static String enc(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
