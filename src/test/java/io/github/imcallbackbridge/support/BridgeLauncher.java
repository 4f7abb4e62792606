package io.github.imcallbackbridge.support;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.imcallbackbridge.ImCallbackBridgeApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the application the way a user does (command-line properties override application.yaml), for
 * tests that start, stop and restart instances themselves.
 */
public final class BridgeLauncher {

    /** Retries every 200 ms for about a minute, so tests see recoveries quickly. */
    public static final String QUICK_RETRIES = String.join(",", java.util.Collections.nCopies(300, "200ms"));

    private BridgeLauncher() {
    }

    /** The command-line arguments for an instance on {@code port} (0: any) forwarding to {@code webhookUrl}. */
    public static String[] arguments(Map<String, String> database, int port, String webhookUrl, Map<String, String> extra) {
        Map<String, String> properties = new LinkedHashMap<>(database);
        properties.put("server.port", String.valueOf(port));
        properties.put("im.sdkappid", ImBackend.SDK_APP_ID);
        properties.put("webhook.url", webhookUrl);
        properties.put("webhook.poll-interval-ms", "200");
        properties.put("webhook.retry.schedule", QUICK_RETRIES);
        properties.put("demo.crm.enabled", "false");
        properties.putAll(extra);
        return properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    public static ConfigurableApplicationContext start(Map<String, String> database, int port, String webhookUrl,
                                                       Map<String, String> extra) {
        return new SpringApplicationBuilder(ImCallbackBridgeApplication.class).run(arguments(database, port, webhookUrl, extra));
    }

    public static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
