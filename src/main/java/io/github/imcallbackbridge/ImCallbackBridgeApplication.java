package io.github.imcallbackbridge;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Runs the Camel routes found in {@code routes/*.camel.yaml} on Spring Boot.
 * Everything the routes do is in those files; the beans they call are declared there too.
 */
@SpringBootApplication
public class ImCallbackBridgeApplication {

    public static void main(String[] args) {
        SpringApplication.run(ImCallbackBridgeApplication.class, args);
    }
}
