package io.github.imcallbackbridge.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Gives every bridge a test starts (in this JVM or as a process on the test classpath) a journal directory of
 * its own, unless the test names one (a property from anywhere but the application's own config files). With
 * application.yaml's default ({@code ./data/journal}, relative to the
 * build's working directory) all of them shared one folder: a callback journaled by one test's bridge was
 * replayed into another test's database, by another JVM.
 */
public class OwnJournalDirectory implements EnvironmentPostProcessor {

    static final String PROPERTY = "callback.journal-dir";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        PropertySource<?> setBy = environment.getPropertySources().stream()
                .filter(source -> !ConfigurationPropertySources.isAttachedConfigurationPropertySource(source))
                .filter(source -> source.containsProperty(PROPERTY)).findFirst().orElse(null);
        // Spring Boot names the sources of application.yaml "Config resource '...'"
        if (setBy != null && !setBy.getName().startsWith("Config resource")) {
            return;
        }
        try {
            Path own = Files.createTempDirectory("bridge-journal");
            own.toFile().deleteOnExit(); // when the journal left it empty
            environment.getPropertySources().addFirst(new MapPropertySource("ownJournalDirectory", Map.of(PROPERTY, own.toString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
