package com.hostkey.reinstall.system;

import com.hostkey.reinstall.testkit.TopicReader;
import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.http.QueryApiSettings;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The fleet dashboard in a real browser (headless Chromium through Selenium WebDriver) against a
 * running stack, as an operator uses it: a wrong token shows nothing, a fleet roll-out is watched
 * live (rows move through the nine steps), one server is opened and cancelled from the page and ends
 * CANCELLED with the operator recorded on the command, a read token sees no actions, and the page
 * fits a phone. Waits are on page state, never on the clock.
 *
 * <p>The screenshot of the fleet in progress is written to {@code target/dashboard.png}; with
 * {@code -Ddashboard.screenshot=../docs/dashboard.png} also there (the README's picture).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Slow enough that a fleet is still in flight while the page is looked at, fast enough for the suite. */
    private static final double TIME_SCALE = 60.0;
    private static final long FIRST_SERVER = 1001;
    private static final int WAVES = 4;
    private static final int PER_WAVE = 5;
    private static final long REJECTED_SERVER = FIRST_SERVER + WAVES * PER_WAVE;
    private static final Duration LIVE = Duration.ofSeconds(5);
    private static final Duration SLOW = Duration.ofSeconds(60);

    private static ReinstallStack stack;
    private static Path profile;
    private static WebDriver driver;
    private static long cancelled;

    @BeforeAll
    static void start() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("DashboardBrowserIT needs Debian's chromium and chromium-driver: "
                    + "deploy/test.sh installs them (deploy/bin/ensure-browser.sh), or apt-get install -y chromium chromium-driver");
        }
        stack = new ReinstallStack(TIME_SCALE, SagaSettings.defaults(), AdmissionSettings.defaults(), ReinstallStack.API_KEY,
                ReinstallStack.PIN, 24);
        profile = Files.createTempDirectory("dashboard-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,800", "--lang=en-GB");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.get(stack.queryUrl("/"));
        viewport(1280, 800);
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (stack != null) {
            stack.close();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    @Order(1)
    void shouldRefuseAWrongTokenAndShowNoData() {
        driver.get(stack.queryUrl("/"));
        String wrong = QueryApiSettings.generateToken();
        signIn(wrong);

        WebElement error = waitFor(LIVE, ExpectedConditions.visibilityOfElementLocated(By.id("token-error")));
        assertThat(error.getText()).contains("refused");
        assertThat(driver.findElement(By.id("app")).isDisplayed()).isFalse();
        assertThat(driver.findElements(By.cssSelector("#rows tr"))).isEmpty();
        assertThat(sessionToken()).isNull();
        assertThat(driver.getCurrentUrl()).doesNotContain(wrong);
    }

    @Test
    @Order(2)
    void shouldShowTheFleetMovingThroughTheStepsLive() throws Exception {
        driver.get(stack.queryUrl("/"));
        signIn(stack.writeToken());
        waitFor(LIVE, ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "Operator " + ReinstallStack.OPERATOR));
        assertThat(sessionToken()).isEqualTo(stack.writeToken());
        assertThat(driver.getCurrentUrl()).doesNotContain(stack.writeToken());

        // Waves, so the fleet spreads over the steps; each next wave once the last one is under way.
        List<Integer> stepsOfFirstServer = new ArrayList<>();
        for (int wave = 0; wave < WAVES; wave++) {
            long first = FIRST_SERVER + (long) wave * PER_WAVE;
            int shown = (wave + 1) * PER_WAVE;
            long submitted = System.nanoTime();
            for (long server = first; server < first + PER_WAVE; server++) {
                stack.submit(reinstall(server, "srv" + server + ".fleet.example.net"));
            }
            waitFor(LIVE, d -> rows().size() >= shown);
            System.out.printf("wave %d: %d rows shown %d ms after submitting%n", wave + 1, shown,
                    Duration.ofNanos(System.nanoTime() - submitted).toMillis());
            waitFor(SLOW, d -> recordStep(stepsOfFirstServer) >= 0 && (step(first) >= 6 || !outcome(first).equals("IN_PROGRESS")));
        }
        stack.submit(reinstall(REJECTED_SERVER, "not a valid_hostname"));

        // The first server moves on through the steps while the page is watched.
        waitFor(SLOW, d -> recordStep(stepsOfFirstServer) >= 6);
        assertThat(stepsOfFirstServer).isSortedAccordingTo(Comparator.naturalOrder());
        assertThat(new TreeSet<>(stepsOfFirstServer)).hasSizeGreaterThanOrEqualTo(3);

        // A fleet in progress: every request counted, the first finished, the others spread over the steps.
        waitFor(SLOW, d -> recordStep(stepsOfFirstServer) >= 0 && totalShown("total") == WAVES * PER_WAVE + 1
                && totalShown("completed") >= 1 && distinctSteps().size() >= 3 && outcome(REJECTED_SERVER).equals("REJECTED"));
        assertThat(driver.findElements(By.cssSelector("#by-location li"))).hasSizeGreaterThanOrEqualTo(3);
        assertThat(row(FIRST_SERVER).findElement(By.cssSelector("td[data-col=stage] progress")).getAttribute("max")).isEqualTo("5");
        saveScreenshot("dashboard.png", System.getProperty("dashboard.screenshot"));
    }

    @Test
    @Order(3)
    void shouldOpenAServerAndCancelItFromThePage() {
        // The least advanced reinstall still in flight: from the last wave.
        long server = FIRST_SERVER + (long) (WAVES - 1) * PER_WAVE + PER_WAVE - 1;
        waitFor(SLOW, d -> row(server).getAttribute("data-outcome").equals("IN_PROGRESS") && step(server) >= 1);
        cancelled = server;
        row(server).findElement(By.cssSelector("th button")).click();

        WebElement view = waitFor(LIVE, ExpectedConditions.visibilityOfElementLocated(By.id("server")));
        waitFor(LIVE, ExpectedConditions.textToBePresentInElementLocated(By.id("server-title"), "Server " + server));
        waitFor(LIVE, d -> !d.findElements(By.cssSelector("#timeline li[data-type=ReinstallServer]")).isEmpty());
        assertThat(driver.findElement(By.cssSelector("#timeline li[data-type=ReinstallServer]")).getText())
                .contains("reinstall requested", "by it-upstream");
        assertThat(driver.findElements(By.cssSelector("#server-steps li"))).hasSize(9);
        assertThat(view.findElement(By.id("server-facts")).getText()).contains("Current wait", "Deadline");
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("server-title");

        driver.findElement(By.id("action-reason")).sendKeys("wrong OS ordered");
        driver.findElement(By.id("cancel-button")).click();
        waitFor(LIVE, ExpectedConditions.visibilityOfElementLocated(By.id("confirm-yes"))).click();
        waitFor(LIVE, ExpectedConditions.textToBePresentInElementLocated(By.id("action-result"),
                "CancelReinstall sent as dashboard:" + ReinstallStack.OPERATOR));

        waitFor(SLOW, d -> "CANCELLED".equals(view.getAttribute("data-phase")) && "CANCELLED".equals(row(server).getAttribute("data-phase")));
        waitFor(LIVE, d -> !d.findElements(By.cssSelector("#timeline li[data-type=CancelReinstall]")).isEmpty());
        js("document.getElementById('steps-title').scrollIntoView()");
        saveScreenshot("dashboard-server.png", null);
        assertThat(driver.findElement(By.cssSelector("#timeline li[data-type=CancelReinstall]")).getText())
                .contains("cancel requested: wrong OS ordered by dashboard:" + ReinstallStack.OPERATOR);
        assertThat(driver.findElement(By.id("cancel-button")).isEnabled()).isFalse();

        // What the page did is on record: a command naming the operator, and billing's completion.
        List<ReinstallRequest> cancels = TopicReader.readAll(stack.kafka.bootstrapServers(), ReinstallTopics.REQUESTS,
                        stack.topics.requests.valueSerde().deserializer()).stream()
                .filter(r -> r.key().equals(String.valueOf(server))).map(ConsumerRecord::value)
                .filter(c -> c.getPayload() instanceof CancelReinstall).toList();
        assertThat(cancels).singleElement().satisfies(c -> {
            assertThat(c.getIssuedBy()).isEqualTo("dashboard:" + ReinstallStack.OPERATOR);
            assertThat(((CancelReinstall) c.getPayload()).getReason()).isEqualTo("wrong OS ordered");
        });
        assertThat(stack.completionsFor(server)).singleElement().satisfies(c -> assertThat(c.getOutcome()).isInstanceOf(ReinstallCancelled.class));

        // Keyboard: Escape closes the view and gives the focus back to the server's row.
        driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        waitFor(LIVE, ExpectedConditions.invisibilityOfElementLocated(By.id("server")));
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo(String.valueOf(server));
    }

    @Test
    @Order(4)
    void shouldShowNoActionsToAReadTokenAndSortFromTheKeyboard() {
        driver.findElement(By.id("sign-out")).click();
        waitFor(LIVE, ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertThat(sessionToken()).isNull();
        assertThat(driver.findElements(By.cssSelector("#rows tr"))).isEmpty();

        signIn(stack.queryToken());
        waitFor(LIVE, ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "Read-only"));
        waitFor(LIVE, d -> rows().size() == WAVES * PER_WAVE + 1);

        WebElement serverHeader = driver.findElement(By.cssSelector("th[data-sort=server] button"));
        serverHeader.sendKeys(Keys.ENTER);
        waitFor(LIVE, d -> "ascending".equals(d.findElement(By.cssSelector("th[data-sort=server]")).getAttribute("aria-sort")));
        assertThat(rows().get(0).getAttribute("data-server")).isEqualTo(String.valueOf(FIRST_SERVER));
        serverHeader.sendKeys(Keys.ENTER);
        waitFor(LIVE, d -> rows().get(0).getAttribute("data-server").equals(String.valueOf(REJECTED_SERVER)));

        Select outcome = new Select(driver.findElement(By.id("filter-outcome")));
        outcome.selectByValue("CANCELLED");
        waitFor(LIVE, d -> rows().size() == 1 && rows().get(0).getAttribute("data-server").equals(String.valueOf(cancelled)));
        rows().get(0).findElement(By.cssSelector("th button")).sendKeys(Keys.ENTER);
        waitFor(LIVE, ExpectedConditions.textToBePresentInElementLocated(By.id("server-title"), "Server " + cancelled));
        waitFor(LIVE, d -> !d.findElements(By.cssSelector("#timeline li")).isEmpty());
        assertThat(driver.findElement(By.id("actions")).isDisplayed()).isFalse();
        driver.findElement(By.id("server-close")).click();
        outcome.selectByValue("");
    }

    @Test
    @Order(5)
    void shouldFitAPhoneScreen() {
        viewport(390, 844);
        try {
            waitFor(LIVE, d -> ((Number) js("return window.innerWidth")).intValue() <= 400);
            waitFor(LIVE, d -> !rows().isEmpty());
            long overflow = ((Number) js("return document.documentElement.scrollWidth - window.innerWidth")).longValue();
            assertThat(overflow).as("the page scrolls sideways on a phone").isLessThanOrEqualTo(0);
            assertThat(driver.findElement(By.id("totals")).isDisplayed()).isTrue();
            saveScreenshot("dashboard-phone.png", null);
        } finally {
            viewport(1280, 800);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static ReinstallRequest reinstall(long server, String hostname) {
        // The generated fleet cycles bm, bm, vm, gpu; GPU servers take the GPU image.
        long os = (server - FIRST_SERVER) % 4 == 3 ? 301 : 101;
        return stack.upstream(server, ReinstallServer.newBuilder()
                .setRequestId("dashboard-it-" + UUID.randomUUID())
                .setOsId(os)
                .setHostname(hostname)
                .setRootPassword(stack.sealer.seal("Dash7%Board" + server))
                .setJenkinsTasks(List.of("monitoring-agent"))
                .build());
    }

    private static void signIn(String token) {
        WebElement input = waitFor(LIVE, ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        input.clear();
        input.sendKeys(token);
        driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
    }

    private static List<WebElement> rows() {
        return driver.findElements(By.cssSelector("#rows tr"));
    }

    private static WebElement row(long server) {
        return driver.findElement(By.cssSelector("#rows tr[data-server='" + server + "']"));
    }

    private static int step(long server) {
        List<WebElement> found = driver.findElements(By.cssSelector("#rows tr[data-server='" + server + "']"));
        return found.isEmpty() ? -1 : Integer.parseInt(found.get(0).getAttribute("data-step"));
    }

    private static String outcome(long server) {
        List<WebElement> found = driver.findElements(By.cssSelector("#rows tr[data-server='" + server + "']"));
        return found.isEmpty() ? "" : found.get(0).getAttribute("data-outcome");
    }

    /**
     * Makes the page's viewport {@code width} x {@code height} CSS pixels, as a phone's when narrow
     * (a window cannot be made that narrow): Chrome's device emulation.
     */
    private static void viewport(int width, int height) {
        ((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
                "width", width, "height", height, "deviceScaleFactor", 1, "mobile", width < 600));
        waitFor(LIVE, d -> ((Number) js("return window.innerWidth")).intValue() == width
                && ((Number) js("return window.innerHeight")).intValue() == height);
    }

    /** What the page shows, for the message of a wait that timed out. */
    private static String pageState() {
        try {
            return (String) js("""
                    const rows = [...document.querySelectorAll('#rows tr')].map(r =>
                        `${r.dataset.server}:${r.dataset.phase}:${r.dataset.step}:${r.dataset.outcome}`).join(' ');
                    const text = (id) => document.getElementById(id)?.textContent?.trim();
                    return `live='${text('live')}' who='${text('who')}' tokenError='${text('token-error')}' `
                        + `action='${text('action-result')}' server='${text('server-title')}' outcomeFilter='${document.getElementById('filter-outcome').value}' `
                        + `rows=[${rows}]`;
                    """);
        } catch (RuntimeException e) {
            return "(page state unavailable: " + e.getClass().getSimpleName() + ")";
        }
    }

    /** Notes the first server's step each time the page shows a new one; answers the step shown. */
    private static int recordStep(List<Integer> seen) {
        int step = step(FIRST_SERVER);
        if (step >= 0 && (seen.isEmpty() || seen.get(seen.size() - 1) != step)) {
            seen.add(step);
        }
        return step;
    }

    private static Set<String> distinctSteps() {
        Set<String> steps = new TreeSet<>();
        rows().forEach(r -> steps.add(r.getAttribute("data-step")));
        return steps;
    }

    private static long totalShown(String key) {
        List<WebElement> found = driver.findElements(By.cssSelector("#totals [data-total='" + key + "'] dd"));
        return found.isEmpty() || found.get(0).getText().isBlank() ? -1 : Long.parseLong(found.get(0).getText());
    }

    private static String sessionToken() {
        return (String) js("return sessionStorage.getItem('reinstall-dashboard.token')");
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static <T> T waitFor(Duration timeout, Function<WebDriver, T> condition) {
        // The page re-renders every second: an element read just as it is replaced is read again.
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(100)).ignoring(StaleElementReferenceException.class).until(condition);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s; the page shows " + pageState(), e);
        }
    }

    /** The viewport as {@code target/<name>}, for a look at what the test saw; also copied to {@code copy} when given. */
    private static void saveScreenshot(String name, String copy) {
        try {
            Path shot = Path.of("target", name);
            Files.createDirectories(shot.getParent());
            Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            if (copy != null && !copy.isBlank()) {
                Files.copy(shot, Path.of(copy), StandardCopyOption.REPLACE_EXISTING);
            }
            System.out.println("dashboard screenshot: " + shot.toAbsolutePath() + (copy == null ? "" : " and " + copy));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the screenshot " + name, e);
        }
    }
}
