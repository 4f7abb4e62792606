package io.github.imcallbackbridge;

import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.SEED_CALLBACK;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.imcallbackbridge.support.BridgeProcess;
import io.github.imcallbackbridge.support.ImBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as an operator starts it ({@code java -jar target/im-callback-bridge.jar}, run by failsafe after
 * {@code package}): from any folder with the routes it carries, or with the folder {@code ROUTES_DIR} names; and a
 * start that cannot work exits non-zero within 30 s, saying why, instead of staying up answering nothing.
 */
class ArtifactStartIT {

    static final Path JAR = Path.of("target/im-callback-bridge.jar");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    @Test
    void theJarStartsFromAnEmptyFolderWithTheRoutesItCarries() throws Exception {
        int port = ImBackend.freePort();
        try (BridgeProcess bridge = BridgeProcess.fromJar(JAR, folder, Map.of("IM_SDKAPPID", ImBackend.SDK_APP_ID),
                List.of("--server.port=" + port),
                folder.resolve("bridge.log"))) {
            ImBackend im = awaitReady(bridge, port);

            assertThat(im.callback(TOPIC_DESTROYED, SEED_CALLBACK).body()).isEqualTo(OK_REPLY);
            JsonNode health = JSON.readTree(im.send("GET", "/actuator/health").body());
            assertThat(health.at("/components/callbackRoute/status").asText()).isEqualTo("UP");
            await().atMost(Duration.ofSeconds(20)).until(() -> MetricsTest.value(im.send("GET", "/actuator/prometheus").body(),
                    "webhook_deliveries_total", "outcome", "delivered") == 2);
            assertThat(folder.resolve("data")).as("its database and journal in the folder it started in").isDirectory();
        }
    }

    @Test
    void routesDirRunsTheRouteFilesOfAFolderReachedThroughALink() throws Exception {
        Path routes = copyOfTheRoutes(folder.resolve("edited-routes"));
        Files.writeString(routes.resolve("hello.camel.yaml"), String.join("\n",
                "- route:",
                "    id: hello",
                "    from:",
                "      id: hello-request",
                "      uri: platform-http:/hello",
                "      steps:",
                "        - setBody:",
                "            id: hello-body",
                "            constant:",
                "              expression: hello from ROUTES_DIR"));
        Path link = Files.createSymbolicLink(folder.resolve("routes"), routes);
        int port = ImBackend.freePort();
        try (BridgeProcess bridge = BridgeProcess.fromJar(JAR, folder,
                Map.of("ROUTES_DIR", link.toString(), "IM_SDKAPPID", ImBackend.SDK_APP_ID),
                List.of("--server.port=" + port), folder.resolve("bridge.log"))) {
            ImBackend im = awaitReady(bridge, port);

            assertThat(im.send("GET", "/hello").body()).isEqualTo("hello from ROUTES_DIR");
            assertThat(im.callback(TOPIC_DESTROYED, SEED_CALLBACK).body()).isEqualTo(OK_REPLY);
        }
    }

    @Test
    void aRoutesDirThatIsMissingStopsTheStart() throws Exception {
        assertStartFails(Map.of("ROUTES_DIR", folder.resolve("no-such-folder").toString()),
                "ROUTES_DIR=" + folder.resolve("no-such-folder") + " is not a folder");
    }

    @Test
    void aRoutesDirWithoutRouteFilesStopsTheStart() throws Exception {
        Path empty = Files.createDirectory(folder.resolve("empty"));
        assertStartFails(Map.of("ROUTES_DIR", empty.toString()), "holds no *.camel.yaml route file");
    }

    @Test
    void aRouteFileThatDoesNotParseStopsTheStart() throws Exception {
        Path routes = copyOfTheRoutes(folder.resolve("routes"));
        Files.writeString(routes.resolve("broken.camel.yaml"), """
                - route:
                    id: broken
                    from:
                      uri: direct:broken
                      steps:
                        - sendTo: nowhere
                """);
        assertStartFails(Map.of("ROUTES_DIR", routes.toString()), "a route file could not be loaded");
    }

    @Test
    void aDatabaseThatCannotBeReachedStopsTheStartAfterABoundedWait() throws Exception {
        int closedPort = ImBackend.freePort();
        assertStartFails(Map.of("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/bridge",
                "SPRING_DATASOURCE_USERNAME", "bridge"), "the database cannot be reached");
    }

    /** Starts the jar with {@code environment} and expects a non-zero exit within 30 s, with {@code reason} in its output. */
    void assertStartFails(Map<String, String> environment, String reason) throws Exception {
        long started = System.nanoTime();
        try (BridgeProcess bridge = BridgeProcess.fromJar(JAR, folder, environment,
                List.of("--server.port=" + ImBackend.freePort()), folder.resolve("failed-start.log"))) {
            Integer exitCode = bridge.exitCodeWithin(Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("failed start (%s): exit %s after %.1f s%n", reason, exitCode, seconds);
            assertThat(exitCode).as("exits within 30 s; output:%n%s", bridge.output()).isNotNull().isNotZero();
            assertThat(bridge.output()).contains("APPLICATION FAILED TO START").contains(reason);
        }
    }

    static ImBackend awaitReady(BridgeProcess bridge, int port) {
        ImBackend im = new ImBackend(port);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .failFast("the process exited", () -> !bridge.process().isAlive())
                .until(() -> im.send("GET", "/actuator/health/readiness").statusCode() == 200);
        return im;
    }

    static Path copyOfTheRoutes(Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return target;
    }
}
