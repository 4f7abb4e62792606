package io.github.imcallbackbridge;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Runs the Camel routes of {@code routes/*.camel.yaml} on Spring Boot: the ones packaged in the jar, or those of
 * the folder {@code ROUTES_DIR} names. Everything the routes do is in those files; the beans they call are
 * declared there too.
 */
@SpringBootApplication
public class ImCallbackBridgeApplication {

    public static void main(String[] args) {
        try {
            SpringApplication.run(ImCallbackBridgeApplication.class, args);
        } catch (RuntimeException failedStart) {
            // Spring Boot has reported why; a thread the failed start left behind must not keep a process
            // that answers nothing alive
            System.exit(1);
        }
    }
}
