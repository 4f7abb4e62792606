package io.github.imcallbackbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules and Prometheus configuration in deploy/observability are accepted by {@code promtool} (installed
 * by {@code .ci/run}; where it is missing, the rules' shape is checked here instead), and the Grafana dashboard is
 * a dashboard whose every panel queries Prometheus. That the metrics they name exist: {@link MetricsTest}.
 */
class ObservabilityFilesTest {

    static final Path DIR = Path.of("deploy/observability");

    @Test
    void promtoolAcceptsTheRulesAndTheConfiguration() throws Exception {
        File promtool = onPath("promtool");
        if (promtool != null) {
            assertThat(run(promtool.getPath(), "check", "rules", DIR.resolve("alerts.yml").toString())).isEqualTo(0);
            assertThat(run(promtool.getPath(), "check", "config", DIR.resolve("prometheus.yml").toString())).isEqualTo(0);
        } else {
            System.out.println("promtool not found (Debian package prometheus): checking the rules' shape only");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> rules = new Yaml().load(Files.readString(DIR.resolve("alerts.yml")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) rules.get("groups");
        assertThat(groups).isNotEmpty();
        for (Map<String, Object> group : groups) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> alerts = (List<Map<String, Object>>) group.get("rules");
            assertThat(alerts).isNotEmpty().allSatisfy(alert -> {
                assertThat(alert).containsKeys("alert", "expr", "labels", "annotations");
                assertThat((String) alert.get("expr")).isNotBlank();
            });
        }
    }

    @Test
    void theDashboardQueriesPrometheusInEveryPanel() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DIR.resolve("grafana/dashboards/im-callback-bridge.json").toFile());
        assertThat(dashboard.get("uid").asText()).isEqualTo("im-callback-bridge");
        assertThat(dashboard.get("panels")).isNotEmpty().allSatisfy(panel -> {
            assertThat(panel.at("/datasource/uid").asText()).isEqualTo("prometheus");
            assertThat(panel.get("targets")).isNotEmpty().allSatisfy(target -> assertThat(target.get("expr").asText()).isNotBlank());
        });
    }

    static File onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, command);
            if (candidate.canExecute()) {
                return candidate;
            }
        }
        return null;
    }

    static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        System.out.print(output);
        return process.exitValue();
    }
}
