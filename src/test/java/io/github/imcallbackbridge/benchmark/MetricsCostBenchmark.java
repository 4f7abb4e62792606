package io.github.imcallbackbridge.benchmark;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The reply-latency cost of metrics: callbacks of 2 new topics sent one after another (H2 in memory, so the
 * database's commit does not hide the CPU the metrics take), with every metric on and with the bridge's metrics
 * and Camel's route metrics off, alternately twice.
 * <p>
 * Not part of {@code ./mvnw verify}. Run with {@code ./mvnw -Pbenchmark verify -Dtest=MetricsCostBenchmark}.
 */
class MetricsCostBenchmark {

    private static final int CALLBACKS = Integer.getInteger("benchmark.callbacks", 2000);
    private static final int WARMUP = 500;

    @Test
    void replyLatencyWithAndWithoutMetrics() throws Exception {
        WireMockServer crm = new WireMockServer(options().dynamicPort().containerThreads(20));
        crm.start();
        crm.stubFor(post("/crm").willReturn(ok()));
        StringBuilder report = new StringBuilder("\nreply latency, " + CALLBACKS + " sequential callbacks of 2 new topics, H2 in memory\n");
        try {
            for (int round = 0; round < 2; round++) {
                for (boolean metrics : new boolean[] {true, false}) {
                    double[] ms = run(crm, metrics);
                    report.append(String.format("metrics %-3s  mean %.2f ms  p50 %.2f ms  p99 %.2f ms%n", metrics ? "on" : "off",
                            Arrays.stream(ms).average().orElse(0), ms[ms.length / 2], ms[(int) (ms.length * 0.99)]));
                }
            }
        } finally {
            crm.stop();
        }
        System.out.println(report);
    }

    private static double[] run(WireMockServer crm, boolean metrics) throws Exception {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("logging.level.im-callback", "WARN");
        extra.put("logging.level.webhook-delivery", "WARN");
        if (!metrics) {
            extra.put("metrics.enabled", "false");
            extra.put("camel.metrics.enable-route-policy", "false");
            extra.put("camel.metrics.enable-exchange-event-notifier", "false");
            extra.put("camel.metrics.enable-route-event-notifier", "false");
        }
        try (ConfigurableApplicationContext bridge = BridgeLauncher.start(TestDatabases.h2InMemory(), 0,
                crm.baseUrl() + "/crm", extra)) {
            ImBackend im = new ImBackend(BridgeLauncher.port(bridge));
            for (int i = 0; i < WARMUP; i++) {
                im.callback(TOPIC_DESTROYED, topicCallback(group(), "a", "b"));
            }
            double[] ms = new double[CALLBACKS];
            for (int i = 0; i < CALLBACKS; i++) {
                long start = System.nanoTime();
                im.callback(TOPIC_DESTROYED, topicCallback(group(), "a", "b"));
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(ms);
            return ms;
        }
    }

    private static String group() {
        return "@TGS#_@TGS#" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
