package io.github.imcallbackbridge;

import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** In the dev profile, an edited route file takes effect while the application runs. */
class RouteReloadTest {

    @Test
    void anEditedRouteFileIsReloadedWithoutARestart(@TempDir Path routes) throws Exception {
        try (var files = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
            for (Path file : files) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        String unknownCommand = "{\"CallbackCommand\":\"Group.CallbackAfterSomethingElse\"}";
        try (ConfigurableApplicationContext app = BridgeLauncher.start(TestDatabases.h2InMemory(), 0, "http://127.0.0.1:9/crm",
                Map.of("spring.profiles.active", "dev", "routes.dir", routes.toString()))) {
            ImBackend im = new ImBackend(BridgeLauncher.port(app));
            assertThat(im.callback("Group.CallbackAfterSomethingElse", unknownCommand).body())
                    .isEqualTo(ImBackend.OK_REPLY);

            Path route = routes.resolve("im-callback.camel.yaml");
            Path edited = Files.writeString(routes.resolve("im-callback.edit"), Files.readString(route).replace(
                    "'{\"ActionStatus\":\"OK\",\"ErrorInfo\":\"\",\"ErrorCode\":0}'",
                    "'{\"ActionStatus\":\"OK\",\"ErrorInfo\":\"edited\",\"ErrorCode\":0}'"));
            // saved the way editors do: written aside, then moved over the original in one step
            Files.move(edited, route, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                    im.callback("Group.CallbackAfterSomethingElse", unknownCommand).body().contains("edited"));
        }
    }
}
