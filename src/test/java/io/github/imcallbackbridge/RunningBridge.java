package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.SDK_APP_ID;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The application running on a random port against a real database, with WireMock as the CRM. Each
 * subclass contract is run once per database by its own small subclasses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class RunningBridge {

    static final WireMockServer CRM = new WireMockServer(options().dynamicPort());
    static final ObjectMapper JSON = new ObjectMapper();
    static final String QUICK_RETRIES = io.github.imcallbackbridge.support.BridgeLauncher.QUICK_RETRIES;

    static {
        CRM.start();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate database;

    /** This app's SDKAppID, WireMock as the CRM, quick retries, no demo CRM; plus the given properties. */
    static void bridgeProperties(DynamicPropertyRegistry registry, Map<String, String> datasource, Map<String, String> extra) {
        datasource.forEach((key, value) -> registry.add(key, () -> value));
        registry.add("im.sdkappid", () -> SDK_APP_ID);
        registry.add("webhook.url", () -> CRM.baseUrl() + "/crm");
        registry.add("webhook.poll-interval-ms", () -> "200");
        registry.add("webhook.retry.schedule", () -> QUICK_RETRIES);
        registry.add("demo.crm.enabled", () -> "false");
        extra.forEach((key, value) -> registry.add(key, () -> value));
    }
}
