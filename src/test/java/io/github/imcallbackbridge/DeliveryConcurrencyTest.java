package io.github.imcallbackbridge;

import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Concurrent delivery, against a target that counts what it receives: requests in flight never exceed the
 * target's max-in-flight (and reach it), and an ordered target gets each group's events one at a time, in
 * the order they were recorded, while other groups flow.
 */
class DeliveryConcurrencyTest {

    static Stream<Arguments> databases() throws IOException {
        return Stream.of(
                Arguments.of("H2 file", TestDatabases.h2File(Files.createTempDirectory("bridge-h2").resolve("bridge").toString())),
                Arguments.of("PostgreSQL", TestDatabases.freshPostgres()));
    }

    private CountingTarget target;

    @BeforeEach
    void startTarget() throws IOException {
        target = new CountingTarget();
    }

    @AfterEach
    void stopTarget() {
        target.server.stop(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aTargetNeverHasMoreRequestsInFlightThanItsMaximum(String name, Map<String, String> database) {
        target.delayMillis = 150;
        String group = "@TGS#_" + UUID.randomUUID().toString().substring(0, 8);
        try (ConfigurableApplicationContext app = BridgeLauncher.start(database, 0, target.url(), Map.of(
                "webhook.target.default.max-in-flight", "4"))) {
            assertThat(new ImBackend(BridgeLauncher.port(app)).callback(TOPIC_DESTROYED, topicCallback(group, topics(40))).body())
                    .isEqualTo(OK_REPLY);

            await().atMost(Duration.ofSeconds(30)).until(() -> target.arrivals(group).size() == 40);
            assertThat(target.maxInFlight.get()).as("requests in flight at once").isEqualTo(4);
            assertThat(Set.copyOf(target.arrivals(group))).hasSize(40);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void anOrderedTargetGetsEachGroupsEventsOneAtATimeInOrderWhileOtherGroupsFlow(String name, Map<String, String> database) {
        String slow = "@TGS#_slow" + UUID.randomUUID().toString().substring(0, 8);
        String fast = "@TGS#_fast" + UUID.randomUUID().toString().substring(0, 8);
        target.slowGroup = slow;
        target.delayMillis = 200;
        target.failFirstAttemptOf = slow + "@TOPIC#_e0";
        try (ConfigurableApplicationContext app = BridgeLauncher.start(database, 0, target.url(), Map.of(
                "webhook.target.default.ordered", "true",
                "webhook.target.default.max-in-flight", "8",
                "webhook.target.default.retry-schedule", "300ms,300ms,300ms"))) {
            ImBackend im = new ImBackend(BridgeLauncher.port(app));
            String[] events = {"e0", "e1", "e2", "e3", "e4"};

            assertThat(im.callback(TOPIC_DESTROYED, topicCallback(slow, events)).body()).isEqualTo(OK_REPLY);
            assertThat(im.callback(TOPIC_DESTROYED, topicCallback(fast, events)).body()).isEqualTo(OK_REPLY);

            await().atMost(Duration.ofSeconds(30)).until(() -> target.arrivals(slow).size() == 6);
            await().atMost(Duration.ofSeconds(10)).until(() -> target.arrivals(fast).size() == 5);
            assertThat(target.arrivals(slow)).as("the refused first attempt is retried before the next event goes")
                    .containsExactly(slow + "@TOPIC#_e0", slow + "@TOPIC#_e0", slow + "@TOPIC#_e1", slow + "@TOPIC#_e2",
                            slow + "@TOPIC#_e3", slow + "@TOPIC#_e4");
            assertThat(target.arrivals(fast)).containsExactly(Stream.of(events).map(e -> fast + "@TOPIC#_" + e).toArray(String[]::new));
            assertThat(target.maxInFlightPerGroup.values()).as("one request in flight per group").containsOnly(1);
            assertThat(target.lastArrival(fast)).as("the fast group did not wait for the slow one")
                    .isLessThan(target.lastArrival(slow));
        }
    }

    /**
     * Recording comes first: while a callback of 60 topics (over webhook.yield-to-recording-topics, 50) is being
     * recorded, a target with a backlog gets one request at a time; once it is recorded, max-in-flight again.
     * PostgreSQL: another transaction holds one of its topics, so its recording waits, in progress, until that
     * transaction ends.
     */
    @Test
    void whileManyTopicsAreBeingRecordedATargetGetsOneRequestAtATime() throws Exception {
        target.delayMillis = 50;
        Map<String, String> database = TestDatabases.freshPostgres();
        String backlog = "@TGS#_backlog" + UUID.randomUUID().toString().substring(0, 8);
        String big = "@TGS#_big" + UUID.randomUUID().toString().substring(0, 8);
        try (ConfigurableApplicationContext app = BridgeLauncher.start(database, 0, target.url(), Map.of(
                "webhook.target.default.max-in-flight", "4",
                "callback.deadline-ms", "30000"))) {
            ImBackend im = new ImBackend(BridgeLauncher.port(app));
            assertThat(im.callback(TOPIC_DESTROYED, topicCallback(backlog, topics(200))).body()).isEqualTo(OK_REPLY);

            CompletableFuture<HttpResponse<String>> bigReply;
            int arrivedWhileBusy;
            try (Connection other = DriverManager.getConnection(database.get("spring.datasource.url"),
                    database.get("spring.datasource.username"), database.get("spring.datasource.password"))) {
                other.setAutoCommit(false);
                try (Statement insert = other.createStatement()) {
                    insert.executeUpdate("INSERT INTO im_topic_destroyed (topic_id, group_id, sdk_app_id, event_id, callback_id,"
                            + " received_at) VALUES ('" + big + "@TOPIC#_t0', '" + big + "', '1', 'held', 'held', now())");
                }
                bigReply = CompletableFuture.supplyAsync(() -> im.callback(TOPIC_DESTROYED, topicCallback(big, topics(60))));
                await().atMost(Duration.ofSeconds(10)).until(() -> gauge(im, "im_recording_topics") >= 60);
                arrivedWhileBusy = target.received.size();
                // the round under way still has its 4 slots (at most 16 claimed); every round after it has one
                await().atMost(Duration.ofSeconds(20)).until(() -> target.received.size() >= arrivedWhileBusy + 16 + 8);
                assertThat(bigReply).as("still being recorded").isNotDone();
                assertThat(target.inFlightAtArrival.subList(arrivedWhileBusy + 16, target.received.size()))
                        .as("requests in flight, each seen on arrival, while 60 topics were being recorded").containsOnly(1);
                other.rollback();
            }
            assertThat(bigReply.get(20, TimeUnit.SECONDS).body()).isEqualTo(OK_REPLY);
            int recorded = target.received.size();

            await().atMost(Duration.ofSeconds(60)).until(() -> target.arrivals(backlog).size() == 200 && target.arrivals(big).size() == 60);
            assertThat(gauge(im, "im_recording_topics")).isZero();
            assertThat(target.inFlightAtArrival.subList(recorded, target.received.size()))
                    .as("after the recording, the target's max-in-flight again").contains(4).allMatch(n -> n <= 4);
        }
    }

    private static String[] topics(int count) {
        return IntStream.range(0, count).mapToObj(i -> "t" + i).toArray(String[]::new);
    }

    /** A gauge's value, scraped as an operator would (-1 when it is not exported). */
    private static double gauge(ImBackend im, String name) {
        return MetricsTest.value(im.send("GET", "/actuator/prometheus").body(), name);
    }

    /** A webhook target (JDK HTTP server) that notes each request's topic and counts requests in flight. */
    static final class CountingTarget {
        static final Pattern TOPIC = Pattern.compile("\"topicId\":\"([^\"]*)\"");

        final HttpServer server;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final Map<String, AtomicInteger> inFlightPerGroup = new ConcurrentHashMap<>();
        final Map<String, Integer> maxInFlightPerGroup = new ConcurrentHashMap<>();
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        /** Requests in flight as each request arrived (itself included), in the order of {@link #received}. */
        final List<Integer> inFlightAtArrival = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
        volatile long delayMillis;
        volatile String slowGroup;
        volatile String failFirstAttemptOf;

        CountingTarget() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
            server.createContext("/crm", this::handle);
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/crm";
        }

        List<String> arrivals(String group) {
            synchronized (received) {
                return received.stream().filter(topic -> topic.startsWith(group + "@")).toList();
            }
        }

        long lastArrival(String group) {
            return arrivedAt.get(group);
        }

        private void handle(HttpExchange exchange) throws IOException {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher matcher = TOPIC.matcher(body);
            String topic = matcher.find() ? matcher.group(1) : "?";
            String group = topic.contains("@TOPIC#_") ? topic.substring(0, topic.indexOf("@TOPIC#_")) : "?";
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            int inGroup = inFlightPerGroup.computeIfAbsent(group, g -> new AtomicInteger()).incrementAndGet();
            maxInFlightPerGroup.merge(group, inGroup, Math::max);
            try {
                boolean refuse;
                synchronized (received) {
                    refuse = topic.equals(failFirstAttemptOf) && !received.contains(topic);
                    received.add(topic);
                    inFlightAtArrival.add(now);
                }
                if (delayMillis > 0 && (slowGroup == null || group.equals(slowGroup))) {
                    Thread.sleep(delayMillis); // the target's own answer time (a slow CRM), not a wait of the test
                }
                arrivedAt.put(group, System.nanoTime());
                // done before the answer leaves: the bridge may send its next request as soon as it has it
                inFlightPerGroup.get(group).decrementAndGet();
                inFlight.decrementAndGet();
                exchange.sendResponseHeaders(refuse ? 500 : 204, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        }
    }
}
