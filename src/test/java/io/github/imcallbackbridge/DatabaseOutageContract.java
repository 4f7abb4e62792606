package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.BridgeProcess;
import io.github.imcallbackbridge.support.FlakyNetwork;
import io.github.imcallbackbridge.support.ImBackend;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The database goes away while the IM backend keeps calling: every callback is still answered OK within the
 * deadline, kept in the journal while the database cannot take it, and recorded and delivered exactly once when
 * it is back. The database sits behind {@link FlakyNetwork}, which refuses connections or swallows packets.
 * Run once per database by its subclasses.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(180)
abstract class DatabaseOutageContract {

    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final WireMockExtension CRM = WireMockExtension.newInstance()
            .options(options().dynamicPort().containerThreads(40)).build();

    @TempDir
    Path journal;

    FlakyNetwork network;
    Map<String, String> database;

    /** The database server's own port (the network sits in front of it). */
    abstract int databasePort();

    /** Datasource properties of a new, empty database reached through {@code port}. */
    abstract Map<String, String> freshDatabase(int port);

    @BeforeEach
    void databaseBehindAFlakyNetwork() throws IOException {
        CRM.stubFor(post(urlEqualTo("/crm")).willReturn(ok()));
        network = new FlakyNetwork("127.0.0.1", databasePort());
        database = freshDatabase(network.port());
    }

    @AfterEach
    void closeNetwork() throws IOException {
        network.close();
    }

    @Test
    void aSteadyStreamIsAnsweredOkInTimeThroughOutagesAndEveryTopicIsRecordedAndDeliveredOnce(CapturedOutput log)
            throws Exception {
        try (ConfigurableApplicationContext bridge = start(journal)) {
            ImBackend im = new ImBackend(BridgeLauncher.port(bridge));
            List<String> groups = Collections.synchronizedList(new ArrayList<>());
            List<long[]> replies = Collections.synchronizedList(new ArrayList<>()); // {status ok?1:0, millis}
            // the stream: two senders, each starting a callback every 40 ms (or when its last reply came, if later)
            ScheduledExecutorService senders = Executors.newScheduledThreadPool(2);
            for (int i = 0; i < 2; i++) {
                senders.scheduleAtFixedRate(() -> {
                    String group = newGroupId();
                    long start = System.nanoTime();
                    HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, topicCallback(group, "a", "b"));
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    groups.add(group);
                    replies.add(new long[] {reply.statusCode() == 200 && OK_REPLY.equals(reply.body()) ? 1 : 0, millis});
                }, 0, 40, TimeUnit.MILLISECONDS);
            }

            awaitReplies(replies, 20);
            network.refuse();
            awaitJournaled(im, 50); // the outage lasts until 50 more callbacks were kept in the journal
            JsonNode whileDown = health(im);
            int waitingWhileDown = whileDown.at("/components/callbackJournal/details/recordsWaiting").asInt();
            assertThat(waitingWhileDown).as("callbacks wait in the journal while the database is down").isPositive();
            assertThat(im.send("GET", "/actuator/health/readiness").statusCode())
                    .as("ready: the journal takes the callbacks").isEqualTo(200);
            assertThat(im.send("GET", "/actuator/health/liveness").statusCode()).isEqualTo(200);
            long healed = System.nanoTime();
            network.heal();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> health(im).at("/components/callbackJournal/details/recordsWaiting").asInt() == 0);
            double replaySeconds = (System.nanoTime() - healed) / 1e9;
            awaitReplies(replies, replies.size() + 20);
            network.blackhole();
            awaitJournaled(im, 50);
            int sentBefore = webhookIdsAtCrm().size();
            long back = System.nanoTime();
            network.heal();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> webhookIdsAtCrm().size() > sentBefore);
            double resumedSeconds = (System.nanoTime() - back) / 1e9;
            awaitReplies(replies, replies.size() + 20);
            senders.shutdown();
            assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).as("the senders' last callbacks answered").isTrue();

            List<Long> millis = replies.stream().map(r -> r[1]).sorted().toList();
            System.out.printf("outages: %d callbacks, reply p50 %d ms, p99 %d ms, max %d ms; %d journaled in the first outage,"
                            + " journal empty %.2f s after the database came back; delivery resumed %.2f s after the"
                            + " blackhole ended%n", millis.size(),
                    millis.get(millis.size() / 2), millis.get((int) (millis.size() * 0.99)), millis.get(millis.size() - 1),
                    waitingWhileDown, replaySeconds, resumedSeconds);
            assertThat(replies).as("every callback answered OK").allMatch(r -> r[0] == 1);
            assertThat(millis.get(millis.size() - 1)).as("every reply within 2 s").isLessThanOrEqualTo(2000);

            JdbcTemplate jdbc = bridge.getBean(JdbcTemplate.class);
            try {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> countForGroups(jdbc,
                        "SELECT group_id FROM webhook_delivery WHERE status = 'DELIVERED'", groups) == 2L * groups.size());
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("not every topic delivered within 60 s; deliveries of the stream's groups: "
                        + deliveryStates(jdbc, groups) + "; errors logged: "
                        + log.getAll().lines().filter(l -> l.contains(" ERROR ")).limit(5).toList(), e);
            }
            assertThat(countForGroups(jdbc, "SELECT group_id FROM im_topic_destroyed", groups))
                    .as("every acknowledged topic recorded once").isEqualTo(2L * groups.size());
            assertThat(webhookIdsAtCrm()).as("every topic delivered once").hasSize(2 * groups.size())
                    .doesNotHaveDuplicates();
            assertThat(journalSegments(journal)).as("replayed segments are removed").isEmpty();
        }
        long wentAway = log.getAll().lines().filter(l -> l.contains("database unavailable (")).count();
        long cameBack = log.getAll().lines().filter(l -> l.contains("database reachable again")).count();
        assertThat(wentAway).as("a WARN when the database goes, not one per poll").isBetween(2L, 4L);
        assertThat(cameBack).as("an INFO when it is back").isEqualTo(wentAway);
        assertThat(log.getAll()).as("no background route fails loudly").doesNotContain(" failed: ");
    }

    @Test
    void aJournalReplayedTwiceRecordsAndDeliversOnce() throws Exception {
        String group = newGroupId();
        Path saved = Files.createTempDirectory("journal-copy");
        try (ConfigurableApplicationContext bridge = start(journal)) {
            ImBackend im = new ImBackend(BridgeLauncher.port(bridge));
            network.refuse();
            assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "x", "y")).body()).isEqualTo(OK_REPLY);
            for (Path segment : journalSegments(journal)) {
                Files.copy(segment, saved.resolve(segment.getFileName()));
            }
            assertThat(journalSegments(saved)).hasSize(1);
            String scrape = im.send("GET", "/actuator/prometheus").body();
            assertThat(MetricsTest.value(scrape, "im_callbacks_total", "command", TOPIC_DESTROYED, "outcome", "journaled"))
                    .isEqualTo(1);
            assertThat(MetricsTest.value(scrape, "im_callback_journal_records")).isEqualTo(1);
            network.heal();
            JdbcTemplate jdbc = bridge.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> deliveredForGroup(jdbc, group) == 2);
        }
        for (Path segment : journalSegments(saved)) {
            Files.copy(segment, journal.resolve(segment.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        try (ConfigurableApplicationContext again = start(journal)) {
            ImBackend im = new ImBackend(BridgeLauncher.port(again));
            await().atMost(Duration.ofSeconds(30)).until(() -> journalSegments(journal).isEmpty());
            awaitLaterCallbackDelivered(im);
            JdbcTemplate jdbc = again.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = ?", Long.class, group))
                    .isEqualTo(2);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE group_id = ?", Long.class, group))
                    .isEqualTo(2);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM im_callback WHERE raw_body LIKE ?", Long.class,
                    "%" + group + "%")).isEqualTo(1);
        }
        assertThat(CRM.findAll(postRequestedFor(urlEqualTo("/crm")).withRequestBody(containing(group))))
                .as("each topic sent once").hasSize(2);
    }

    @Test
    void callbacksInTheJournalOfAKilledInstanceAreRecordedAndDeliveredAfterARestart() throws Exception {
        int port = ImBackend.freePort();
        BridgeProcess doomed = BridgeProcess.fromClasspath(BridgeLauncher.arguments(database, port, CRM.baseUrl() + "/crm",
                Map.of("callback.journal-dir", journal.toString())), Path.of("target/journal-killed-instance.log"));
        List<String> groups = new ArrayList<>();
        try {
            ImBackend im = new ImBackend(port);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> im.send("GET", "/actuator/health/readiness").statusCode() == 200);
            network.refuse();
            for (int i = 0; i < 5; i++) {
                String group = newGroupId();
                groups.add(group);
                assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "k")).body()).isEqualTo(OK_REPLY);
            }
        } finally {
            doomed.kill(); // SIGKILL: no shutdown hook
        }
        assertThat(journalSegments(journal)).isNotEmpty();
        network.heal();
        try (ConfigurableApplicationContext restarted = start(journal)) {
            JdbcTemplate jdbc = restarted.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> countForGroups(jdbc,
                    "SELECT group_id FROM webhook_delivery WHERE status = 'DELIVERED'", groups) == groups.size());
            assertThat(countForGroups(jdbc, "SELECT group_id FROM im_topic_destroyed", groups)).isEqualTo(groups.size());
            assertThat(journalSegments(journal)).isEmpty();
        }
        for (String group : groups) {
            assertThat(CRM.findAll(postRequestedFor(urlEqualTo("/crm")).withRequestBody(containing(group)))).hasSize(1);
        }
    }

    @Test
    void aTornLastRecordIsSkippedWithAWarningAndTheOthersAreReplayed(CapturedOutput log) throws Exception {
        List<String> groups = List.of(newGroupId(), newGroupId(), newGroupId());
        try (ConfigurableApplicationContext bridge = start(journal)) {
            ImBackend im = new ImBackend(BridgeLauncher.port(bridge));
            network.refuse();
            for (String group : groups) {
                assertThat(im.callback(TOPIC_DESTROYED, topicCallback(group, "t")).body()).isEqualTo(OK_REPLY);
            }
        }
        List<Path> segments = journalSegments(journal);
        assertThat(segments).hasSize(1);
        try (RandomAccessFile segment = new RandomAccessFile(segments.get(0).toFile(), "rw")) {
            segment.setLength(segment.length() - 7); // the last append cut short by a crash
        }
        network.heal();
        try (ConfigurableApplicationContext bridge = start(journal)) {
            JdbcTemplate jdbc = bridge.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> countForGroups(jdbc,
                    "SELECT group_id FROM webhook_delivery WHERE status = 'DELIVERED'", groups.subList(0, 2)) == 2);
            assertThat(countForGroups(jdbc, "SELECT group_id FROM im_topic_destroyed", groups)).isEqualTo(2);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = ?", Long.class,
                    groups.get(2))).isZero();
        }
        assertThat(log.getAll()).contains("is incomplete or fails its checksum");
        assertThat(journalSegments(journal)).isEmpty();
        try (Stream<Path> files = Files.list(journal)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(name -> name.endsWith(".journal.damaged"));
        }
    }

    @Test
    void withNeitherDatabaseNorJournalTheCallbackIsRefusedAt503WithinTheDeadlineAndNothingIsStored() throws Exception {
        Path notADirectory = Files.createFile(journal.resolve("occupied"));
        String group = newGroupId();
        try (ConfigurableApplicationContext bridge = start(notADirectory)) {
            ImBackend im = new ImBackend(BridgeLauncher.port(bridge));
            network.refuse();
            long start = System.nanoTime();
            HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, topicCallback(group, "lost"));
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(reply.statusCode()).isEqualTo(503);
            JsonNode fail = JSON.readTree(reply.body());
            assertThat(fail.get("ActionStatus").asText()).isEqualTo("FAIL");
            assertThat(fail.get("ErrorCode").asInt()).isEqualTo(503);
            assertThat(fail.get("ErrorInfo").asText()).contains("journal cannot be written").contains("nothing was stored");
            assertThat(millis).as("within the deadline").isLessThanOrEqualTo(2000);
            assertThat(im.send("GET", "/actuator/health/readiness").statusCode())
                    .as("not ready: neither the database nor the journal can take a callback").isEqualTo(503);
            assertThat(Files.size(notADirectory)).as("nothing half-written").isZero();

            network.heal();
            awaitLaterCallbackDelivered(im);
            JdbcTemplate jdbc = bridge.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = ?", Long.class, group))
                    .isZero();
        }
        assertThat(CRM.findAll(postRequestedFor(urlEqualTo("/crm")).withRequestBody(containing(group)))).isEmpty();
    }

    ConfigurableApplicationContext start(Path journalDir) {
        return BridgeLauncher.start(database, 0, CRM.baseUrl() + "/crm", Map.of("callback.journal-dir", journalDir.toString()));
    }

    /** Records a callback of a fresh group and waits until its webhook arrived: the database is back by then. */
    void awaitLaterCallbackDelivered(ImBackend im) {
        String marker = newGroupId();
        await().atMost(Duration.ofSeconds(30)).until(() -> OK_REPLY.equals(im.callback(TOPIC_DESTROYED,
                topicCallback(marker, "later")).body()));
        await().atMost(Duration.ofSeconds(30)).until(() -> !CRM.findAll(postRequestedFor(urlEqualTo("/crm"))
                .withRequestBody(containing(marker))).isEmpty());
    }

    static JsonNode health(ImBackend im) throws IOException {
        return JSON.readTree(im.send("GET", "/actuator/health").body());
    }

    static long countForGroups(JdbcTemplate jdbc, String selectGroupIds, List<String> groups) {
        Set<String> wanted = new HashSet<>(groups);
        return jdbc.queryForList(selectGroupIds, String.class).stream().filter(wanted::contains).count();
    }

    /** How many deliveries of {@code groups} are in each state (status, leased or not, attempts): for a failure's message. */
    static Map<String, Long> deliveryStates(JdbcTemplate jdbc, List<String> groups) {
        Set<String> wanted = new HashSet<>(groups);
        return jdbc.queryForList("SELECT group_id, status, lease_until, attempts FROM webhook_delivery").stream()
                .filter(row -> wanted.contains(row.get("group_id")))
                .collect(Collectors.groupingBy(row -> row.get("status") + (row.get("lease_until") == null ? "" : " leased")
                        + " after " + row.get("attempts") + " attempts", TreeMap::new, Collectors.counting()));
    }

    static long deliveredForGroup(JdbcTemplate jdbc, String group) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE group_id = ? AND status = 'DELIVERED'",
                Long.class, group);
    }

    static List<String> webhookIdsAtCrm() {
        return CRM.findAll(postRequestedFor(urlEqualTo("/crm"))).stream().map(r -> r.getHeader("webhook-id")).toList();
    }

    static List<Path> journalSegments(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".journal")).sorted().toList();
        }
    }

    static String newGroupId() {
        return "@TGS#_@TGS#" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static void awaitReplies(List<long[]> replies, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> replies.size() >= count);
    }

    /** Waits until {@code records} more callbacks were journaled (read from the metrics: no database involved). */
    static void awaitJournaled(ImBackend im, int records) {
        double before = journaled(im);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> journaled(im) >= before + records);
    }

    static double journaled(ImBackend im) {
        return Math.max(0, MetricsTest.value(im.send("GET", "/actuator/prometheus").body(), "im_callbacks_total",
                "outcome", "journaled"));
    }
}
