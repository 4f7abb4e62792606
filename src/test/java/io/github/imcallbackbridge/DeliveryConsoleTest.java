package io.github.imcallbackbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.github.imcallbackbridge.support.ImBackend.OK_REPLY;
import static io.github.imcallbackbridge.support.ImBackend.TOPIC_DESTROYED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.stream.Stream;

import io.github.imcallbackbridge.support.ImBackend;
import io.github.imcallbackbridge.support.TestDatabases;
import org.htmlunit.BrowserVersion;
import org.htmlunit.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.htmlunit.HtmlUnitDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The delivery console in a real browser: headless Chromium through ChromeDriver where the Debian packages
 * chromium and chromium-driver are installed (.ci/run installs them), and always HtmlUnit, so a machine
 * without Chromium runs every case too. The bridge runs on H2 with two targets: crm (WireMock, answers) and
 * erp (WireMock, refuses until a test lets it answer, with two quick retries, so its deliveries die).
 */
class DeliveryConsoleTest extends RunningBridge {

    static final String ADMIN_TOKEN = "console-admin-token-7";
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Map<String, WebDriver> BROWSERS = new ConcurrentHashMap<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        bridgeProperties(registry, TestDatabases.h2InMemory(), Map.of(
                "admin.token", ADMIN_TOKEN,
                "webhook.targets", "crm,erp",
                "webhook.target.crm.url", CRM.baseUrl() + "/console-crm",
                "webhook.target.erp.url", CRM.baseUrl() + "/console-erp",
                "webhook.target.erp.retry-schedule", "100ms,100ms",
                "webhook.target.erp.max-in-flight", "4"));
    }

    ImBackend im;

    static Stream<String> browsers() {
        List<String> names = new ArrayList<>();
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            names.add("chromium");
        }
        names.add("htmlunit");
        return names.stream();
    }

    @BeforeEach
    void setUp() {
        im = new ImBackend(port);
        CRM.stubFor(post("/console-crm").willReturn(ok()));
        CRM.stubFor(post("/console-erp").willReturn(aResponse().withStatus(500).withBody("erp is down for maintenance")));
        BROWSERS.values().forEach(browser -> browser.manage().deleteAllCookies());
    }

    @AfterEach
    void noJavaScriptErrors() {
        WebDriver chromium = BROWSERS.get("chromium");
        if (chromium != null) {
            List<String> errors = chromium.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                    .map(LogEntry::getMessage)
                    // the refusal of a wrong token is the API answering, not an error of the page
                    .filter(message -> !message.contains("/admin/targets - Failed to load resource: the server responded with a status of 401"))
                    .toList();
            assertThat(errors).as("errors in Chromium's console").isEmpty();
        }
        // HtmlUnit is started with throwExceptionOnScriptError: a script error fails the step that caused it
    }

    @AfterAll
    static void closeBrowsers() {
        BROWSERS.values().forEach(WebDriver::quit);
        BROWSERS.clear();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("browsers")
    void signsInWithTheAdminTokenAndRefusesAWrongOne(String name) {
        WebDriver browser = open(name);

        assertThat(browser.findElement(By.cssSelector("label[for=token]")).getText()).contains("Admin token");
        signIn(browser, "not-the-token");
        WebElement refusal = waitFor(browser, By.id("sign-in-error"));
        await().atMost(Duration.ofSeconds(10)).until(() -> refusal.getText().contains("That is not the admin token."));
        assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();

        signIn(browser, ADMIN_TOKEN);
        WebElement targets = waitFor(browser, By.cssSelector("#targets tbody tr"));
        assertThat(targets.isDisplayed()).isTrue();
        assertThat(browser.findElements(By.cssSelector("#targets tbody tr td:first-child")))
                .extracting(WebElement::getText).containsExactly("crm", "erp");
        assertThat(browser.findElement(By.id("token")).getAttribute("value")).as("the field is emptied").isEmpty();
        assertThat(browser.getPageSource()).doesNotContain(ADMIN_TOKEN);

        browser.findElement(By.id("sign-out")).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> browser.findElement(By.id("sign-in")).isDisplayed());
        assertThat(((JavascriptExecutor) browser).executeScript("return window.sessionStorage.length")).isEqualTo(0L);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("browsers")
    void aDeadDeliveryIsShownWithItsAttemptsAndItsReplayButtonDeliversIt(String name) {
        String group = CallbackFlowContract.newGroupId();
        assertThat(im.callback(TOPIC_DESTROYED, ImBackend.topicCallback(group, "a")).body()).isEqualTo(OK_REPLY);
        await().atMost(Duration.ofSeconds(15)).until(() -> "DEAD".equals(erpStatus(group)));
        String webhookId = database.queryForObject(
                "SELECT event_id FROM webhook_delivery WHERE target = 'erp' AND group_id = ?", String.class, group);
        WebDriver browser = signedIn(name);

        filter(browser, "erp", "DEAD", group);
        WebElement row = waitForRowOf(browser, webhookId);
        assertThat(row.findElement(By.cssSelector("td.status")).getText()).isEqualTo("DEAD");
        assertThat(row.getText()).contains("erp", "3", group + "@TOPIC#_a");

        row.findElement(By.cssSelector("button.link")).click();
        waitFor(browser, By.cssSelector("#attempts tbody tr"));
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElements(By.cssSelector("#attempts tbody tr")).size() == 3);
        for (WebElement attempt : browser.findElements(By.cssSelector("#attempts tbody tr"))) {
            assertThat(attempt.getText()).contains("500", "ms", "erp is down for maintenance");
        }
        assertThat(browser.findElement(By.id("detail-payload")).getText()).contains("im.topic.destroyed", group + "@TOPIC#_a");

        CRM.stubFor(post("/console-erp").willReturn(ok()));
        row.findElement(By.cssSelector("button[aria-label^='Replay delivery']")).click();

        await().atMost(Duration.ofSeconds(15)).until(() -> CRM.findAll(postRequestedFor(urlEqualTo("/console-erp"))
                .withHeader("webhook-id", equalTo(webhookId))).size() == 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(erpStatus(group)));
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("status")).getText().contains("Replayed 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("browsers")
    void theTargetsDeadOnesAreReplayedAfterConfirmingAndTheSelectedOnesToo(String name) {
        String group = CallbackFlowContract.newGroupId();
        assertThat(im.callback(TOPIC_DESTROYED, ImBackend.topicCallback(group, "a", "b", "c")).body()).isEqualTo(OK_REPLY);
        await().atMost(Duration.ofSeconds(15)).until(() -> deadAtErp(group) == 3);
        WebDriver browser = signedIn(name);
        filter(browser, "erp", "DEAD", group);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> rows(browser).size() == 3);

        rows(browser).get(0).findElement(By.cssSelector("input.pick")).click();
        browser.findElement(By.id("replay-selected")).click();
        var selected = new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.alertIsPresent());
        assertThat(selected.getText()).isEqualTo("Replay 1 selected deliveries?");
        selected.dismiss();
        assertThat(deadAtErp(group)).as("dismissed: nothing replayed").isEqualTo(3);

        browser.findElement(By.id("replay-dead")).click();
        var all = new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.alertIsPresent());
        assertThat(all.getText()).startsWith("Replay every dead delivery of erp");
        CRM.stubFor(post("/console-erp").willReturn(ok()));
        all.accept();

        await().atMost(Duration.ofSeconds(15)).until(() -> deadAtErp(group) == 0);
        await().atMost(Duration.ofSeconds(15)).until(() -> database.queryForObject("SELECT COUNT(*) FROM webhook_delivery"
                + " WHERE target = 'erp' AND group_id = ? AND status = 'DELIVERED'", Long.class, group) == 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("browsers")
    void theFiltersNarrowTheList(String name) {
        String first = CallbackFlowContract.newGroupId();
        String second = CallbackFlowContract.newGroupId();
        assertThat(im.callback(TOPIC_DESTROYED, ImBackend.topicCallback(first, "a", "b")).body()).isEqualTo(OK_REPLY);
        assertThat(im.callback(TOPIC_DESTROYED, ImBackend.topicCallback(second, "a")).body()).isEqualTo(OK_REPLY);
        await().atMost(Duration.ofSeconds(15)).until(() -> database.queryForObject("SELECT COUNT(*) FROM webhook_delivery"
                + " WHERE target = 'crm' AND status = 'DELIVERED' AND group_id IN (?, ?)", Long.class, first, second) == 3);
        WebDriver browser = signedIn(name);

        filter(browser, "crm", "DELIVERED", first);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> rows(browser).size() == 2);
        assertThat(rows(browser)).allSatisfy(row -> assertThat(row.getText()).contains(first, "crm", "DELIVERED"));

        clearFilters(browser);
        browser.findElement(By.id("filter-topic")).sendKeys(second + "@TOPIC#_a");
        browser.findElement(By.id("apply-filters")).click();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> rows(browser).size() == 2
                && rows(browser).stream().allMatch(row -> row.getText().contains(second + "@TOPIC#_a")));

        String webhookId = database.queryForObject("SELECT event_id FROM webhook_delivery WHERE target = 'crm' AND group_id = ?",
                String.class, second);
        clearFilters(browser);
        browser.findElement(By.id("filter-webhook-id")).sendKeys(webhookId);
        browser.findElement(By.id("apply-filters")).click();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> rows(browser).size() == 2
                && rows(browser).stream().allMatch(row -> row.getText().contains(webhookId)));
        assertThat(rows(browser)).extracting(row -> row.findElement(By.cssSelector("td:nth-child(3)")).getText())
                .as("one event, one delivery per target").containsExactlyInAnyOrder("crm", "erp");

        clearFilters(browser);
        browser.findElement(By.id("filter-group")).sendKeys("@TGS#_noSuchGroup");
        browser.findElement(By.id("apply-filters")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.cssSelector("#deliveries tbody")).getText()
                .contains("No delivery matches these filters."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("browsers")
    void itFitsA375PixelScreenWithoutScrollingSideways(String name) throws Exception {
        String group = CallbackFlowContract.newGroupId();
        assertThat(im.callback(TOPIC_DESTROYED, ImBackend.topicCallback(group, "aVeryLongTopicNameThatWouldPushTheTableWide")).body())
                .isEqualTo(OK_REPLY);
        await().atMost(Duration.ofSeconds(15)).until(() -> "DEAD".equals(erpStatus(group)));
        WebDriver browser = signedIn(name);
        assertThat(browser.findElement(By.cssSelector("meta[name=viewport]")).getAttribute("content"))
                .contains("width=device-width");
        if (!(browser instanceof TakesScreenshot) || browser instanceof HtmlUnitDriver) {
            return; // HtmlUnit lays nothing out: widths are only measured in Chromium
        }
        browser.manage().window().setSize(new Dimension(1280, 1500));
        clearFilters(browser);
        browser.findElement(By.id("apply-filters")).click();
        waitFor(browser, By.cssSelector("#activity svg"));
        waitForRowOf(browser, database.queryForObject(
                "SELECT event_id FROM webhook_delivery WHERE target = 'erp' AND group_id = ?", String.class, group));
        screenshot(browser, "console-wide.png");

        browser.manage().window().setSize(new Dimension(375, 812));
        browser.navigate().refresh();
        waitForRowOf(browser, database.queryForObject(
                "SELECT event_id FROM webhook_delivery WHERE target = 'erp' AND group_id = ?", String.class, group));
        Object overflow = ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertThat(((Number) overflow).longValue()).as("pixels of horizontal scrolling at 375 px").isLessThanOrEqualTo(0);
        screenshot(browser, "console-narrow.png");
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    @org.junit.jupiter.api.Test
    void thePageAndItsFilesAreServedWithAPolicyThatLetsThemLoadNothingElse() throws Exception {
        var page = im.send("GET", "/console");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy -> assertThat(policy)
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.body()).doesNotContain(ADMIN_TOKEN).doesNotContain("<script>").doesNotContain("http://").doesNotContain("https://");
        assertThat(im.send("GET", "/console/console.js").headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/javascript"));
        assertThat(im.send("GET", "/console/console.css").statusCode()).isEqualTo(200);
        DeliveryContract.assertProblem(im.send("GET", "/console/application.yaml"), 404, "the console has no file application.yaml");
        var traversal = im.send("GET", "/console/..%2Fapplication.yaml");
        assertThat(traversal.statusCode()).as("refused by the server or by the console").isIn(400, 404);
        assertThat(traversal.body()).doesNotContain("sdkappid");
        assertThat(im.send("POST", "/console").statusCode()).isEqualTo(405);
    }

    // --- the browser -------------------------------------------------------------------------------------

    WebDriver open(String name) {
        WebDriver browser = BROWSERS.computeIfAbsent(name, DeliveryConsoleTest::start);
        String console = "http://127.0.0.1:" + port + "/console";
        if (browser.getCurrentUrl().startsWith(console)) {
            // signed out on the last test's page, so the new one does not start signed in
            ((JavascriptExecutor) browser).executeScript("window.sessionStorage.clear()");
        }
        browser.get(console);
        waitFor(browser, By.id("token"));
        return browser;
    }

    WebDriver signedIn(String name) {
        WebDriver browser = open(name);
        signIn(browser, ADMIN_TOKEN);
        waitFor(browser, By.cssSelector("#targets tbody tr"));
        return browser;
    }

    static WebDriver start(String name) {
        if (name.equals("chromium")) {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--window-size=1280,900", "--user-data-dir=" + tempDir("chromium-profile"));
            options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(CHROMEDRIVER.toString())).build();
            return new ChromeDriver(service, options);
        }
        return new HtmlUnitDriver(BrowserVersion.BEST_SUPPORTED, true) {
            @Override
            protected WebClient modifyWebClient(WebClient client) {
                client.getOptions().setThrowExceptionOnScriptError(true);
                return client;
            }
        };
    }

    static void signIn(WebDriver browser, String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.id("sign-in-button")).click();
    }

    static void filter(WebDriver browser, String target, String status, String group) {
        clearFilters(browser);
        await().atMost(Duration.ofSeconds(10)).until(() -> new Select(browser.findElement(By.id("filter-target"))).getOptions()
                .stream().anyMatch(option -> option.getText().equals(target)));
        new Select(browser.findElement(By.id("filter-target"))).selectByVisibleText(target);
        new Select(browser.findElement(By.id("filter-status"))).selectByVisibleText(status);
        browser.findElement(By.id("filter-group")).sendKeys(group);
        browser.findElement(By.id("apply-filters")).click();
    }

    static void clearFilters(WebDriver browser) {
        for (String field : List.of("filter-group", "filter-topic", "filter-webhook-id")) {
            browser.findElement(By.id(field)).clear();
        }
        new Select(browser.findElement(By.id("filter-target"))).selectByIndex(0);
        new Select(browser.findElement(By.id("filter-status"))).selectByIndex(0);
    }

    static List<WebElement> rows(WebDriver browser) {
        return browser.findElements(By.cssSelector("#deliveries tbody tr[data-id]"));
    }

    static WebElement waitForRowOf(WebDriver browser, String webhookId) {
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> rows(browser).stream().anyMatch(row -> row.getText().contains(webhookId)));
        return rows(browser).stream().filter(row -> row.getText().contains(webhookId)).findFirst().orElseThrow();
    }

    static WebElement waitFor(WebDriver browser, By locator) {
        return new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    static void screenshot(WebDriver browser, String file) throws Exception {
        Path folder = Files.createDirectories(Path.of("target/console-screenshots"));
        Files.write(folder.resolve(file), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    static String tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // --- the database ------------------------------------------------------------------------------------

    String erpStatus(String group) {
        List<String> statuses = database.queryForList("SELECT status FROM webhook_delivery WHERE target = 'erp' AND group_id = ?",
                String.class, group);
        return statuses.size() == 1 ? statuses.get(0) : null;
    }

    long deadAtErp(String group) {
        return database.queryForObject("SELECT COUNT(*) FROM webhook_delivery WHERE target = 'erp' AND group_id = ?"
                + " AND status = 'DEAD'", Long.class, group);
    }
}
