package io.github.imcallbackbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.github.imcallbackbridge.support.BridgeLauncher;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/kubernetes: the manifests parse and fit together (what kustomize applies exists, the Service and the
 * disruption budget select the pods, the probes use the management port the ConfigMap sets, the volumes are
 * mounted where the settings point), every environment variable is one the application reads, and the probe
 * and scrape paths answer on a running instance's management port.
 */
class KubernetesManifestsTest {

    static final Path DIR = Path.of("deploy/kubernetes");
    /** Read by Spring Boot or the JVM rather than declared in application.yaml. */
    static final Set<String> FRAMEWORK_VARIABLES = Set.of("MANAGEMENT_SERVER_PORT", "JAVA_TOOL_OPTIONS");

    @Test
    void theManifestsFitTogether() throws IOException {
        Map<String, Map<String, Object>> byKind = resources();
        assertThat(byKind).containsKeys("ConfigMap", "Secret", "StatefulSet", "Service", "PodDisruptionBudget");

        Map<String, Object> set = byKind.get("StatefulSet");
        Map<String, Object> template = map(map(set, "spec"), "template");
        Map<String, Object> podLabels = map(map(template, "metadata"), "labels");
        assertThat(map(map(byKind.get("Service"), "spec"), "selector")).isEqualTo(podLabels);
        assertThat(map(map(map(byKind.get("PodDisruptionBudget"), "spec"), "selector"), "matchLabels")).isEqualTo(podLabels);
        assertThat(map(map(map(set, "spec"), "selector"), "matchLabels")).isEqualTo(podLabels);

        Map<String, Object> container = list(map(template, "spec"), "containers").get(0);
        Map<String, Object> config = map(byKind.get("ConfigMap"), "data");
        Map<String, Integer> ports = new LinkedHashMap<>();
        list(container, "ports").forEach(p -> ports.put((String) p.get("name"), (Integer) p.get("containerPort")));
        assertThat(ports.get("management")).as("the probes' port is actuator's").isEqualTo(
                Integer.valueOf((String) config.get("MANAGEMENT_SERVER_PORT")));
        Map<String, Object> servicePort = list(map(byKind.get("Service"), "spec"), "ports").get(0);
        assertThat(ports).as("the Service's target port").containsKey((String) servicePort.get("targetPort"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(map(map(container, probe), "httpGet").get("port")).as(probe).isEqualTo("management");
        }
        assertThat(map(map(container, "readinessProbe"), "httpGet").get("path")).isEqualTo("/actuator/health/readiness");
        assertThat(map(map(container, "livenessProbe"), "httpGet").get("path")).isEqualTo("/actuator/health/liveness");

        Map<String, String> mounts = new LinkedHashMap<>();
        list(container, "volumeMounts").forEach(m -> mounts.put((String) m.get("name"), (String) m.get("mountPath")));
        assertThat(mounts.get("routes")).isEqualTo(config.get("ROUTES_DIR"));
        assertThat(mounts.get("journal")).isEqualTo(config.get("CALLBACK_JOURNAL_DIR"));
        assertThat(list(map(set, "spec"), "volumeClaimTemplates")).extracting(t -> map(t, "metadata").get("name"))
                .as("each instance its own journal volume").containsExactly("journal");

        List<String> sources = new ArrayList<>();
        list(container, "envFrom").forEach(e -> e.values().forEach(ref -> sources.add((String) ((Map<?, ?>) ref).get("name"))));
        assertThat(sources).containsExactly(name(byKind.get("ConfigMap")), name(byKind.get("Secret")));
    }

    @Test
    void everyEnvironmentVariableIsOneTheApplicationReads() throws IOException {
        Map<String, Map<String, Object>> byKind = resources();
        Set<String> names = new TreeSet<>();
        names.addAll(map(byKind.get("ConfigMap"), "data").keySet());
        names.addAll(map(byKind.get("Secret"), "stringData").keySet());
        Map<String, Object> container = list(map(map(map(byKind.get("StatefulSet"), "spec"), "template"), "spec"),
                "containers").get(0);
        list(container, "env").forEach(e -> names.add((String) e.get("name")));

        Set<String> read = new TreeSet<>(FRAMEWORK_VARIABLES);
        try (Reader yaml = Files.newBufferedReader(Path.of("src/main/resources/application.yaml"))) {
            flatten("", new Yaml().load(yaml), read);
        }
        assertThat(read).as("the settings of application.yaml").contains("IM_SDKAPPID", "ROUTES_DIR");
        assertThat(names).isNotEmpty().allSatisfy(name -> assertThat(read).as(name).contains(name));
    }

    @Test
    void theProbeAndScrapePathsAnswerOnTheManagementPort() {
        try (ConfigurableApplicationContext app = BridgeLauncher.start(TestDatabases.h2InMemory(), 0, "http://127.0.0.1:9/crm",
                Map.of("management.server.port", "0"))) {
            int management = Integer.parseInt(app.getEnvironment().getProperty("local.management.port"));
            ImBackend actuator = new ImBackend(management);
            for (String path : List.of("/actuator/health/readiness", "/actuator/health/liveness", "/actuator/prometheus")) {
                assertThat(actuator.send("GET", path).statusCode()).as(path).isEqualTo(200);
            }
            assertThat(new ImBackend(BridgeLauncher.port(app)).send("GET", "/actuator/health").statusCode())
                    .as("actuator is not on the published port").isEqualTo(404);
        }
    }

    /** Every resource kustomization.yaml lists, by kind (one of each here). */
    static Map<String, Map<String, Object>> resources() throws IOException {
        Map<String, Object> kustomization;
        try (Reader reader = Files.newBufferedReader(DIR.resolve("kustomization.yaml"))) {
            kustomization = new Yaml().load(reader);
        }
        Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
        for (Object file : (List<?>) kustomization.get("resources")) {
            try (Reader reader = Files.newBufferedReader(DIR.resolve((String) file))) {
                for (Object document : new Yaml().loadAll(reader)) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> resource = (Map<String, Object>) document;
                    assertThat(byKind.put((String) resource.get("kind"), resource)).as("one " + resource.get("kind")).isNull();
                }
            }
        }
        return byKind;
    }

    static void flatten(String prefix, Object node, Set<String> variables) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> flatten(prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key, value, variables));
        } else {
            variables.add(prefix.toUpperCase().replace('.', '_').replace('-', '_'));
        }
    }

    static String name(Map<String, Object> resource) {
        return (String) map(resource, "metadata").get("name");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> node, String key) {
        return (Map<String, Object>) node.get(key);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> node, String key) {
        return (List<Map<String, Object>>) node.get(key);
    }
}
