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
import java.util.Properties;

import javax.sql.DataSource;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.imcallbackbridge.support.ImBackend;
import org.apache.camel.main.Main;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The very same route files on plain Camel (camel-main, platform-http on Vert.x), no Spring Boot: what Camel
 * JBang and Camel K run. The runtime supplies only what the routes look up by name: a {@code dataSource},
 * a {@code PROPAGATION_REQUIRED} transaction policy, and the properties in deploy/camel/application.properties.
 */
class PlainCamelTest {

    @RegisterExtension
    static final WireMockExtension CRM = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    @Test
    void theSeedCallbackIsRecordedForwardedAndAnsweredOkOnPlainCamel() throws Exception {
        CRM.stubFor(post("/crm").willReturn(ok()));
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:plain-camel;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        int port = ApplicationLifecycleTest.freePort();

        Main camel = new Main();
        camel.bind("dataSource", dataSource);
        camel.bind("PROPAGATION_REQUIRED", new SpringTransactionPolicy(new DataSourceTransactionManager((DataSource) dataSource)));
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("deploy/camel/application.properties"))) {
            properties.load(reader);
        }
        properties.setProperty("im.sdkappid", SDK_APP_ID);
        properties.setProperty("webhook.target.default.url", CRM.baseUrl() + "/crm");
        properties.setProperty("camel.server.port", String.valueOf(port));
        camel.setInitialProperties(properties);
        camel.start();
        try {
            ImBackend im = new ImBackend(port);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> im.send("GET", "/no-such-path").statusCode() == 404);

            HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, SEED_CALLBACK);

            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo(OK_REPLY);
            JdbcTemplate database = new JdbcTemplate(dataSource);
            assertThat(database.queryForList("SELECT topic_id FROM im_topic_destroyed ORDER BY topic_id", String.class))
                    .containsExactly("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic", "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1");
            await().atMost(Duration.ofSeconds(10)).until(() -> CRM.findAll(postRequestedFor(urlEqualTo("/crm"))).size() == 2);
            assertThat(CRM.findAll(postRequestedFor(urlEqualTo("/crm")))).extracting(r -> r.getHeader("webhook-id"))
                    .containsExactlyInAnyOrderElementsOf(database.queryForList("SELECT event_id FROM im_topic_destroyed", String.class));
            await().atMost(Duration.ofSeconds(10)).until(() -> database.queryForObject(
                    "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'DELIVERED'", Long.class) == 2);

            HttpResponse<String> foreign = im.post("/im/callback?SdkAppid=1&CallbackCommand=" + TOPIC_DESTROYED,
                    SEED_CALLBACK, java.util.Map.of("Content-Type", "application/json"));
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(foreign.body()).contains("\"ActionStatus\":\"FAIL\"");
        } finally {
            camel.stop();
        }
    }
}
