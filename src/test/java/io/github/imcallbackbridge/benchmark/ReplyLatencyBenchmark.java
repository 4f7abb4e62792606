package io.github.imcallbackbridge.benchmark;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.SDK_APP_ID;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.imcallbackbridge.ImCallbackBridgeApplication;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reply latency of the callback endpoint, as the IM backend sees it: seed-shaped callbacks (two new
 * topics each) sent one after another over a kept-alive connection, with the CRM healthy and with the CRM
 * answering only after 3 seconds, on H2 and on PostgreSQL, all in one run.
 * <p>
 * Not part of {@code ./mvnw verify} (timings on a shared machine are no pass/fail criterion). Run with
 * {@code ./mvnw -Pbenchmark verify}; {@code -Dbenchmark.callbacks=N} changes the count (default 1000).
 */
class ReplyLatencyBenchmark {

    private static final int CALLBACKS = Integer.getInteger("benchmark.callbacks", 1000);
    private static final int WARMUP = 300;

    @Test
    void replyLatency() throws Exception {
        StringBuilder report = new StringBuilder("\nreply latency, " + CALLBACKS + " callbacks of 2 new topics each,"
                + " sequential, after " + WARMUP + " warm-up callbacks\n");
        report.append(String.format("%-11s %-14s %9s %9s %9s %9s%n", "database", "CRM", "median", "p90", "p99", "max"));
        for (String database : new String[] {"H2", "PostgreSQL"}) {
            for (int crmDelayMs : new int[] {0, 3000}) {
                double[] ms = run(database, crmDelayMs);
                report.append(String.format("%-11s %-14s %7.2fms %7.2fms %7.2fms %7.2fms%n", database,
                        crmDelayMs == 0 ? "healthy" : "answers in 3s",
                        percentile(ms, 50), percentile(ms, 90), percentile(ms, 99), ms[ms.length - 1]));
            }
        }
        System.out.println(report);
    }

    private double[] run(String database, int crmDelayMs) throws Exception {
        WireMockServer crm = new WireMockServer(options().dynamicPort().containerThreads(50));
        crm.start();
        crm.stubFor(post("/crm").willReturn(ok().withFixedDelay(crmDelayMs)));
        Map<String, String> properties = new LinkedHashMap<>("H2".equals(database)
                ? TestDatabases.h2File(Files.createTempDirectory("bench").resolve("bridge").toString())
                : TestDatabases.freshPostgres());
        properties.put("server.port", "0");
        properties.put("im.sdkappid", SDK_APP_ID);
        properties.put("webhook.url", crm.baseUrl() + "/crm");
        properties.put("demo.crm.enabled", "false");
        properties.put("logging.level.im-callback", "WARN");
        properties.put("logging.level.webhook-delivery", "WARN");
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(ImCallbackBridgeApplication.class).run(args)) {
            ImBackend im = new ImBackend(Integer.parseInt(app.getEnvironment().getProperty("local.server.port")));
            for (int i = 0; i < WARMUP; i++) {
                send(im);
            }
            double[] ms = new double[CALLBACKS];
            for (int i = 0; i < CALLBACKS; i++) {
                long started = System.nanoTime();
                send(im);
                ms[i] = (System.nanoTime() - started) / 1e6;
            }
            long topics = app.getBean(JdbcTemplate.class).queryForObject("SELECT COUNT(*) FROM im_topic_destroyed", Long.class);
            assertThat(topics).isEqualTo(2L * (WARMUP + CALLBACKS));
            Arrays.sort(ms);
            return ms;
        } finally {
            crm.stop();
        }
    }

    private static void send(ImBackend im) {
        String group = "@TGS#_@TGS#" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, topicCallback(group, "TestTopic", "TestTopic_1"));
        if (reply.statusCode() != 200 || !OK_REPLY.equals(reply.body())) {
            throw new AssertionError("unexpected reply " + reply.statusCode() + " " + reply.body());
        }
    }

    private static double percentile(double[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
    }
}
