package io.github.imcallbackbridge;

import io.github.imcallbackbridge.delivery.WebhookTargets;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of deploy/camel-k without a cluster: that run.sh, the ConfigMap and Secret it makes
 * and the route files agree, so a renamed property or file fails the build instead of the deployment.
 */
class CamelKDeploymentTest {

    static final Path RUN = Path.of("deploy/camel-k/run.sh");
    /** Keys the helper WebhookTargets reads for the targets (see its Javadoc), besides the routes' placeholders. */
    static final Pattern TARGET_KEY = Pattern.compile("webhook\\.targets|webhook\\.(connect|response)-timeout-ms|webhook\\.max-in-flight"
            + "|webhook\\.target\\.[a-z0-9-]+\\.(url|secret|events|enabled|connect-timeout-ms|response-timeout-ms|retry-schedule"
            + "|payload-route|max-in-flight|ordered)");
    /** Camel K 2.10's runtime line: Camel K Runtime / Camel Quarkus 3.15.x runs Camel 4.8.x. */
    static final Map<String, String> CAMEL_OF_RUNTIME = Map.of("3.15", "4.8");

    static String script;
    static Map<String, Boolean> routeKeys;

    @BeforeAll
    static void read() throws IOException {
        script = Files.readString(RUN).replace("\\\n", " ");
        routeKeys = placeholders(Path.of("routes"));
    }

    @Test
    void theConfigMapAndTheSecretRunShMakesAreTheOnesTheIntegrationUses() throws IOException {
        Map<String, List<Path>> configMaps = created("configmap");
        Map<String, List<Path>> secrets = created("secret generic");
        assertThat(all("--config configmap:([\\w-]+)")).containsExactlyElementsOf(configMaps.keySet());
        assertThat(all("--config secret:([\\w-]+)")).containsExactlyElementsOf(secrets.keySet());
        for (Path file : configMaps.values().stream().flatMap(List::stream).toList()) {
            assertThat(file).as("ConfigMap file").isRegularFile();
        }
        for (Path file : secrets.values().stream().flatMap(List::stream).toList()) {
            assertThat(Path.of(file + ".example")).as("template of the Secret's file").isRegularFile();
            assertThat(Files.readAllLines(Path.of(".gitignore"))).as("the filled-in Secret file is never committed")
                    .contains(file.toString());
        }
    }

    @Test
    void everyRouteFileItRunsExistsAndParses() throws IOException {
        Matcher run = Pattern.compile("kamel run ([^-]+?) --").matcher(script);
        assertThat(run.find()).as("a kamel run command").isTrue();
        List<String> sources = List.of(run.group(1).trim().split("\\s+"));
        assertThat(sources).contains("routes/*.camel.yaml");
        List<Path> files = new ArrayList<>();
        for (String source : sources) {
            if (source.equals("routes/*.camel.yaml")) {
                try (DirectoryStream<Path> routes = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
                    routes.forEach(files::add);
                }
            } else {
                assertThat(source).as("other sources come from EXTRA_ROUTES").isEqualTo("$EXTRA_ROUTES");
            }
        }
        files.add(Path.of("examples/erp-target/erp-payload.camel.yaml")); // the EXTRA_ROUTES its README shows
        assertThat(files).hasSizeGreaterThanOrEqualTo(8);
        for (Path file : files) {
            try (Reader reader = Files.newBufferedReader(file)) {
                Object parsed = new Yaml().load(reader);
                assertThat(parsed).as(file.toString()).isInstanceOf(List.class);
            }
        }
    }

    @Test
    void everyPropertyTheRoutesReadIsGivenAndEveryPropertyGivenIsRead() throws IOException {
        Map<String, Path> given = new LinkedHashMap<>();
        for (Path file : created("configmap").values().stream().flatMap(List::stream).toList()) {
            load(file).stringPropertyNames().forEach(key -> given.put(key, file));
        }
        Properties secretTemplate = load(Path.of("deploy/camel-k/secrets.properties.example"));
        for (String key : secretTemplate.stringPropertyNames()) {
            assertThat(given).as("%s is both in the ConfigMap and the Secret: which wins is undefined", key)
                    .doesNotContainKey(key);
            given.put(key, Path.of("secrets.properties"));
        }
        Set<String> environment = new LinkedHashSet<>(all("--env ([A-Z0-9_]+)="));

        List<String> missing = routeKeys.entrySet().stream().filter(e -> e.getValue())
                .map(Map.Entry::getKey).filter(key -> !given.containsKey(key) && !environment.contains(asEnvironment(key)))
                .toList();
        assertThat(missing).as("placeholders without a default and without a value on Camel K").isEmpty();

        List<String> unread = given.keySet().stream()
                .filter(key -> !routeKeys.containsKey(key) && !TARGET_KEY.matcher(key).matches())
                .filter(key -> !key.startsWith("quarkus.") && !key.startsWith("camel."))
                .map(key -> key + " (" + given.get(key) + ")").toList();
        assertThat(unread).as("properties no route reads").isEmpty();
        for (String env : environment) {
            assertThat(given.keySet().stream().map(CamelKDeploymentTest::asEnvironment).toList()
                    .contains(env) || routeKeys.keySet().stream().map(CamelKDeploymentTest::asEnvironment).toList().contains(env))
                    .as("--env %s overrides a property that exists", env).isTrue();
        }
    }

    @Test
    void theSecretTemplateHoldsNoSecret() throws IOException {
        Properties template = load(Path.of("deploy/camel-k/secrets.properties.example"));
        assertThat(template.stringPropertyNames()).contains("im.callback-token", "admin.token", "quarkus.datasource.password");
        template.stringPropertyNames().stream().filter(key -> key.matches(".*(token|secret|password)"))
                .forEach(key -> assertThat(template.getProperty(key)).as(key).isEmpty());
    }

    @Test
    void itRunsTheHelpersJarThisProjectBuildsOnTheCamelLineTheBuildChecks() throws Exception {
        Matcher helpers = Pattern.compile("HELPERS_VERSION=\"\\$\\{HELPERS_VERSION:-([^}]+)}\"").matcher(script);
        assertThat(helpers.find()).isTrue();
        assertThat(helpers.group(1)).isEqualTo(pomValue(Path.of("deploy/helpers/pom.xml"), "version"));
        assertThat(script).contains("--dependency \"mvn:io.github.imcallbackbridge:im-callback-bridge-helpers:$HELPERS_VERSION\"");

        Matcher runtime = Pattern.compile("--trait camel\\.runtime-version=(\\d+\\.\\d+)\\.\\d+").matcher(script);
        assertThat(runtime.find()).as("the runtime is pinned").isTrue();
        assertThat(pomValue(Path.of("compat/camel-4.8/pom.xml"), "camel.version"))
                .startsWith(CAMEL_OF_RUNTIME.get(runtime.group(1)) + ".");
        // the dependencies Camel K cannot infer from the route files
        assertThat(script).contains("--dependency camel:http", "--dependency camel:jta",
                "--dependency mvn:io.quarkus:quarkus-jdbc-postgresql", "--dependency mvn:io.quarkus:quarkus-flyway",
                "--build-property quarkus.datasource.db-kind=postgresql");
    }

    @Test
    void theIntegrationResourceIsWhatRunShCreates() throws Exception {
        Map<String, Object> spec = map(integration(), "spec");
        Map<String, Object> traits = map(spec, "traits");

        List<String> routeFiles = new ArrayList<>();
        try (DirectoryStream<Path> routes = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
            routes.forEach(route -> routeFiles.add(route.getFileName().toString()));
        }
        List<Map<String, Object>> sources = list(spec, "sources");
        assertThat(sources).extracting(source -> source.get("name")).containsExactlyInAnyOrderElementsOf(routeFiles);
        for (Map<String, Object> source : sources) {
            assertThat(source).containsEntry("contentRef", "im-callback-bridge-routes").containsEntry("contentKey", source.get("name"));
        }

        String helpersVersion = pomValue(Path.of("deploy/helpers/pom.xml"), "version");
        assertThat(spec.get("dependencies")).as("--dependency").isEqualTo(all("--dependency \"?([^\\s\"]+)\"?").stream()
                .map(d -> d.replace("$HELPERS_VERSION", helpersVersion)).toList());
        assertThat(map(traits, "mount").get("configs")).as("--config").isEqualTo(all("--config (\\S+)"));
        assertThat(map(traits, "builder").get("properties")).as("--build-property").isEqualTo(all("--build-property (\\S+)"));

        Map<String, String> runEnvironment = new LinkedHashMap<>();
        Pattern.compile("--env ([A-Z0-9_]+)=(\\S+)").matcher(script).results().forEach(r -> runEnvironment.put(r.group(1), r.group(2)));
        Map<String, String> environment = new LinkedHashMap<>();
        for (Object variable : (List<?>) map(traits, "environment").get("vars")) {
            String[] pair = variable.toString().split("=", 2);
            environment.put(pair[0], pair[1]);
        }
        assertThat(environment).as("--env").containsOnlyKeys(runEnvironment.keySet());
        runEnvironment.forEach((name, value) -> {
            if (!value.startsWith("\"$")) {
                assertThat(environment).as("--env %s, a fixed value", name).containsEntry(name, value);
            }
        });

        Set<String> traitFlags = new LinkedHashSet<>();
        Matcher trait = Pattern.compile("--trait ([a-z-]+)\\.([a-z-]+)=(\\S+)").matcher(script);
        while (trait.find()) {
            String name = trait.group(1);
            String option = camelCase(trait.group(2));
            traitFlags.add(name);
            Object value = map(traits, name).get(option);
            if (value instanceof List<?> values) {
                assertThat(values.stream().map(String::valueOf).toList()).as("--trait %s.%s", name, trait.group(2))
                        .containsExactly(trait.group(3));
            } else {
                assertThat(String.valueOf(value)).as("--trait %s.%s", name, trait.group(2)).isEqualTo(trait.group(3));
            }
        }
        traitFlags.addAll(List.of("mount", "builder", "environment")); // --config, --build-property, --env
        assertThat(traits.keySet()).as("traits run.sh does not set").containsExactlyInAnyOrderElementsOf(traitFlags);
    }

    @Test
    void theCamelKCheckBuildsWhatRunShAsksForOnTheRuntimeItPins() throws Exception {
        Path pom = Path.of("compat/camel-k/pom.xml");
        Matcher runtime = Pattern.compile("--trait camel\\.runtime-version=(\\S+)").matcher(script);
        assertThat(runtime.find()).isTrue();
        assertThat(pomValue(pom, "camel-k-runtime.version")).isEqualTo(runtime.group(1));
        assertThat(String.valueOf(map(map(map(integration(), "spec"), "traits"), "camel").get("runtimeVersion")))
                .isEqualTo(runtime.group(1));

        Set<String> built = new LinkedHashSet<>();
        var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        var dependencies = document.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            var dependency = (org.w3c.dom.Element) dependencies.item(i);
            built.add(dependency.getElementsByTagName("groupId").item(0).getTextContent() + ":"
                    + dependency.getElementsByTagName("artifactId").item(0).getTextContent());
        }
        for (String flag : all("--dependency \"?([^\\s\"]+)\"?")) {
            if (flag.startsWith("camel:")) {
                String component = flag.substring("camel:".length());
                // the extension, or (where its 3.15 jar is not served to the build) the Camel artifact it wraps
                assertThat(built).as(flag).containsAnyOf("org.apache.camel.quarkus:camel-quarkus-" + component,
                        "org.apache.camel:camel-" + component);
            } else {
                String[] coordinates = flag.substring("mvn:".length()).split(":");
                assertThat(built).as(flag).contains(coordinates[0] + ":" + coordinates[1]);
            }
        }
    }

    /** {{key}} placeholders in the route files of a folder: key to whether it is required (no default). */
    static Map<String, Boolean> placeholders(Path folder) throws IOException {
        Map<String, Boolean> keys = new LinkedHashMap<>();
        Pattern placeholder = Pattern.compile("\\{\\{([^}:]+)(:[^}]*)?}}");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.camel.yaml")) {
            for (Path file : files) {
                Matcher m = placeholder.matcher(Files.readString(file));
                while (m.find()) {
                    keys.merge(m.group(1), m.group(2) == null, Boolean::logicalOr);
                }
            }
        }
        assertThat(keys).containsKeys("im.sdkappid", "webhook.retry.schedule");
        return keys;
    }

    static Map<String, List<Path>> created(String kind) {
        Map<String, List<Path>> made = new LinkedHashMap<>();
        Matcher m = Pattern.compile("kubectl create " + kind + " ([\\w-]+)((?: +--from-file=[\\w.-]+=\\S+)+)").matcher(script);
        while (m.find()) {
            made.put(m.group(1), Pattern.compile("--from-file=[\\w.-]+=(\\S+)").matcher(m.group(2)).results()
                    .map(r -> Path.of(r.group(1))).collect(Collectors.toList()));
        }
        assertThat(made).as("kubectl create %s", kind).isNotEmpty();
        return made;
    }

    static Map<String, Object> integration() throws IOException {
        try (Reader reader = Files.newBufferedReader(Path.of("deploy/camel-k/integration.yaml"))) {
            Map<String, Object> resource = new Yaml().load(reader);
            assertThat(resource).containsEntry("apiVersion", "camel.apache.org/v1").containsEntry("kind", "Integration");
            assertThat(map(resource, "metadata")).containsEntry("name", "im-callback-bridge");
            return resource;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        assertThat(parent).as("has %s", key).containsKey(key);
        return (Map<String, Object>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        assertThat(parent).as("has %s", key).containsKey(key);
        return (List<Map<String, Object>>) parent.get(key);
    }

    /** A trait option as run.sh spells it (runtime-version) to its name in the resource (runtimeVersion). */
    static String camelCase(String option) {
        return Pattern.compile("-([a-z])").matcher(option).replaceAll(m -> m.group(1).toUpperCase());
    }

    static List<String> all(String regex) {
        return Pattern.compile(regex).matcher(script).results().map(r -> r.group(1)).toList();
    }

    static String asEnvironment(String key) {
        return key.toUpperCase().replaceAll("[.-]", "_");
    }

    static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return properties;
    }

    static String pomValue(Path pom, String element) throws Exception {
        var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        var project = document.getDocumentElement();
        for (var node = project.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node.getNodeName().equals(element)) {
                return node.getTextContent().trim();
            }
            if (node.getNodeName().equals("properties")) {
                for (var p = node.getFirstChild(); p != null; p = p.getNextSibling()) {
                    if (p.getNodeName().equals(element)) {
                        return p.getTextContent().trim();
                    }
                }
            }
        }
        throw new AssertionError(element + " not in " + pom);
    }
}
