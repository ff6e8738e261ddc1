package com.hostkey.invapi.client;

import com.hostkey.reinstall.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hostkey.invapi.client.HostkeyApi.AsyncAction;
import com.hostkey.invapi.client.HostkeyApi.BootMedia;
import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer;
import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer.Kind;
import com.hostkey.invapi.simulator.AuditEntry;
import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.invapi.simulator.SimulatorConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import okhttp3.FormBody;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every fault the simulator can inject, met by the real client: each test shows the client's
 * decision (the typed result or the {@link HostkeyException} class) and checks against the
 * simulator's audit how many requests arrived and whether the call was applied.
 *
 * <p>Deterministic: rates are 1.0 and limited with {@code times(n)}, the one seeded rate test
 * replays the same draws, simulated time moves only through {@code advance()}, backoff sleeps are
 * recorded instead of slept, and the only real waits are the hang faults (short, bounded) and
 * bounded waits for a hung request to reach the audit.
 */
class SimulatorFaultDecisionsTest {

    private static final long SERVER = 1001;
    private static final String API_KEY = "fault-api-key-0001";
    private static final String PIN = "1357";
    /** Long enough that only an injected hang can exceed it, even on a loaded machine. */
    private static final Duration GENEROUS = Duration.ofSeconds(10);
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);
    private static final Duration HANG = Duration.ofSeconds(1);

    private final MutableClock clock = new MutableClock(Instant.now());
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final WireTap wire = new WireTap();
    private final List<HostkeyClient> clients = new ArrayList<>();
    private HostkeySimulator sim;
    private HostkeyClient client;

    @BeforeEach
    void start() {
        sim = HostkeySimulator.start(SimulatorConfig.builder().port(0).timeScale(1.0).generatedFleet(4)
                .account("default", API_KEY, PIN).faultSeed(42).build());
        client = client(b -> b);
    }

    @AfterEach
    void stop() {
        clients.forEach(HostkeyClient::close);
        sim.close();
    }

    private HostkeyClient client(UnaryOperator<HostkeyClientConfig.Builder> tuning) {
        HostkeyClientConfig.Builder builder = HostkeyClientConfig.builder(sim.baseUrl())
                .account("default", new Credentials(API_KEY, PIN))
                .readTimeout(GENEROUS)
                .actionTimeout(GENEROUS)
                .callbackTimeout(GENEROUS)
                .requestsPerSecond(1000);
        HostkeyClient c = new HostkeyClient(tuning.apply(builder).build(), clock, sleeps::add, wire);
        clients.add(c);
        return c;
    }

    private List<String> outcomes(String module, String action) {
        return sim.audit(module, action).stream().map(AuditEntry::outcome).toList();
    }

    private void advance(long simulatedSeconds) {
        sim.clock().advance(Duration.ofSeconds(simulatedSeconds));
    }

    // ------------------------------------------------------------------ latency and hangs

    @Test
    void shouldSucceedWhenLatencyStaysWithinTheTimeout() {
        sim.faults().on("eq", "show").latency(Duration.ofMillis(150), Duration.ofMillis(50));
        long started = System.nanoTime();

        HostkeyApi.ServerFacts facts = client.show("default", SERVER);

        assertThat(facts.id()).isEqualTo(SERVER);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(wire.count("eq/show")).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldRetryAReadThatHangsPastTheTimeoutThenRaiseTransient() {
        HostkeyClient impatient = client(b -> b.callbackTimeout(SHORT_TIMEOUT));
        sim.faults().on("eq_callback", "check").hang(1.0, HANG);

        HostkeyException.Transient e = catchThrowableOfType(HostkeyException.Transient.class,
                () -> impatient.checkCallback("f685eaa0f06e47faa2e6bb5002828b00"));

        assertThat(e).hasMessageContaining("timed out");
        assertThat(wire.count("eq_callback/check")).isEqualTo(3);
        assertThat(sleeps).as("backoff between the three attempts").hasSize(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> sim.audit("eq_callback", "check").size() == 3);
    }

    @Test
    void shouldRetryAReadThatHangsOnceAndSucceed() {
        // The second attempt must succeed within the timeout, so it is longer here than where every attempt hangs.
        HostkeyClient impatient = client(b -> b.callbackTimeout(Duration.ofSeconds(1)));
        String key = client.status("default", SERVER).callbackKey();
        sim.faults().on("eq_callback", "check").hang(1.0, Duration.ofMillis(2500)).times(1);

        CallbackAnswer answer = impatient.checkCallback(key);

        assertThat(answer.kind()).isEqualTo(Kind.NOT_READY);
        assertThat(wire.count("eq_callback/check")).isEqualTo(2);
        assertThat(sleeps).hasSize(1);
    }

    @Test
    void shouldRaiseAmbiguousAfterExactlyOneRebootThatHangsPastTheTimeout() {
        HostkeyClient impatient = client(b -> b.actionTimeout(SHORT_TIMEOUT));
        sim.faults().on("eq", "reboot").hang(1.0, HANG);

        assertThatThrownBy(() -> impatient.reboot("default", SERVER))
                .isInstanceOf(HostkeyException.Ambiguous.class).hasMessageContaining("timed out");

        assertThat(wire.count("eq/reboot")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> !sim.audit("eq", "reboot").isEmpty());
        assertThat(outcomes("eq", "reboot")).as("applied late, once").containsExactly("OK");
        advance(5);
        assertThat(sim.server(SERVER).boots()).as("the ambiguity was real: the reboot happened").isEqualTo(1);
    }

    @Test
    void shouldRaiseAmbiguousAfterExactlyOneCreatePxeThatHangsPastTheTimeout() {
        HostkeyClient impatient = client(b -> b.actionTimeout(SHORT_TIMEOUT));
        String master = client.createReinstallKey("default", SERVER);
        sim.faults().on("eq", "create_pxe").hang(1.0, HANG);

        assertThatThrownBy(() -> impatient.createPxe("default", InvapiContract.pxeRequest(master)))
                .isInstanceOf(HostkeyException.Ambiguous.class);

        assertThat(wire.count("eq/create_pxe")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> !sim.audit("eq", "create_pxe").isEmpty());
        assertThat(outcomes("eq", "create_pxe")).containsExactly("OK");
        advance(5);
        assertThat(sim.server(SERVER).pxeConfigPresent()).isTrue();
    }

    // ------------------------------------------------------------------ error bodies

    @Test
    void shouldRaiseRejectedForAnInjectedErrorBodyWithoutRetrying() {
        sim.faults().on("eq", "reboot").errorBody(1.0);

        HostkeyException.Rejected e = catchThrowableOfType(HostkeyException.Rejected.class,
                () -> client.reboot("default", SERVER));

        assertThat(e.hostkeyMessage()).isEqualTo("eq/reboot: simulated failure");
        assertThat(outcomes("eq", "reboot")).containsExactly("FAULT: ERROR_BODY eq/reboot: simulated failure");
        advance(5);
        assertThat(sim.server(SERVER).boots()).isZero();
    }

    @Test
    void shouldDecideEachCallByItsOwnDrawWhenErrorBodiesComeAtARate() {
        List<String> first = seededErrorBodyRun();
        List<String> second = seededErrorBodyRun();

        assertThat(first).as("same seed, same decisions").isEqualTo(second);
        assertThat(first).contains("facts", "rejected");
    }

    /** Ten reads at error-body rate 0.5 from seed 7; checks each decision against the audit and returns them. */
    private List<String> seededErrorBodyRun() {
        sim.close();
        clients.forEach(HostkeyClient::close);
        clients.clear();
        sim = HostkeySimulator.start(SimulatorConfig.builder().port(0).generatedFleet(4)
                .account("default", API_KEY, PIN).faultSeed(7).build());
        HostkeyClient c = client(b -> b);
        sim.faults().on("eq", "show").errorBody(0.5);
        List<String> decisions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            try {
                c.show("default", SERVER);
                decisions.add("facts");
            } catch (HostkeyException.Rejected e) {
                decisions.add("rejected");
            }
        }
        assertThat(outcomes("eq", "show")).as("one request per call, none retried")
                .extracting(o -> o.startsWith("FAULT: ERROR_BODY") ? "rejected" : "facts")
                .isEqualTo(decisions);
        return decisions;
    }

    @Test
    void shouldLogInAgainAndRepeatARebootRefusedWithInvalidHashWhichWasNotApplied() {
        sim.faults().on("eq", "reboot").errorBody(1.0, "Invalid hash").times(1);

        AsyncAction reboot = client.reboot("default", SERVER);

        assertThat(reboot.callbackKey()).matches("[a-z0-9]{32}");
        assertThat(outcomes("eq", "reboot")).containsExactly("FAULT: ERROR_BODY eq/reboot: Invalid hash", "OK");
        assertThat(wire.count("auth/login")).isEqualTo(2);
        advance(5);
        assertThat(sim.server(SERVER).boots()).as("exactly one reboot applied").isEqualTo(1);
    }

    // ------------------------------------------------------------------ 5xx

    @Test
    void shouldRetryAReadAnswered5xxAndSucceed() {
        sim.faults().on("eq", "show").serverError(1.0, 502).times(2);

        assertThat(client.show("default", SERVER).id()).isEqualTo(SERVER);

        assertThat(outcomes("eq", "show")).containsExactly("FAULT: HTTP_502", "FAULT: HTTP_502", "OK");
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void shouldRaiseTransientWhenAReadKeepsAnswering5xx() {
        sim.faults().on("os", "list").serverError(1.0, 500);

        assertThatThrownBy(() -> client.listOs("default", SERVER))
                .isInstanceOf(HostkeyException.Transient.class).hasMessageContaining("HTTP 500");

        assertThat(outcomes("os", "list")).hasSize(3).allMatch(o -> o.equals("FAULT: HTTP_500"));
    }

    @Test
    void shouldRaiseAmbiguousAfterExactlyOneRebootAnswered5xx() {
        sim.faults().on("eq", "reboot").serverError(1.0, 500);

        assertThatThrownBy(() -> client.reboot("default", SERVER)).isInstanceOf(HostkeyException.Ambiguous.class);

        assertThat(outcomes("eq", "reboot")).containsExactly("FAULT: HTTP_500");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldRetryBootDevAnswered5xxBecauseRepeatingItIsHarmless() {
        sim.faults().on("eq", "boot_dev").serverError(1.0, 503).times(1);

        assertThat(client.bootDevice("default", SERVER, BootMedia.DISK).callbackKey()).isNotNull();

        assertThat(outcomes("eq", "boot_dev")).containsExactly("FAULT: HTTP_503", "OK");
    }

    // ------------------------------------------------------------------ 429 and Retry-After

    @Test
    void shouldHonourRetryAfterOn429ForARead() {
        sim.faults().on("eq", "show").throttle(1.0, Duration.ofSeconds(2)).times(1);

        assertThat(client.show("default", SERVER).id()).isEqualTo(SERVER);

        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
        assertThat(outcomes("eq", "show")).containsExactly("FAULT: HTTP_429", "OK");
    }

    @Test
    void shouldHandBackARetryAfterBeyondTheCapWithoutWaiting() {
        sim.faults().on("eq", "show").throttle(1.0, Duration.ofSeconds(120));

        HostkeyException.Transient e = catchThrowableOfType(HostkeyException.Transient.class,
                () -> client.show("default", SERVER));

        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(120));
        assertThat(sleeps).isEmpty();
        assertThat(outcomes("eq", "show")).hasSize(1);
    }

    @Test
    void shouldRaiseTransientWithRetryAfterOn429ToARebootWithoutRepeatingIt() {
        sim.faults().on("eq", "reboot").throttle(1.0, Duration.ofSeconds(2));

        HostkeyException.Transient e = catchThrowableOfType(HostkeyException.Transient.class,
                () -> client.reboot("default", SERVER));

        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(outcomes("eq", "reboot")).containsExactly("FAULT: HTTP_429");
        assertThat(sleeps).isEmpty();
        advance(5);
        assertThat(sim.server(SERVER).boots()).as("429 means not applied").isZero();
    }

    // ------------------------------------------------------------------ applied, but the response was lost

    @Test
    void shouldRaiseAmbiguousWhenARebootsResponseIsLostAndNeverResendIt() {
        client.show("default", SERVER); // a pooled connection OkHttp could be tempted to retry on
        sim.faults().on("eq", "reboot").responseLost(1.0);

        assertThatThrownBy(() -> client.reboot("default", SERVER))
                .isInstanceOf(HostkeyException.Ambiguous.class).hasMessageContaining("after the request was sent");

        assertThat(wire.count("eq/reboot")).as("attempts OkHttp made on the wire").isEqualTo(1);
        assertThat(outcomes("eq", "reboot")).containsExactly("FAULT: RESPONSE_LOST after OK");
        advance(5);
        assertThat(sim.server(SERVER).boots()).as("exactly one reboot applied").isEqualTo(1);
    }

    @Test
    void shouldRaiseAmbiguousWhenTheReinstallKeysResponseIsLost() {
        sim.faults().on("eq", "reinstall").responseLost(1.0);

        assertThatThrownBy(() -> client.createReinstallKey("default", SERVER))
                .isInstanceOf(HostkeyException.Ambiguous.class);

        assertThat(outcomes("eq", "reinstall")).containsExactly("FAULT: RESPONSE_LOST after OK");
    }

    @Test
    void shouldRetryAReadWhoseResponseWasLost() {
        sim.faults().on("eq", "show").responseLost(1.0).times(1);

        assertThat(client.show("default", SERVER).id()).isEqualTo(SERVER);

        assertThat(outcomes("eq", "show")).containsExactly("FAULT: RESPONSE_LOST after OK", "OK");
    }

    /**
     * Why the client marks non-idempotent bodies one-shot: plain OkHttp resends a repeatable POST
     * whose connection died before an answer, so a lost response would become a second reboot.
     */
    @Test
    void shouldShowThatPlainOkHttpWouldResendARebootWhoseResponseWasLost() throws IOException {
        String token = loginToken();
        sim.faults().on("eq", "reboot").responseLost(1.0).times(1);
        OkHttpClient plain = new OkHttpClient();
        try {
            RequestBody form = new FormBody.Builder().add("action", "reboot").add("token", token)
                    .add("id", String.valueOf(SERVER)).add("pin", PIN).build();
            Request warmUp = new Request.Builder().url(sim.baseUrl() + "/eq.php")
                    .post(new FormBody.Builder().add("action", "show").add("token", token).add("id", "1001").build())
                    .build();
            try (Response ignored = plain.newCall(warmUp).execute()) {
                assertThat(ignored.code()).isEqualTo(200);
            }
            try (Response response = plain.newCall(new Request.Builder().url(sim.baseUrl() + "/eq.php").post(form).build())
                    .execute()) {
                assertThat(response.code()).isEqualTo(200);
            }
        } finally {
            plain.dispatcher().executorService().shutdown();
            plain.connectionPool().evictAll();
        }

        assertThat(outcomes("eq", "reboot")).containsExactly("FAULT: RESPONSE_LOST after OK", "OK");
        advance(5);
        assertThat(sim.server(SERVER).boots()).as("plain OkHttp rebooted twice").isEqualTo(2);
    }

    private String loginToken() {
        client.show("default", SERVER);
        return wire.last("eq/show").form().get("token");
    }

    // ------------------------------------------------------------------ malformed JSON

    @Test
    void shouldRetryMalformedJsonOnAReadThenRaiseTransient() {
        sim.faults().on("eq", "show").malformedJson(1.0);

        assertThatThrownBy(() -> client.show("default", SERVER))
                .isInstanceOf(HostkeyException.Transient.class).hasMessageContaining("not a JSON object");

        assertThat(outcomes("eq", "show")).hasSize(3).allMatch(o -> o.equals("FAULT: MALFORMED_JSON after OK"));
    }

    @Test
    void shouldRaiseAmbiguousForMalformedJsonToARebootWhichWasApplied() {
        sim.faults().on("eq", "reboot").malformedJson(1.0);

        assertThatThrownBy(() -> client.reboot("default", SERVER)).isInstanceOf(HostkeyException.Ambiguous.class);

        assertThat(outcomes("eq", "reboot")).containsExactly("FAULT: MALFORMED_JSON after OK");
        advance(5);
        assertThat(sim.server(SERVER).boots()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ async tasks, installs, Jenkins

    @Test
    void shouldAnswerErrorOnTheCallbackKeyOfAFailedAsyncTask() {
        sim.faults().on("eq", "boot_dev").asyncFailure(1.0, "IPMI unreachable");
        AsyncAction bootDev = client.bootDevice("default", SERVER, BootMedia.PXE);
        advance(5);

        CallbackAnswer failed = client.checkCallback(bootDev.callbackKey());

        assertThat(failed.kind()).isEqualTo(Kind.ERROR);
        assertThat(failed.scope()).isEqualTo("IPMI unreachable");
        assertThat(client.checkCallback(bootDev.callbackKey()).kind()).isEqualTo(Kind.KEY_NOT_FOUND);
        assertThat(sim.server(SERVER).bootDevice()).isEqualTo("disk");
    }

    @Test
    void shouldKeepAnsweringTheStallStageOnTheMasterKey() {
        sim.faults().installStallsAt(SERVER, 2);
        String master = startInstall();

        List<CallbackAnswer> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            advance(1200);
            answers.add(client.checkCallback(master));
        }

        assertThat(answers).allSatisfy(a -> {
            assertThat(a.kind()).isEqualTo(Kind.STAGE);
            assertThat(a.stage()).isEqualTo(2);
        });
        assertThat(sim.server(SERVER).installRunning()).isTrue();
    }

    @Test
    void shouldAnswerErrorOnTheMasterKeyWhenTheInstallFails() {
        sim.faults().installFailsAt(SERVER, 3);
        String master = startInstall();
        advance(300);
        assertThat(client.checkCallback(master).stage()).isEqualTo(2);
        advance(420);

        CallbackAnswer failed = client.checkCallback(master);

        assertThat(failed.kind()).isEqualTo(Kind.ERROR);
        assertThat(failed.scope()).isEqualTo("Installation failed at stage 3");
        assertThat(failed.action()).isEqualTo("reinstall");
        assertThat(client.checkCallback(master).kind()).isEqualTo(Kind.KEY_NOT_FOUND);
    }

    @Test
    void shouldKeepTheMasterKeyNotReadyWhenTheServerNeverCatchesPxe() {
        sim.faults().neverCatchPxe(SERVER);
        String master = startInstall();

        advance(3600);

        assertThat(client.checkCallback(master).kind()).isEqualTo(Kind.NOT_READY);
        assertThat(sim.server(SERVER).installsStarted()).isZero();
        assertThat(sim.server(SERVER).boots()).isEqualTo(1);
    }

    @Test
    void shouldAnswerErrorOnTheCallbackKeyOfAFailedJenkinsTask() {
        sim.faults().jenkinsTaskFails("monitoring-agent");
        AsyncAction run = client.runJenkinsTask("default", SERVER, "monitoring-agent");
        advance(5);

        CallbackAnswer failed = client.checkCallback(run.callbackKey());

        assertThat(failed.kind()).isEqualTo(Kind.ERROR);
        assertThat(failed.scope()).isEqualTo("Jenkins task monitoring-agent failed");
        assertThat(sim.server(SERVER).jenkinsTasksRun()).isEmpty();
    }

    /** reinstall key, create_pxe, boot_dev pxe, reboot, each completed; returns the master key. */
    private String startInstall() {
        String master = client.createReinstallKey("default", SERVER);
        for (AsyncAction action : List.of(
                client.createPxe("default", InvapiContract.pxeRequest(master)),
                client.bootDevice("default", SERVER, BootMedia.PXE))) {
            advance(5);
            assertThat(client.checkCallback(action.callbackKey()).kind()).isEqualTo(Kind.OK);
        }
        AsyncAction reboot = client.reboot("default", SERVER);
        advance(5);
        assertThat(client.checkCallback(reboot.callbackKey()).kind()).isEqualTo(Kind.OK);
        return master;
    }

    // ------------------------------------------------------------------ global rule, admin endpoint, PIN lock

    @Test
    void shouldRaiseTransientWhenAGlobal5xxRuleAlsoHitsTheLogin() {
        sim.faults().global().serverError(1.0);

        assertThatThrownBy(() -> client.show("default", SERVER))
                .isInstanceOf(HostkeyException.Transient.class).hasMessageContaining("auth/login");

        assertThat(outcomes("auth", "login")).hasSize(3);
        assertThat(wire.count("eq/show")).isZero();
    }

    @Test
    void shouldDecideOnAFaultSetThroughTheAdminEndpoint() throws IOException {
        OkHttpClient plain = new OkHttpClient();
        try (Response response = plain.newCall(new Request.Builder().url(sim.baseUrl() + "/_sim/faults")
                .post(RequestBody.create("""
                        {"module":"eq","action":"reboot","kind":"server_error","rate":1.0,"params":{"status":502}}""",
                        MediaType.get("application/json")))
                .build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        } finally {
            plain.dispatcher().executorService().shutdown();
            plain.connectionPool().evictAll();
        }

        assertThatThrownBy(() -> client.reboot("default", SERVER)).isInstanceOf(HostkeyException.Ambiguous.class);
        assertThat(outcomes("eq", "reboot")).containsExactly("FAULT: HTTP_502");
    }

    @Test
    void shouldNeverSpendAPinAttemptTheCallerDidNotMake() {
        HostkeyClient wrongPin = client(b -> b.account("default", new Credentials(API_KEY, "0000")));

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> wrongPin.reboot("default", SERVER)).isInstanceOf(HostkeyException.WrongPin.class);
        }
        HostkeyException.AuthFailed locked = catchThrowableOfType(HostkeyException.AuthFailed.class,
                () -> client.reboot("default", SERVER));

        assertThat(sim.audit("eq", "reboot")).as("one request per call, three calls: three wrong PINs").hasSize(4);
        assertThat(locked.getMessage()).contains("eq/reboot: account locked");
        assertThat(locked.refusal()).contains(Refusal.ACCOUNT_LOCKED);
        sim.unlockAccount("default");
        assertThat(client.reboot("default", SERVER).callbackKey()).isNotNull();
    }
}
