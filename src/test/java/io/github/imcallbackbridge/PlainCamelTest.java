package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.SDK_APP_ID;
import static io.github.imcallbackbridge.support.ImBackend.SEED_CALLBACK;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.Reader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imcallbackbridge.support.ImBackend;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The very same route files on plain Camel (camel-main, platform-http on Vert.x), no Spring Boot, set up
 * the way the README tells a plain-Camel or JBang user: deploy/camel/application.properties (what the routes
 * read), deploy/camel/camel-main.properties (server, database) and deploy/camel/database.camel.yaml (the
 * {@code dataSource}, the {@code PROPAGATION_REQUIRED} policy, Flyway), plus the ERP example's route and
 * target. Nothing is wired in Java here.
 * <p>
 * The same test also runs on Camel 4.8, Camel K 2.10's runtime: {@code ./mvnw -f compat/camel-4.8/pom.xml verify}.
 */
class PlainCamelTest {

    @RegisterExtension
    static final WireMockExtension TARGETS = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    @Test
    void theSeedCallbackIsRecordedForwardedAndAnsweredOkOnPlainCamel() throws Exception {
        TARGETS.stubFor(post("/crm").willReturn(ok()));
        TARGETS.stubFor(post("/erp").willReturn(ok()));
        String databaseUrl = "jdbc:h2:mem:plain-camel;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        int port = ImBackend.freePort();

        Main camel = new Main();
        Properties properties = load("deploy/camel/application.properties");
        properties.putAll(load("deploy/camel/camel-main.properties"));
        Properties erpExample = load("examples/erp-target/erp-target.properties");
        erpExample.remove("camel.main.routes-include-pattern");
        properties.putAll(erpExample);
        properties.setProperty("camel.main.routes-include-pattern",
                "file:routes/*.camel.yaml,file:deploy/camel/database.camel.yaml,file:examples/erp-target/erp-payload.camel.yaml");
        properties.setProperty("datasource.url", databaseUrl);
        properties.setProperty("im.sdkappid", SDK_APP_ID);
        properties.setProperty("webhook.target.default.url", TARGETS.baseUrl() + "/crm");
        properties.setProperty("webhook.target.erp.url", TARGETS.baseUrl() + "/erp");
        properties.setProperty("camel.server.port", String.valueOf(port));
        camel.setInitialProperties(properties);

        ListAppender<ILoggingEvent> startupLog = new ListAppender<>();
        startupLog.start();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(startupLog);
        camel.start();
        try {
            ImBackend im = new ImBackend(port);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> im.send("GET", "/no-such-path").statusCode() == 404);
            root.detachAppender(startupLog);
            assertThat(startupLog.list).as("the start-up log was captured")
                    .extracting(ILoggingEvent::getFormattedMessage).anyMatch(line -> line.matches("Apache Camel .* started .*"));
            assertThat(startupLog.list)
                    .as("the route files load without a warning about their notation")
                    .filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                    .filteredOn(event -> event.getLoggerName().startsWith("org.apache.camel")
                            || event.getFormattedMessage().toLowerCase().matches("(?s).*(compact|deprecat|notation).*"))
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .isEmpty();

            HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, SEED_CALLBACK);

            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo(OK_REPLY);
            JdbcTemplate database = new JdbcTemplate(new DriverManagerDataSource(databaseUrl, "sa", ""));
            assertThat(database.queryForList("SELECT topic_id FROM im_topic_destroyed ORDER BY topic_id", String.class))
                    .containsExactly("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic", "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1");
            await().atMost(Duration.ofSeconds(10)).until(() -> TARGETS.findAll(postRequestedFor(urlEqualTo("/crm"))).size() == 2);
            assertThat(TARGETS.findAll(postRequestedFor(urlEqualTo("/crm")))).extracting(r -> r.getHeader("webhook-id"))
                    .containsExactlyInAnyOrderElementsOf(database.queryForList("SELECT event_id FROM im_topic_destroyed", String.class));

            // the ERP example: one flat document for the callback, built by its jq payload route
            await().atMost(Duration.ofSeconds(10)).until(() -> TARGETS.findAll(postRequestedFor(urlEqualTo("/erp"))).size() == 1);
            JsonNode erp = new ObjectMapper().readTree(TARGETS.findAll(postRequestedFor(urlEqualTo("/erp"))).get(0).getBodyAsString());
            assertThat(erp.get("doc_type").asText()).isEqualTo("IM_TOPICS_CLOSED");
            assertThat(erp.get("topic_count").asInt()).isEqualTo(2);
            assertThat(erp.get("topic_ids").asText())
                    .isEqualTo("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic,@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1");

            await().atMost(Duration.ofSeconds(10)).until(() -> database.queryForObject(
                    "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'DELIVERED'", Long.class) == 3);

            HttpResponse<String> foreign = im.post("/im/callback?SdkAppid=1&CallbackCommand=" + TOPIC_DESTROYED,
                    SEED_CALLBACK, Map.of("Content-Type", "application/json"));
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(foreign.body()).contains("\"ActionStatus\":\"FAIL\"");
            assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback", Long.class)).isEqualTo(1);

            // the HTTP layer is Vert.x's here: the answers a Spring Boot deployment gives as FAIL JSON differ
            HttpResponse<String> asForm = im.post("/im/callback?" + ImBackend.encode(ImBackend.standardQuery(TOPIC_DESTROYED)),
                    ImBackend.topicCallback("@TGS#_plainForm", "a"), Map.of("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(asForm.statusCode()).as("JSON labelled as a form is parsed as a form by Vert.x").isEqualTo(400);
            assertThat(asForm.body()).contains("\"ActionStatus\":\"FAIL\"");
            assertThat(im.send("GET", "/im/callback").statusCode()).isEqualTo(405);
            assertThat(im.send("GET", "/nothing-here").statusCode()).isEqualTo(404);
            assertThat(database.queryForObject("SELECT COUNT(*) FROM im_callback", Long.class)).isEqualTo(1);

            HttpResponse<String> oversized = im.callback(TOPIC_DESTROYED, "{\"pad\":\"" + "x".repeat(1_100_000) + "\"}");
            assertThat(oversized.statusCode()).as("camel.server.max-body-size").isEqualTo(413);
        } finally {
            root.detachAppender(startupLog);
            camel.stop();
        }
    }

    private static Properties load(String file) throws Exception {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(file))) {
            properties.load(reader);
        }
        return properties;
    }
}
