package io.github.imcallbackbridge.benchmark;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;

import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The forwarded path (IM_CALLBACKS_FORWARD) against the 1-topic path: sequential callbacks to one instance,
 * each recorded and queued for one target that takes both, alternately twice, on each database. Reports the
 * reply latency of each and their ratio.
 * <p>
 * Not part of {@code ./mvnw verify}. Run with {@code ./mvnw -Pbenchmark verify -Dtest=ForwardedPathBenchmark}.
 */
class ForwardedPathBenchmark {

    private static final int CALLBACKS = Integer.getInteger("benchmark.callbacks", 1500);
    private static final int WARMUP = 500;
    private static final String C2C = "C2C.CallbackAfterSendMsg";

    @Test
    void forwardedCallbacksCostNoMoreThanOneTopicCallbacks() throws Exception {
        WireMockServer crm = new WireMockServer(options().dynamicPort().containerThreads(20));
        crm.start();
        crm.stubFor(post("/crm").willReturn(ok()));
        StringBuilder report = new StringBuilder("\nreply latency, " + CALLBACKS + " sequential callbacks per round\n");
        try {
            for (Map.Entry<String, Map<String, String>> database : Map.of("H2 in memory", TestDatabases.h2InMemory(),
                    "PostgreSQL", TestDatabases.freshPostgres()).entrySet()) {
                try (ConfigurableApplicationContext bridge = BridgeLauncher.start(database.getValue(), 0, crm.baseUrl() + "/crm",
                        Map.of("im.callbacks.forward", C2C, "webhook.target.default.events", "im.topic.destroyed,im.callback.*",
                                "logging.level.im-callback", "WARN", "logging.level.webhook-delivery", "WARN"))) {
                    ImBackend im = new ImBackend(BridgeLauncher.port(bridge));
                    Supplier<Object> oneTopic = () -> im.callback(TOPIC_DESTROYED, topicCallback(id("@TGS#_@TGS#"), "a"));
                    Supplier<Object> forwarded = () -> im.callback(C2C, c2cMessage(id("1_2_")));
                    time(oneTopic, WARMUP);
                    time(forwarded, WARMUP);
                    for (int round = 1; round <= 2; round++) {
                        double[] topic = time(oneTopic, CALLBACKS);
                        double[] generic = time(forwarded, CALLBACKS);
                        report.append(String.format("%s round %d: 1-topic mean %.2f ms p50 %.2f p99 %.2f | forwarded mean %.2f ms"
                                        + " p50 %.2f p99 %.2f | forwarded/1-topic mean %.2f%n", database.getKey(), round,
                                mean(topic), topic[topic.length / 2], topic[(int) (topic.length * 0.99)], mean(generic),
                                generic[generic.length / 2], generic[(int) (generic.length * 0.99)], mean(generic) / mean(topic)));
                    }
                }
            }
        } finally {
            crm.stop();
        }
        System.out.println(report);
    }

    private static double[] time(Supplier<Object> send, int count) {
        double[] ms = new double[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            send.get();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    private static double mean(double[] ms) {
        return Arrays.stream(ms).average().orElse(0);
    }

    private static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static String c2cMessage(String msgKey) {
        return "{\"CallbackCommand\":\"" + C2C + "\",\"From_Account\":\"jared\",\"To_Account\":\"Jonh\",\"MsgSeq\":48374,"
                + "\"MsgRandom\":2837546,\"MsgTime\":1557481126,\"MsgKey\":\"" + msgKey + "\",\"OnlineOnlyFlag\":1,"
                + "\"SendMsgResult\":0,\"ErrorInfo\":\"send msg succeed\",\"UnreadMsgNum\":7,\"MsgBody\":[{\"MsgType\":"
                + "\"TIMTextElem\",\"MsgContent\":{\"Text\":\"red packet\"}}],\"CloudCustomData\":\"x\"}";
    }
}
