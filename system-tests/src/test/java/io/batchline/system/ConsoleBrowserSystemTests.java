package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import tools.jackson.databind.JsonNode;

/**
 * The operator console in a real headless Chromium (Debian's chromium and chromium-driver),
 * against the packaged API and two workers as processes: sign-in, a running batch's bar
 * moving on the overview, a batch page's top errors after failures, cancel and retry from
 * the page, tenant isolation, search. Each page is saved as a screenshot under
 * {@code target/screenshots}. Without a browser on the machine the class fails (it is never
 * skipped): {@code .ci/run} installs Debian's chromium and chromium-driver.
 */
class ConsoleBrowserSystemTests {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static BatchlineStack stack;
    private static String tenant;
    private static String key;
    private static String otherKey;
    private WebDriver browser;
    private Path profile;

    @BeforeAll
    static void startStack() {
        // never skipped: a console nobody opened in a browser is not tested (.ci/run installs both)
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("the console's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": apt-get install chromium chromium-driver (or set CHROMIUM and CHROMEDRIVER)");
        }
        stack = new BatchlineStack(Map.of("WORKER_ANNOUNCE_AFTER", "300ms", "BATCH_CONSOLE_SAMPLE_INTERVAL", "1s")).startApi();
        stack.startWorker();
        stack.startWorker();
        tenant = "console-" + UUID.randomUUID().toString().substring(0, 8);
        key = stack.submitterKey(tenant);
        otherKey = stack.submitterKey("other-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @BeforeEach
    void openBrowser() throws IOException {
        profile = Files.createTempDirectory("batchline-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--user-data-dir=" + profile, "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void signIn(String apiKey) {
        browser.get(stack.api().url("/ui"));
        assertThat(browser.getCurrentUrl()).endsWith("/ui/sign-in");
        browser.findElement(By.id("apiKey")).sendKeys(apiKey);
        browser.findElement(By.cssSelector("form button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("/ui"));
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private UUID submit(String apiKey, String body) {
        BatchlineStack.Answer answer = stack.request("POST", "/api/batches", apiKey, body);
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(202);
        return UUID.fromString(answer.body().get("batchId").asString());
    }

    private JsonNode awaitEnd(UUID batch) {
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.get("/api/batches/" + batch).body(),
                        view -> List.of("completed", "failed", "cancelled", "timed_out").contains(view.path("status").asString("")));
    }

    @Test
    void aWrongKeyIsRefusedAndNoSecretReachesThePage() throws IOException {
        browser.get(stack.api().url("/ui/batches"));
        assertThat(browser.getCurrentUrl()).endsWith("/ui/sign-in");
        browser.findElement(By.id("apiKey")).sendKeys("bl_not_a_key_at_all_0000000000000");
        browser.findElement(By.cssSelector("form button[type=submit]")).click();
        assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText()).contains("unknown or has been revoked");
        screenshot("sign-in");

        signIn(key);
        assertThat(browser.getPageSource()).doesNotContain(key);
        // the session cookie is HttpOnly: the page's scripts cannot read it
        assertThat(((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return document.cookie")).asString()
                .doesNotContain("bl_session");
        org.openqa.selenium.Cookie session = browser.manage().getCookieNamed("bl_session");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
    }

    @Test
    void theOverviewShowsARunningBatchWhoseBarMoves() throws IOException {
        signIn(key);
        // about 10 s of work on two workers: chunks of 100 items of 1 s each end one after another
        String items = IntStream.range(0, 4000).mapToObj(i -> "{\"key\":\"o" + i + "\",\"delayMs\":1000}").collect(Collectors.joining(","));
        UUID batch = submit(key, "{\"operation\":\"noop\",\"items\":[" + items + "]}");
        By bar = By.cssSelector("tr[data-batch='" + batch + "'] [role=progressbar]");
        double first;
        try {
            first = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> value(bar), v -> v != null && v > 0 && v < 100);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            screenshot("overview-failure");
            Files.writeString(SCREENSHOTS.resolve("overview-failure.html"), browser.getPageSource());
            throw e;
        }
        screenshot("overview");
        // the bar grows while the batch runs (and its row leaves the active list once it ends)
        Double later = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(() -> value(bar), v -> v != null && v > first);
        assertThat(later).isGreaterThan(first);
    }

    private Double value(By bar) {
        List<WebElement> found = browser.findElements(bar);
        if (found.isEmpty()) {
            return null;
        }
        try {
            return Double.parseDouble(found.getFirst().getAttribute("aria-valuenow"));
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return null; // the live part was just replaced
        }
    }

    @Test
    void aBatchPageShowsTheTopErrorsAndRetriesFromThePage() throws IOException {
        String planned = IntStream.range(0, 100).mapToObj(i -> "{\"key\":\"p" + i + "\",\"failRate\":0.2}").collect(Collectors.joining(","));
        String transient_ = IntStream.range(100, 110).mapToObj(i -> "{\"key\":\"t" + i + "\",\"failAttempts\":1}").collect(Collectors.joining(","));
        UUID batch = submit(key, "{\"operation\":\"noop\",\"options\":{\"maxAttempts\":1},\"metadata\":{\"ticket\":\"OPS-" + tenant
                + "\"},\"items\":[" + planned + "," + transient_ + "]}");
        JsonNode done = awaitEnd(batch);
        assertThat(done.get("counts").get("failed").asInt()).isEqualTo(30);

        signIn(key);
        browser.get(stack.api().url("/ui/batches/" + batch));
        List<WebElement> errors = browser.findElements(By.cssSelector("#top-errors tbody tr"));
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0).getText()).contains("noop.planned_failure").contains("20");
        assertThat(errors.get(1).getText()).contains("noop.planned_transient_failure").contains("10");
        assertThat(browser.findElements(By.cssSelector("#failed-items tbody tr"))).hasSize(25);
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("completed");
        screenshot("batch");

        browser.findElement(By.id("retry")).click();
        browser.switchTo().alert().accept();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(browser.findElement(By.id("action-result")).getText()).contains("Retrying 30 failed items"));
        JsonNode retried = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.get("/api/batches/" + batch).body(), view -> view.path("status").asString("").equals("completed")
                        && view.path("counts").path("succeeded").asInt() == 90);
        // the planned failures fail again; the transient ones succeed on their second attempt
        assertThat(retried.get("counts").get("failed").asInt()).isEqualTo(20);
        JsonNode audit = stack.get("/api/admin/audit?tenant=" + tenant + "&limit=50").body().get("data");
        assertThat(audit.valueStream().map(e -> e.get("action").asString())).contains("batch.retried", "console.signed-in");

        // the list finds it by its metadata value
        browser.get(stack.api().url("/ui/batches?q=OPS-" + tenant));
        List<WebElement> rows = browser.findElements(By.cssSelector("#batch-list tbody tr"));
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst().getText()).contains(batch.toString());
        screenshot("batches");
    }

    @Test
    void aBatchIsCancelledFromItsPageAndOtherTenantsStayInvisible() throws IOException {
        String items = IntStream.range(0, 3000).mapToObj(i -> "{\"key\":\"c" + i + "\",\"delayMs\":1000}").collect(Collectors.joining(","));
        UUID batch = submit(key, "{\"operation\":\"noop\",\"items\":[" + items + "]}");
        UUID others = submit(otherKey, "{\"operation\":\"noop\",\"items\":[{\"key\":\"x\"}]}");

        signIn(key);
        browser.get(stack.api().url("/ui/batches/" + batch));
        browser.findElement(By.id("cancel")).click();
        browser.switchTo().alert().accept();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(browser.findElement(By.id("action-result")).getText()).contains("stopping"));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("cancelled"));
        screenshot("batch-cancelled");
        assertThat(stack.get("/api/batches/" + batch).body().get("status").asString()).isEqualTo("cancelled");

        browser.get(stack.api().url("/ui/batches/" + others));
        assertThat(browser.getPageSource()).doesNotContain(others.toString());
        assertThat(browser.getPageSource()).doesNotContain("\"creator\"");
        browser.get(stack.api().url("/ui/batches"));
        assertThat(browser.getPageSource()).doesNotContain(others.toString()).contains(batch.toString());
        browser.get(stack.api().url("/ui/batches?q=" + others));
        assertThat(browser.findElements(By.cssSelector("#batch-list tbody tr"))).isEmpty();
    }

    @Test
    void anAdminSeesQueuesDeadLettersAndTheWorkersThatReportIn() throws IOException {
        signIn(BatchlineStack.ADMIN_KEY);
        // the admin part is filled by the page's script from the JSON API
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            assertThat(browser.findElement(By.cssSelector("#queues tbody")).getText()).contains("batch.items.noop");
            assertThat(browser.findElement(By.cssSelector("#dead-letters tbody")).getText()).contains("batch.dead.");
            // this stack's two workers are alive; workers of earlier stacks on the same database show as gone
            List<String> alive = browser.findElements(By.cssSelector("#workers tbody tr")).stream().map(WebElement::getText)
                    .filter(row -> row.contains(" s ago")).toList();
            assertThat(alive).hasSizeGreaterThanOrEqualTo(2);
            assertThat(alive).allSatisfy(row -> assertThat(row).contains("/"));
        });
        screenshot("overview-admin");
    }
}
