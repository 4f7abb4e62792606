package io.github.imcallbackbridge.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives every bridge a test starts (in this JVM or as a process on the test classpath) a journal directory of
 * its own, unless the test names one. With application.yaml's default ({@code ./data/journal}, relative to the
 * build's working directory) all of them shared one folder: a callback journaled by one test's bridge was
 * replayed into another test's database, by another JVM.
 */
public class OwnJournalDirectory implements EnvironmentPostProcessor {

    static final String PROPERTY = "callback.journal-dir";
    static final String APPLICATION_DEFAULT = "./data/journal";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String configured = environment.getProperty(PROPERTY);
        if (configured != null && !configured.equals(APPLICATION_DEFAULT)) {
            return;
        }
        try {
            java.nio.file.Path own = Files.createTempDirectory("bridge-journal");
            own.toFile().deleteOnExit(); // when the journal left it empty
            environment.getPropertySources().addFirst(new MapPropertySource("ownJournalDirectory", Map.of(PROPERTY, own.toString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
