package io.github.imcallbackbridge.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Where the route files are read from. By default, the ones packaged in the jar ({@code classpath:routes/}), so
 * the jar starts from any folder; they are listed here, once each, and handed to Camel by name (Camel's own
 * wildcard scan of the classpath found some twice, or none, depending on how the class path was given).
 * {@code ROUTES_DIR} ({@code routes.dir}) names a folder of {@code *.camel.yaml} files to run instead, edited
 * without a rebuild (Compose and the dev profile use it); a symbolic link is followed. A {@code ROUTES_DIR}
 * that is not a folder, or holds no route file, stops the start at once. {@code routes.source} records which
 * it was, for {@link StartupChecks}; a test that sets {@code camel.main.routes-include-pattern} itself to load
 * some routes only is left alone.
 */
public class RoutesLocation implements EnvironmentPostProcessor {

    static final String PACKAGED = "classpath:routes/*.camel.yaml";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String dir = environment.getProperty("routes.dir", "").trim();
        if (!dir.isEmpty()) {
            Path folder = folder(dir);
            environment.getPropertySources().addFirst(new MapPropertySource("routes-dir", Map.of(
                    "camel.main.routes-include-pattern", "file:" + folder + "/*.camel.yaml",
                    "camel.main.routes-reload-directory", folder.toString(),
                    "routes.source", "ROUTES_DIR=" + dir)));
        } else if (PACKAGED.equals(environment.getProperty("camel.main.routes-include-pattern"))) {
            environment.getPropertySources().addFirst(new MapPropertySource("routes-packaged", Map.of(
                    "camel.main.routes-include-pattern", packaged(application.getClassLoader()),
                    "routes.source", "the route files packaged in the jar (" + PACKAGED + ")")));
        }
    }

    /** The packaged route files, each by its own name, in name order. */
    static String packaged(ClassLoader classLoader) {
        try {
            Resource[] found = new PathMatchingResourcePatternResolver(classLoader).getResources("classpath*:routes/*.camel.yaml");
            TreeSet<String> names = Arrays.stream(found).map(Resource::getFilename).filter(Objects::nonNull)
                    .collect(Collectors.toCollection(TreeSet::new));
            if (names.isEmpty()) {
                throw new BridgeCannotStartException("no route file is packaged at " + PACKAGED
                        + ": build the jar with ./mvnw package, or set ROUTES_DIR to a folder of route files");
            }
            return names.stream().map(name -> "classpath:routes/" + name).collect(Collectors.joining(","));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder's real path (links followed), once it is known to hold route files. */
    static Path folder(String dir) {
        Path path = Path.of(dir);
        if (!Files.isDirectory(path)) {
            throw new BridgeCannotStartException("ROUTES_DIR=" + dir + " is not a folder (" + path.toAbsolutePath()
                    + "); unset it to run the routes packaged in the jar");
        }
        try (Stream<Path> files = Files.list(path)) {
            Path real = path.toRealPath();
            if (files.noneMatch(f -> f.getFileName().toString().endsWith(".camel.yaml"))) {
                throw new BridgeCannotStartException("ROUTES_DIR=" + dir + " holds no *.camel.yaml route file ("
                        + real + ")");
            }
            return real;
        } catch (IOException e) {
            throw new BridgeCannotStartException("ROUTES_DIR=" + dir + " cannot be read: " + e.getMessage());
        }
    }
}
