package io.github.imcallbackbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The route files are the product's face: canonical notation only (an expression is
 * {@code simple: {expression: ...}}, never {@code simple: "..."}; a step is a map, never a bare string),
 * and every route, every {@code from}, every step and every REST operation has an explicit id, so logs and
 * tooling name them.
 */
class RouteFilesTest {

    private static final Set<String> LANGUAGES = Set.of("simple", "constant", "header", "exchangeProperty", "variable",
            "jsonpath", "groovy", "jq", "xpath", "tokenize");
    /** The REST DSL's operations: each has an id, like a step. */
    private static final Set<String> VERBS = Set.of("get", "post", "put", "patch", "delete", "head");
    /** Keys whose value is a list of steps. */
    private static final Set<String> STEP_LISTS = Set.of("steps");
    /** Step-like entries that are configuration, not processors, so carry no id. */
    private static final Set<String> NOT_STEPS = Set.of("beans", "routeConfiguration", "route", "rest", "restConfiguration");

    @Test
    void everyRouteFileIsCanonicalAndEveryStepHasAnId() throws IOException {
        List<String> problems = new ArrayList<>();
        int files = 0;
        for (String folder : List.of("routes", "examples/erp-target", "deploy/camel")) {
            try (DirectoryStream<Path> routes = Files.newDirectoryStream(Path.of(folder), "*.camel.yaml")) {
                for (Path file : routes) {
                    files++;
                    try (Reader reader = Files.newBufferedReader(file)) {
                        walk(new Yaml().load(reader), file + "", "", problems, false);
                    }
                }
            }
        }
        assertThat(files).as("route files in routes/, examples/erp-target/ and deploy/camel/").isGreaterThanOrEqualTo(9);
        assertThat(problems).isEmpty();
    }

    private static void walk(Object node, String path, String parent, List<String> problems, boolean isStepList) {
        if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                String at = path + "[" + i + "]";
                if (isStepList) {
                    checkStep(item, at, problems);
                }
                walk(item, at, parent, problems, false);
            }
        } else if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                String name = String.valueOf(key);
                String at = path + "." + name;
                boolean language = LANGUAGES.contains(name) || ("method".equals(name) && "expression".equals(parent));
                if (language && !(value instanceof Map)) {
                    problems.add(at + ": compact expression; write " + name + ": {expression: ...}");
                }
                if (("route".equals(name) || "from".equals(name) || "rest".equals(name)) && value instanceof Map<?, ?> body
                        && !body.containsKey("id")) {
                    problems.add(at + ": no id");
                }
                if ("rest".equals(parent) && VERBS.contains(name) && value instanceof List<?> operations) {
                    operations.forEach(o -> {
                        if (o instanceof Map<?, ?> m && !m.containsKey("id")) {
                            problems.add(at + ": an operation without id");
                        }
                    });
                }
                if ("when".equals(name) && value instanceof List<?> whens) {
                    whens.forEach(w -> {
                        if (w instanceof Map<?, ?> m && !m.containsKey("id")) {
                            problems.add(at + ": a when without id");
                        }
                    });
                }
                if ("otherwise".equals(name) && value instanceof Map<?, ?> m && !m.containsKey("id")) {
                    problems.add(at + ": otherwise without id");
                }
                walk(value, at, name, problems, STEP_LISTS.contains(name));
            });
        }
    }

    private static void checkStep(Object step, String at, List<String> problems) {
        if (!(step instanceof Map<?, ?> map) || map.size() != 1) {
            problems.add(at + ": a step must be a single-key map");
            return;
        }
        Map.Entry<?, ?> entry = map.entrySet().iterator().next();
        String eip = String.valueOf(entry.getKey());
        if (NOT_STEPS.contains(eip)) {
            return;
        }
        if (!(entry.getValue() instanceof Map<?, ?> body)) {
            problems.add(at + "." + eip + ": compact step; write " + eip + ": {id: ..., ...}");
        } else if (!body.containsKey("id")) {
            problems.add(at + "." + eip + ": no id");
        }
    }
}
