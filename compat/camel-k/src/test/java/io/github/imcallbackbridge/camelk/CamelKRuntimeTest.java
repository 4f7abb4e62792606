package io.github.imcallbackbridge.camelk;

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

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.imcallbackbridge.support.FlakyNetwork;
import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.StandardWebhooks;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The route files on what the Camel K operator builds and runs: the Quarkus application of this module
 * (camel-k-runtime, Camel Quarkus, JTA, the Quarkus datasource, Flyway), started as the operator's pod starts
 * it. The pod's files are laid out as the operator mounts them: the route files under {@code /etc/camel/sources}
 * with the Integration's properties naming them ({@code CAMEL_K_CONF}), the ConfigMap and the Secret that
 * {@code deploy/camel-k/run.sh} creates under {@code /etc/camel/conf.d} ({@code CAMEL_K_CONF_D}), the files copied
 * unchanged, and run.sh's {@code --env} values. Only the HTTP port and the database URL are the test's own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CamelKRuntimeTest {

    static final String TOKEN = "im-token-for-camel-k";
    static final String SIGNING_SECRET = "whsec_" + Base64.getEncoder().encodeToString("camel-k-signing-secret-32-bytes!".getBytes(StandardCharsets.UTF_8));
    static final String ADMIN_TOKEN = "admin-token-for-camel-k";

    @RegisterExtension
    static final WireMockExtension CRM = WireMockExtension.newInstance().options(options().dynamicPort())
            .resetOnEachTest(false).build();

    static EmbeddedPostgres postgres;
    /** Between the pod and its database, so that the test can take the database away. */
    static FlakyNetwork network;
    static Path journal;
    static Process pod;
    static Path podLog;
    static ImBackend im;
    static int port;

    @BeforeAll
    static void runTheIntegration() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE imbridge");
        }
        Path root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "camel-k-pod");
        Path etc = root.resolve("etc/camel");

        // the route files, mounted by the operator under /etc/camel/sources, named in the Integration's properties
        Path sources = Files.createDirectories(etc.resolve("sources"));
        Properties integration = new Properties();
        int index = 0;
        try (DirectoryStream<Path> routes = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
            for (Path route : routes) {
                String name = route.getFileName().toString();
                Files.copy(route, sources.resolve(name));
                integration.setProperty("camel.k.sources[" + index + "].location", "file:" + sources.resolve(name));
                integration.setProperty("camel.k.sources[" + index + "].name", name.substring(0, name.indexOf('.')));
                integration.setProperty("camel.k.sources[" + index + "].language", "yaml");
                index++;
            }
        }
        // what the operator's traits add: the container trait for the REST capability, the logging trait (with
        // color=false: a log file, not a terminal)
        integration.setProperty("camel.context.rest-configuration.component", "platform-http");
        integration.setProperty("camel.k.logging.level", "INFO");
        integration.setProperty("camel.k.logging.json", "false");
        integration.setProperty("quarkus.log.level", "${camel.k.logging.level}");
        integration.setProperty("quarkus.log.console.json", "${camel.k.logging.json}");
        Path integrationProperties = etc.resolve("application.properties");
        try (var out = Files.newBufferedWriter(integrationProperties)) {
            integration.store(out, "the Integration's properties, as the operator generates them");
        }

        // --config configmap:im-callback-bridge-config and --config secret:im-callback-bridge-secrets
        Path configMap = Files.createDirectories(etc.resolve("conf.d/_configmaps/im-callback-bridge-config"));
        Files.copy(Path.of("deploy/camel/application.properties"), configMap.resolve("application.properties"));
        Files.copy(Path.of("deploy/camel-k/camel-k.properties"), configMap.resolve("camel-k.properties"));
        Path secret = Files.createDirectories(etc.resolve("conf.d/_secrets/im-callback-bridge-secrets"));
        Files.writeString(secret.resolve("secrets.properties"), Files.readString(Path.of("deploy/camel-k/secrets.properties.example"))
                .replace("im.callback-token=\n", "im.callback-token=" + TOKEN + "\n")
                .replace("admin.token=\n", "admin.token=" + ADMIN_TOKEN + "\n")
                .replace("webhook.target.default.secret=\n", "webhook.target.default.secret=" + SIGNING_SECRET + "\n")
                .replace("quarkus.datasource.username=imbridge", "quarkus.datasource.username=postgres")
                .replace("quarkus.datasource.password=\n", "quarkus.datasource.password=postgres\n"));

        port = ImBackend.freePort();
        Path deployments = Files.createDirectories(root.resolve("deployments"));
        podLog = root.resolve("pod.log");
        journal = Files.createDirectories(deployments.resolve("data/journal")); // run.sh's mount of the journal's volume
        ProcessBuilder start = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-jar", Path.of(System.getProperty("quarkus.app"), "quarkus-run.jar").toAbsolutePath().toString())
                .directory(deployments.toFile()).redirectErrorStream(true).redirectOutput(podLog.toFile());
        Map<String, String> env = start.environment();
        env.put("CAMEL_K_CONF", integrationProperties.toString());
        env.put("CAMEL_K_CONF_D", etc.resolve("conf.d").toString());
        // the environment trait's variables
        env.put("CAMEL_K_MOUNT_PATH_CONFIGMAPS", etc.resolve("conf.d/_configmaps").toString());
        env.put("CAMEL_K_MOUNT_PATH_SECRETS", etc.resolve("conf.d/_secrets").toString());
        env.put("CAMEL_K_INTEGRATION", "im-callback-bridge");
        env.put("CAMEL_K_RUNTIME_VERSION", "3.15.3");
        env.put("CAMEL_K_VERSION", "2.10.1");
        env.put("NAMESPACE", "default");
        env.put("POD_NAME", "im-callback-bridge-0");
        // run.sh's --env values
        env.put("IM_SDKAPPID", SDK_APP_ID);
        env.put("WEBHOOK_TARGET_DEFAULT_URL", CRM.baseUrl() + "/crm");
        env.put("DEMO_CRM_ENABLED", "false");
        // a user's --env: the other callbacks this app's backend sends, recorded and forwarded as received
        env.put("IM_CALLBACKS_FORWARD", "Group.CallbackAfter*");
        // the test's own: a free port instead of the pod's 8080, the embedded database instead of the Service postgres
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        network = new FlakyNetwork("127.0.0.1", postgres.getPort());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + network.port()
                + "/imbridge?connectTimeout=2&socketTimeout=4&options=-c%20statement_timeout=1500");
        pod = start.start();
        im = new ImBackend(port, TOKEN);

        // the health trait's readiness probe
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .failFast(() -> !pod.isAlive())
                    .until(() -> im.send("GET", "/q/health/ready").statusCode() == 200);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("the pod did not become ready; its log ends:\n" + tail(), e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (pod != null) {
            pod.destroy();
            if (!pod.waitFor(20, TimeUnit.SECONDS)) {
                pod.destroyForcibly();
            }
        }
        if (network != null) {
            network.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void theRuntimeIsCamelKOnQuarkusAndItsProbesAnswer() {
        assertThat(log()).contains("Apache Camel 4.8.").containsPattern("Installed features: \\[.*camel-k-runtime.*]")
                .contains("Successfully applied").doesNotContain("ERROR");
        assertThat(im.send("GET", "/q/health/live").statusCode()).isEqualTo(200);
        assertThat(im.send("GET", "/q/health/started").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void theSeedCallbackIsRecordedAndForwardedSigned() throws Exception {
        CRM.stubFor(post("/crm").willReturn(ok()));

        HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, SEED_CALLBACK);

        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(OK_REPLY);
        assertThat(strings("SELECT topic_id FROM im_topic_destroyed ORDER BY topic_id"))
                .containsExactly("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic", "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1");
        await().atMost(Duration.ofSeconds(20)).until(() -> crmRequests().size() == 2);
        assertThat(crmRequests()).extracting(r -> r.getHeader("webhook-id"))
                .containsExactlyInAnyOrderElementsOf(strings("SELECT event_id FROM im_topic_destroyed"));
        for (LoggedRequest webhook : crmRequests()) {
            assertThat(webhook.getHeader("webhook-signature")).isEqualTo(StandardWebhooks.signature(SIGNING_SECRET,
                    webhook.getHeader("webhook-id"), webhook.getHeader("webhook-timestamp"), webhook.getBodyAsString()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT COUNT(*) FROM webhook_delivery WHERE status = 'DELIVERED'") == 2);

        HttpResponse<String> admin = im.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/deliveries?status=DELIVERED"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build());
        assertThat(admin.statusCode()).as("the admin API (REST DSL on platform-http)").isEqualTo(200);
        assertThat(admin.body()).contains(strings("SELECT event_id FROM im_topic_destroyed").toArray(String[]::new))
                .doesNotContain(ADMIN_TOKEN).doesNotContain(SIGNING_SECRET);
    }

    @Test
    @Order(3)
    void aRepeatedCallbackChangesNothing() throws Exception {
        long callbacks = count("SELECT COUNT(*) FROM im_callback");

        HttpResponse<String> repeat = im.callback(TOPIC_DESTROYED, SEED_CALLBACK);
        assertThat(repeat.statusCode()).isEqualTo(200);
        assertThat(repeat.body()).isEqualTo(OK_REPLY);
        // a later callback's webhook arrives after anything the repeat would have sent
        assertThat(im.callback(TOPIC_DESTROYED, ImBackend.topicCallback("@TGS#_afterRepeat", "a")).body()).isEqualTo(OK_REPLY);
        await().atMost(Duration.ofSeconds(20)).until(() -> crmRequests().stream().anyMatch(r -> r.getBodyAsString().contains("afterRepeat")));

        assertThat(crmRequests()).hasSize(3);
        assertThat(count("SELECT COUNT(*) FROM im_topic_destroyed")).isEqualTo(3);
        assertThat(count("SELECT COUNT(*) FROM im_callback")).isEqualTo(callbacks + 1);
    }

    @Test
    @Order(4)
    void aForeignSdkAppidIsRefused() throws Exception {
        long callbacks = count("SELECT COUNT(*) FROM im_callback");

        HttpResponse<String> foreign = im.callbackOf("1400999999", TOKEN, TOPIC_DESTROYED, SEED_CALLBACK);

        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.body()).contains("\"ActionStatus\":\"FAIL\"");
        assertThat(count("SELECT COUNT(*) FROM im_callback")).isEqualTo(callbacks);
    }

    @Test
    @Order(5)
    void aCallbackThatFailsHalfWayLeavesNoRow() throws Exception {
        // the outbox refuses this group's deliveries: its callback and topic rows are written before, in the same transaction
        execute("""
                CREATE FUNCTION refuse_halfway() RETURNS trigger AS $$
                BEGIN
                  IF NEW.group_id = '@TGS#_halfway' THEN RAISE EXCEPTION 'refused half-way'; END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""");
        execute("CREATE TRIGGER refuse_halfway BEFORE INSERT ON webhook_delivery FOR EACH ROW EXECUTE FUNCTION refuse_halfway()");
        long callbacks = count("SELECT COUNT(*) FROM im_callback");

        HttpResponse<String> failed = im.callback(TOPIC_DESTROYED, ImBackend.topicCallback("@TGS#_halfway", "a", "b"));

        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).contains("\"ActionStatus\":\"FAIL\"");
        assertThat(count("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = '@TGS#_halfway'"))
                .as("the JTA transaction rolled the topic rows back").isZero();
        assertThat(count("SELECT COUNT(*) FROM im_callback")).as("and the callback row").isEqualTo(callbacks);
        execute("DROP TRIGGER refuse_halfway ON webhook_delivery");
    }

    @Test
    @Order(6)
    void anotherCallbackCommandIsRecordedOnceAsReceived() throws Exception {
        String body = """
                {"CallbackCommand":"Group.CallbackAfterNewMemberJoin","GroupId":"@TGS#2J4SZEAEL","Type":"Public",\
                "JoinType":"Apply","Operator_Account":"leckie","NewMemberList":[{"Member_Account":"jared"}],"EventTime":1670574414123}""";

        assertThat(im.callback("Group.CallbackAfterNewMemberJoin", body).body()).isEqualTo(OK_REPLY);
        assertThat(im.callback("Group.CallbackAfterNewMemberJoin", body).body()).as("its repeat").isEqualTo(OK_REPLY);

        assertThat(strings("SELECT raw_body FROM im_callback WHERE callback_command = 'Group.CallbackAfterNewMemberJoin'"))
                .containsExactly(body);
    }

    @Test
    @Order(7)
    void aBodyOverOneMebibyteIsRefusedUnread() {
        HttpResponse<String> oversized = im.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/im/callback?"
                        + ImBackend.encode(im.query(TOPIC_DESTROYED))))
                .version(HttpClient.Version.HTTP_1_1).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"pad\":\"" + "x".repeat(1_100_000) + "\"}")).build());
        assertThat(oversized.statusCode()).as("quarkus.http.limits.max-body-size").isEqualTo(413);
    }

    @Test
    @Order(8)
    void aCallbackAcknowledgedWhileTheDatabaseIsAwayIsJournaledAndRecordedWhenItIsBack() throws Exception {
        String group = "@TGS#_whileAway";
        network.refuse();
        try {
            HttpResponse<String> reply = im.callback(TOPIC_DESTROYED, ImBackend.topicCallback(group, "a", "b"));

            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo(OK_REPLY);
            try (var files = Files.list(journal)) {
                assertThat(files.count()).as("kept on the journal's volume").isPositive();
            }
            assertThat(count("SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = '" + group + "'")).isZero();
        } finally {
            network.heal();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> count(
                "SELECT COUNT(*) FROM im_topic_destroyed WHERE group_id = '" + group + "'") == 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> crmRequests().stream()
                .filter(r -> r.getBodyAsString().contains(group)).count() == 2);
    }

    static List<LoggedRequest> crmRequests() {
        return CRM.findAll(postRequestedFor(urlEqualTo("/crm")));
    }

    static Connection database() throws SQLException {
        return postgres.getDatabase("postgres", "imbridge").getConnection();
    }

    static long count(String sql) throws SQLException {
        try (Connection c = database(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    static List<String> strings(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = database(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                values.add(r.getString(1));
            }
        }
        return values;
    }

    static void execute(String sql) throws SQLException {
        try (Connection c = database(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static String log() {
        try {
            return Files.readString(podLog);
        } catch (IOException e) {
            return "";
        }
    }

    static String tail() {
        String log = log();
        return log.substring(Math.max(0, log.length() - 6000));
    }
}
