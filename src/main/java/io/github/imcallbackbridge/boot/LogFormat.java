package io.github.imcallbackbridge.boot;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * {@code LOG_FORMAT=json}: one JSON object per log line on the console (Spring Boot's structured logging, Elastic
 * Common Schema), with the fields {@link LogFields} adds. Plain text stays the default.
 */
public class LogFormat implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if ("json".equalsIgnoreCase(environment.getProperty("log.format", "")) 
                && !environment.containsProperty("logging.structured.format.console")) {
            environment.getPropertySources().addLast(new MapPropertySource("log-format",
                    Map.of("logging.structured.format.console", "ecs")));
        }
    }
}
