package io.github.imcallbackbridge;

import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static io.github.imcallbackbridge.support.ImBackend.topicCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A journal folder belongs to one instance: a second one pointed at the same folder is not ready (its health
 * names the folder as used by another process) and never replays or writes there, until the first has stopped.
 */
class JournalFolderTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    @Test
    void aSecondInstanceOnTheSameJournalFolderIsNotReadyUntilTheFirstHasStopped() throws Exception {
        Path journal = folder.resolve("journal");
        Map<String, String> sameFolder = Map.of("callback.journal-dir", journal.toString());
        ConfigurableApplicationContext first = BridgeLauncher.start(TestDatabases.h2InMemory(), 0, "http://127.0.0.1:9/crm", sameFolder);
        try (ConfigurableApplicationContext second = BridgeLauncher.start(TestDatabases.h2InMemory(), 0, "http://127.0.0.1:9/crm", sameFolder)) {
            ImBackend a = new ImBackend(BridgeLauncher.port(first));
            ImBackend b = new ImBackend(BridgeLauncher.port(second));
            await().atMost(Duration.ofSeconds(20)).until(() -> a.send("GET", "/actuator/health/readiness").statusCode() == 200);

            HttpResponse<String> notReady = b.send("GET", "/actuator/health/readiness");
            assertThat(notReady.statusCode()).isEqualTo(503);
            JsonNode journalHealth = JSON.readTree(notReady.body()).path("components").path("callbackJournal");
            assertThat(journalHealth.path("status").asText()).isEqualTo("DOWN");
            assertThat(journalHealth.path("details").path("reason").asText()).contains("in use by another process");
            assertThat(Files.exists(journal.resolve("journal.lock"))).isTrue();
            // with its database up, the second instance still records what it is sent
            assertThat(b.callback(TOPIC_DESTROYED, topicCallback("@TGS#_journalfolder", "a")).body()).isEqualTo(OK_REPLY);

            first.close();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> b.send("GET", "/actuator/health/readiness").statusCode() == 200);
        } finally {
            first.close();
        }
    }
}
