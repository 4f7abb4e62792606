package io.github.imcallbackbridge;

import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A flood of callbacks that are not for this application (another app's SdkAppid, a scanner) is answered 403
 * each time and counted each time, but logged once per kind of rejection and interval
 * (callback.rejection-log-interval-seconds, 1 s here), the next line saying how many were left out.
 */
@AutoConfigureObservability(tracing = false)
@ExtendWith(OutputCaptureExtension.class)
class RejectedCallbackLogTest extends RunningBridge {

    static final Pattern FORBIDDEN_LINE = Pattern.compile("im-callback rejected: HTTP 403, SdkAppid[^\\n]*");
    static final Pattern NOT_JSON_LINE = Pattern.compile("im-callback rejected: HTTP 400, the request body is not valid JSON");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        bridgeProperties(registry, TestDatabases.h2InMemory(), Map.of("callback.rejection-log-interval-seconds", "1"));
    }

    @Test
    void aFloodOfRejectedCallbacksIsAnsweredAndCountedEachTimeButLoggedOncePerKindAndInterval(CapturedOutput output) {
        ImBackend im = new ImBackend(port);
        AtomicInteger forbidden = new AtomicInteger();

        for (int i = 0; i < 40; i++) {
            assertForbidden(im, forbidden);
        }
        HttpResponse<String> notJson = im.callback(TOPIC_DESTROYED, "{\"CallbackCommand\": ");
        assertThat(notJson.statusCode()).isEqualTo(400);

        assertThat(lines(output, FORBIDDEN_LINE)).as("one line for the first 40 forbidden callbacks").hasSize(1);
        assertThat(lines(output, FORBIDDEN_LINE).get(0)).doesNotContain("more like it");
        assertThat(lines(output, NOT_JSON_LINE)).as("another kind is logged at once").hasSize(1);
        String scrape = im.send("GET", "/actuator/prometheus").body();
        assertThat(MetricsTest.value(scrape, "im_callbacks_total", "command", "-", "outcome", "rejected")).isEqualTo(41);

        // once the interval has passed, the next forbidden callback is logged with the count of those left out
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertForbidden(im, forbidden);
            return lines(output, FORBIDDEN_LINE).size() == 2;
        });
        assertThat(lines(output, FORBIDDEN_LINE).get(1))
                .contains("(and " + (forbidden.get() - 2) + " more like it since the previous such line");
        assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback", Integer.class)).isZero();
    }

    private static void assertForbidden(ImBackend im, AtomicInteger forbidden) {
        HttpResponse<String> reply = im.post("/im/callback?SdkAppid=1400999999&CallbackCommand=" + TOPIC_DESTROYED,
                topicCallback("@TGS#_@TGS#flood", "t"), Map.of("Content-Type", "application/json"));
        assertThat(reply.statusCode()).isEqualTo(403);
        assertThat(reply.body()).startsWith("{\"ActionStatus\":\"FAIL\",\"ErrorCode\":403,\"ErrorInfo\":\"SdkAppid");
        forbidden.incrementAndGet();
    }

    private static List<String> lines(CapturedOutput output, Pattern line) {
        List<String> found = new ArrayList<>();
        Matcher m = line.matcher(output.getAll());
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }
}
