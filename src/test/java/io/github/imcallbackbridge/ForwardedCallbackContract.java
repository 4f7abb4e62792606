package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.SDK_APP_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.imcallbackbridge.support.ImBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The app's one callback URL: the commands IM_CALLBACKS_FORWARD names are recorded once and forwarded as received
 * to the targets subscribed to them (by pattern), for several apps with their own tokens; before-callbacks are
 * allowed at once; everything else is acknowledged and left alone. Two apps: {@link ImBackend#SDK_APP_ID} (the
 * default token) and {@link #SECOND_APP} (a token of its own). Targets: {@code crm} (the destruction events),
 * {@code groups} ({@code im.callback.Group.*}, the second app only) and {@code c2c} ({@code im.callback.C2C.*}).
 */
@AutoConfigureObservability(tracing = false) // the outcomes are read from /actuator/prometheus
abstract class ForwardedCallbackContract extends RunningBridge {

    static final String SECOND_APP = "1400999999";
    static final String DEFAULT_TOKEN = "default-callback-token";
    static final String SECOND_TOKEN = "second-app-callback-token";
    /** Tencent's documented example body of Group.CallbackAfterNewMemberJoin. */
    static final String NEW_MEMBER_JOIN = """
            {"CallbackCommand":"Group.CallbackAfterNewMemberJoin","GroupId":"@TGS#2J4SZEAEL","Type":"Public",\
            "JoinType":"Apply","Operator_Account":"leckie","NewMemberList":[{"Member_Account":"jared"},\
            {"Member_Account":"tommy"}],"EventTime":EVENT_TIME}""";

    ImBackend im;

    static void bridgeProperties(DynamicPropertyRegistry registry, Map<String, String> datasource) {
        bridgeProperties(registry, datasource, Map.ofEntries(
                Map.entry("im.sdkappid", SDK_APP_ID + "," + SECOND_APP),
                Map.entry("im.callback-token", DEFAULT_TOKEN),
                Map.entry("im.callback-token-" + SECOND_APP, SECOND_TOKEN),
                Map.entry("im.callbacks.forward", "Group.CallbackAfter*,C2C.CallbackAfterSendMsg,Group.CallbackBeforeSendMsg"),
                Map.entry("webhook.targets", "crm,groups,c2c"),
                Map.entry("webhook.target.crm.url", CRM.baseUrl() + "/crm"),
                Map.entry("webhook.target.groups.url", CRM.baseUrl() + "/groups"),
                Map.entry("webhook.target.groups.events", "im.callback.Group.*"),
                Map.entry("webhook.target.groups.sdkappids", SECOND_APP),
                Map.entry("webhook.target.c2c.url", CRM.baseUrl() + "/c2c"),
                Map.entry("webhook.target.c2c.events", "im.callback.C2C.*")));
    }

    @BeforeEach
    void targetsAreHealthy() {
        CRM.resetAll();
        for (String path : List.of("/crm", "/groups", "/c2c")) {
            CRM.stubFor(post(path).willReturn(ok()));
        }
        im = new ImBackend(port);
    }

    @Test
    void aForwardedCommandOfASecondAppReachesTheTargetSubscribedToItsPatternWithItsPayloadUnchanged() throws Exception {
        String body = newMemberJoin();
        HttpResponse<String> reply = im.callbackOf(SECOND_APP, SECOND_TOKEN, "Group.CallbackAfterNewMemberJoin", body);

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(OK_REPLY);
        LoggedRequest sent = await().atMost(Duration.ofSeconds(10)).until(() -> requests("/groups", body), r -> r.size() == 1).get(0);
        JsonNode event = JSON.readTree(sent.getBodyAsString());
        assertThat(event.get("type").asText()).isEqualTo("im.callback.Group.CallbackAfterNewMemberJoin");
        assertThat(event.at("/data/sdkAppId").asText()).isEqualTo(SECOND_APP);
        assertThat(event.at("/data/callbackCommand").asText()).isEqualTo("Group.CallbackAfterNewMemberJoin");
        assertThat(event.at("/data/clientIp").asText()).isEqualTo("203.0.113.7");
        assertThat(event.at("/data/payload")).as("the callback as received").isEqualTo(JSON.readTree(body));
        assertThat(sent.getHeader("webhook-id")).isEqualTo(database.queryForObject(
                "SELECT event_id FROM webhook_delivery WHERE target = 'groups' AND payload LIKE ?", String.class,
                "%" + eventTime(body) + "%"));
        assertThat(database.queryForList("SELECT sdk_app_id FROM im_callback WHERE raw_body = ?", String.class, body))
                .containsExactly(SECOND_APP);

        awaitLaterC2cMessageDelivered();
        assertThat(requests("/crm", body)).as("crm wants only the destruction events").isEmpty();
        assertThat(requests("/c2c", body)).as("c2c wants only C2C commands").isEmpty();
    }

    @Test
    void aTargetLimitedToOneAppGetsNothingOfAnother() throws Exception {
        String body = newMemberJoin();
        assertThat(im.callbackOf(SDK_APP_ID, DEFAULT_TOKEN, "Group.CallbackAfterNewMemberJoin", body).body()).isEqualTo(OK_REPLY);

        await().atMost(Duration.ofSeconds(10)).until(() -> database.queryForObject(
                "SELECT COUNT(*) FROM im_callback WHERE raw_body = ?", Long.class, body) == 1);
        awaitLaterC2cMessageDelivered();
        assertThat(requests("/groups", body)).as("groups serves the second app only").isEmpty();
    }

    @Test
    void theSameEventTwiceIsRecordedAndForwardedOnce() throws Exception {
        String msgKey = "48374_" + (System.nanoTime() % 10_000_000) + "_1557481126";
        String body = c2cMessage(msgKey);

        assertThat(im.callbackOf(SDK_APP_ID, DEFAULT_TOKEN, "C2C.CallbackAfterSendMsg", body).body()).isEqualTo(OK_REPLY);
        assertThat(im.callbackOf(SDK_APP_ID, DEFAULT_TOKEN, "C2C.CallbackAfterSendMsg", body).body())
                .as("a repeat is acknowledged too").isEqualTo(OK_REPLY);

        awaitLaterC2cMessageDelivered();
        assertThat(requests("/c2c", msgKey)).as("forwarded once").hasSize(1);
        String scrape = im.send("GET", "/actuator/prometheus").body();
        assertThat(MetricsTest.value(scrape, "im_callbacks_total", "command", "C2C.CallbackAfterSendMsg", "outcome", "duplicate"))
                .as("the repeat counted as a duplicate").isGreaterThanOrEqualTo(1);
        assertThat(MetricsTest.value(scrape, "im_callbacks_total", "command", "C2C.CallbackAfterSendMsg", "outcome", "recorded"))
                .isGreaterThanOrEqualTo(2);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback WHERE raw_body LIKE ?", Long.class,
                "%" + msgKey + "%")).as("recorded once").isEqualTo(1);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aRecordedEventIsLoggedWithTheTargetsItIsQueuedForAndARepeatAsAlreadyRecorded(CapturedOutput output) throws Exception {
        String command = "Group.CallbackAfterNewMemberJoin";
        String body = newMemberJoin();
        assertThat(im.callbackOf(SECOND_APP, SECOND_TOKEN, command, body).body()).isEqualTo(OK_REPLY);
        assertThat(im.callbackOf(SECOND_APP, SECOND_TOKEN, command, body).body()).isEqualTo(OK_REPLY);

        String event = database.queryForObject("SELECT event_id FROM webhook_delivery WHERE payload LIKE ?", String.class,
                "%" + eventTime(body) + "%");
        assertThat(output.getOut())
                .as("queued for groups only (crm wants the destruction events, c2c the C2C commands)")
                .contains("callback " + command + " (app " + SECOND_APP + ") outcome=recorded, webhook " + event
                        + " queued for 1 target(s)")
                .contains("callback " + command + " (app " + SECOND_APP + ") outcome=already recorded, nothing to do");
    }

    @Test
    void aBeforeCallbackIsAllowedAtOnceAndAForwardedOneIsDeliveredAfterTheReply() throws Exception {
        String notForwarded = c2cMessage("1_2_" + UUID.randomUUID().toString().substring(0, 8))
                .replace("C2C.CallbackAfterSendMsg", "C2C.CallbackBeforeSendMsg");
        HttpResponse<String> allowed = im.callbackOf(SDK_APP_ID, DEFAULT_TOKEN, "C2C.CallbackBeforeSendMsg", notForwarded);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(allowed.body()).get("ErrorCode").asInt()).as("0: allow").isZero();

        String groupMessage = """
                {"CallbackCommand":"Group.CallbackBeforeSendMsg","GroupId":"@TGS#2J4SZEAEL","Type":"Public",\
                "From_Account":"jared","Random":RANDOM,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}],\
                "EventTime":1670574414123}""".replace("RANDOM", String.valueOf(System.nanoTime() % 1_000_000_000));
        assertThat(im.callbackOf(SECOND_APP, SECOND_TOKEN, "Group.CallbackBeforeSendMsg", groupMessage).body())
                .isEqualTo(OK_REPLY);
        await().atMost(Duration.ofSeconds(10)).until(() -> requests("/groups", groupMessage).size() == 1);
        assertThat(MetricsTest.value(im.send("GET", "/actuator/prometheus").body(), "im_callbacks_total", "command",
                "Group.CallbackBeforeSendMsg", "outcome", "allowed")).isGreaterThanOrEqualTo(1);

        awaitLaterC2cMessageDelivered();
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback WHERE raw_body = ?", Long.class, notForwarded))
                .as("a before-callback not in IM_CALLBACKS_FORWARD is not recorded").isZero();
        assertThat(CRM.findAll(postRequestedFor(urlEqualTo("/c2c")).withRequestBody(containing("C2C.CallbackBeforeSendMsg"))))
                .isEmpty();
    }

    @Test
    void aCommandNotForwardedIsAcknowledgedAndLeftAlone() throws Exception {
        String body = "{\"CallbackCommand\":\"State.StateChange\",\"EventTime\":" + System.currentTimeMillis()
                + ",\"Info\":{\"Action\":\"Login\",\"To_Account\":\"u1\",\"Reason\":\"Register\"}}";
        assertThat(im.callbackOf(SDK_APP_ID, DEFAULT_TOKEN, "State.StateChange", body).body()).isEqualTo(OK_REPLY);
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback WHERE raw_body = ?", Long.class, body)).isZero();
    }

    @Test
    void eachAppIsCheckedWithItsOwnTokenAndAnUnknownAppIsRefused() throws Exception {
        String body = newMemberJoin();
        assertRefused(im.callbackOf(SECOND_APP, DEFAULT_TOKEN, "Group.CallbackAfterNewMemberJoin", body), 403, "Sign does not match");
        assertRefused(im.callbackOf(SDK_APP_ID, SECOND_TOKEN, "Group.CallbackAfterNewMemberJoin", body), 403, "Sign does not match");
        assertRefused(im.callbackOf("1400000001", DEFAULT_TOKEN, "Group.CallbackAfterNewMemberJoin", body), 403,
                "not an SDKAppID of this bridge");
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback WHERE raw_body = ?", Long.class, body)).isZero();
    }

    @Test
    void aForwardedCallbackThatCannotBeReadIsRefusedAndWritesNothing() throws Exception {
        String command = "Group.CallbackAfterNewMemberJoin";
        assertRefused(im.callbackOf(SECOND_APP, SECOND_TOKEN, command, "[1,2]"), 400, "must be a JSON object");
        assertRefused(im.callbackOf(SECOND_APP, SECOND_TOKEN, command, "{\"CallbackCommand\":\"Group.CallbackAfterMemberExit\"}"),
                400, "CallbackCommand in the body must equal");
        assertRefused(im.callbackOf(SECOND_APP, SECOND_TOKEN, command, "{\"GroupId\":\"@TGS#\\u0000x\"}"), 400,
                "GroupId contains control characters");
        assertRefused(im.callbackOf(SECOND_APP, SECOND_TOKEN, command, "{\"GroupId\":7}"), 400, "GroupId must be a non-empty string");
        assertRefused(im.callbackOf(SECOND_APP, SECOND_TOKEN, command, "{\"a\":"), 400, "");
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback WHERE callback_command = ? AND raw_body NOT LIKE ?",
                Long.class, command, "%jared%")).as("nothing written").isZero();
    }

    /** Sends another app's C2C message and waits until c2c received it: what was sent before has been handled. */
    void awaitLaterC2cMessageDelivered() {
        String marker = "9_9_" + UUID.randomUUID().toString().replace("-", "");
        assertThat(im.callbackOf(SDK_APP_ID, DEFAULT_TOKEN, "C2C.CallbackAfterSendMsg", c2cMessage(marker)).body())
                .isEqualTo(OK_REPLY);
        await().atMost(Duration.ofSeconds(10)).until(() -> requests("/c2c", marker).size() == 1);
    }

    static void assertRefused(HttpResponse<String> reply, int status, String why) throws Exception {
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(status);
        JsonNode fail = JSON.readTree(reply.body());
        assertThat(fail.get("ActionStatus").asText()).isEqualTo("FAIL");
        assertThat(fail.get("ErrorInfo").asText()).contains(why);
    }

    static String newMemberJoin() {
        return NEW_MEMBER_JOIN.replace("EVENT_TIME", String.valueOf(System.currentTimeMillis() * 1000 + System.nanoTime() % 1000));
    }

    static String eventTime(String body) throws Exception {
        return JSON.readTree(body).get("EventTime").asText();
    }

    /** Tencent's documented example of C2C.CallbackAfterSendMsg with another MsgKey. */
    static String c2cMessage(String msgKey) {
        return "{\"CallbackCommand\":\"C2C.CallbackAfterSendMsg\",\"From_Account\":\"jared\",\"To_Account\":\"Jonh\","
                + "\"MsgSeq\":48374,\"MsgRandom\":2837546,\"MsgTime\":1557481126,\"MsgKey\":\"" + msgKey + "\","
                + "\"OnlineOnlyFlag\":1,\"SendMsgResult\":0,\"ErrorInfo\":\"send msg succeed\",\"UnreadMsgNum\":7,"
                + "\"MsgBody\":[{\"MsgType\":\"TIMTextElem\",\"MsgContent\":{\"Text\":\"red packet\"}}],\"CloudCustomData\":\"x\"}";
    }

    static List<LoggedRequest> requests(String path, String fragment) {
        return CRM.findAll(postRequestedFor(urlEqualTo(path)).withRequestBody(containing(fragment)));
    }
}
