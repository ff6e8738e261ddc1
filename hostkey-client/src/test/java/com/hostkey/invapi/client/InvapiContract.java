package com.hostkey.invapi.client;

import com.hostkey.reinstall.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.hostkey.invapi.client.HostkeyApi.AsyncAction;
import com.hostkey.invapi.client.HostkeyApi.BootMedia;
import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer;
import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer.Kind;
import com.hostkey.invapi.client.HostkeyApi.CreatePxeRequest;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.invapi.client.WireTap.Exchange;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's contract with invapi: one scenario per fact docs/hostkey-invapi.md marks
 * <b>known</b>, each asserting the client's typed result or decision and what went over the wire.
 *
 * <p>The same scenarios run against the simulator over real HTTP ({@link SimulatorContractTest})
 * and against bodies recorded in the documented shapes, served by mockwebserver3
 * ({@link RecordedBodiesContractTest}). A subclass only arranges its backend through the
 * {@code given}/{@code when} hooks below; it never changes what is asserted. So a scenario that
 * passes on both shows that the client handles the documented wire and that the simulator
 * produces it.
 *
 * <p>Both backends hold the same world: account "default" ({@link #API_KEY}, {@link #PIN}) owns
 * server {@link #SERVER} (bm, NL, 64 GB, 2 x 480 GB, 12 cores, {@link #HOSTNAME}) and
 * {@link #SERVER_WITHOUT_OS}, for which no OS fits. Time never passes by itself: the backend's
 * clock moves only in the {@code when} hooks, the client's only when a scenario moves it.
 */
abstract class InvapiContract {

    static final long SERVER = 1001;
    static final long SERVER_WITHOUT_OS = 1099;
    static final long UNKNOWN_SERVER = 999_999;
    static final String API_KEY = "contract-api-key-0001";
    static final String PIN = "2468";
    static final String HOSTNAME = "srv1001.example.net";
    static final String NEW_HOSTNAME = "fresh1001.example.net";
    static final String ROOT_PASS = "Str0ng-Pass_1";
    static final String MONITORING_TASK = "monitoring-agent";
    static final Pattern CALLBACK_KEY = Pattern.compile("[a-z0-9]{32}");
    static final Pattern TOKEN = Pattern.compile("[0-9a-f]{32}");

    final MutableClock clientClock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    final WireTap wire = new WireTap();
    private final List<HostkeyClient> clients = new ArrayList<>();
    private HostkeyClient client;

    // ------------------------------------------------------------------ the backend's hooks

    /** The backend's base URL; starts it on first use with whatever the given hooks asked for. */
    abstract String baseUrl();

    abstract void stopBackend();

    /** Login answers the token fields at the top level instead of inside {@code result}. */
    abstract void givenFlatLogin();

    /** "AsyncKey not found" answers carry the key inside the message too. */
    abstract void givenKeyInsideNotFoundMessage();

    /** Async OK answers carry {@code scope} as an object and {@code context.id} as a number. */
    abstract void givenScopeAsObjectAndNumericContextId();

    /** An API key Hostkey refuses with the login error shape; returns it. */
    abstract String givenRefusedApiKey();

    /** Hostkey refuses the next {@code times} tokens sent to eq/show with "Invalid hash". */
    abstract void givenShowRefusesTokens(int times);

    /** Hostkey's sessions expire in Hostkey's time; the client's clock does not move. */
    abstract void whenHostkeyExpiresTheSessions();

    /** Every async action accepted so far completes. */
    abstract void whenActionsComplete();

    /** The running install on {@link #SERVER} reports {@code stage} (5: the server is online). */
    abstract void whenInstallReaches(int stage);

    /** The forms the backend received for {@code call}, in order; secrets may be masked. */
    abstract List<Map<String, String>> receivedForms(String call);

    /** Backend-specific checks once a reinstall has finished; the simulator checks its invariants. */
    void thenServerIsAtRest() {
    }

    // ------------------------------------------------------------------ clients

    /** The client of account "default" with its API key and PIN. */
    final HostkeyClient client() {
        if (client == null) {
            client = client(new Credentials(API_KEY, PIN));
        }
        return client;
    }

    final HostkeyClient client(Credentials credentials) {
        HostkeyClient c = new HostkeyClient(HostkeyClientConfig.builder(baseUrl())
                .account(HostkeyClientConfig.DEFAULT_ACCOUNT, credentials)
                .readTimeout(Duration.ofSeconds(10))
                .actionTimeout(Duration.ofSeconds(10))
                .callbackTimeout(Duration.ofSeconds(10))
                .requestsPerSecond(1000)
                .build(), clientClock, sleeps::add, wire);
        clients.add(c);
        return c;
    }

    @AfterEach
    final void closeClientsAndBackend() {
        clients.forEach(HostkeyClient::close);
        stopBackend();
    }

    // ------------------------------------------------------------------ transport

    @Test
    void shouldPostFormEncodedToModulePhpWithActionAndTokenAsFormFields() {
        List<OsOffer> offers = client().listOs("default", SERVER);

        assertThat(offers).isNotEmpty();
        Exchange login = wire.last("auth/login");
        assertThat(login.method()).isEqualTo("POST");
        assertThat(login.path()).isEqualTo("/auth.php");
        assertThat(login.form()).containsEntry("action", "login").containsEntry("key", API_KEY)
                .containsEntry("ttl", "3600").doesNotContainKey("token");
        Exchange list = wire.last("os/list");
        assertThat(list.method()).isEqualTo("POST");
        assertThat(list.path()).isEqualTo("/os.php");
        assertThat(list.contentType()).startsWith("application/x-www-form-urlencoded");
        assertThat(list.form()).containsEntry("action", "list").containsEntry("id", "1001");
        assertThat(list.form().get("token")).matches(TOKEN);
        assertThat(list.headerNames()).as("the token is a form field, never a header")
                .noneMatch(h -> h.equalsIgnoreCase("Authorization") || h.equalsIgnoreCase("token"));
        assertThat(receivedForms("os/list")).singleElement()
                .satisfies(form -> assertThat(form).containsKeys("action", "token", "id"));
    }

    @Test
    void shouldRaiseRejectedWithHostkeysMessageForAnErrorBodyWithHttp200() {
        HostkeyException.Rejected e = catchThrowableOfType(HostkeyException.Rejected.class,
                () -> client().listOs("default", SERVER_WITHOUT_OS));

        assertThat(e.hostkeyMessage()).isEqualTo("os/list: no OS found");
        Exchange list = wire.last("os/list");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("code").asInt()).isEqualTo(-1);
        assertThat(wire.count("os/list")).as("a business error is not retried").isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldRaiseRejectedNamingModuleAndActionForAnErrorBodyOfAnAction() {
        HostkeyException.Rejected e = catchThrowableOfType(HostkeyException.Rejected.class,
                () -> client().reboot("default", UNKNOWN_SERVER));

        assertThat(e.hostkeyMessage()).startsWith("eq/reboot: ");
        assertThat(e.action()).isEqualTo("eq/reboot");
        assertThat(wire.last("eq/reboot").status()).isEqualTo(200);
        assertThat(wire.count("eq/reboot")).isEqualTo(1);
    }

    @Test
    void shouldRaiseAuthFailedForTheLoginErrorShape() {
        HostkeyClient refused = client(Credentials.of(givenRefusedApiKey()));

        HostkeyException.AuthFailed e = catchThrowableOfType(HostkeyException.AuthFailed.class,
                () -> refused.show("default", SERVER));

        assertThat(e).hasMessageContaining("No appropriate servers found");
        JsonNode body = wire.last("auth/login").json();
        assertThat(body.path("result").asInt()).isEqualTo(-1);
        assertThat(body.path("error").asText()).isEqualTo("No appropriate servers found");
        assertThat(body.path("code").asText()).isEqualTo("NO_APPROPRIATE_SERVERS");
        assertThat(wire.calls()).containsExactly("auth/login");
    }

    @Test
    void shouldTakeResultOkAsSuccessAndAnswerEveryAsyncActionWithA32CharCallbackKey() {
        List<AsyncAction> actions = List.of(
                client().reboot("default", SERVER),
                client().bootDevice("default", SERVER, BootMedia.DISK),
                client().status("default", SERVER),
                client().clearPxe("default", SERVER, HOSTNAME));

        assertThat(actions).extracting(AsyncAction::action).containsExactly("reboot", "boot_dev", "status", "clear_pxe");
        assertThat(actions).extracting(AsyncAction::callbackKey).allMatch(k -> CALLBACK_KEY.matcher(k).matches())
                .doesNotHaveDuplicates();
        assertThat(wire.all()).filteredOn(e -> !e.call().equals("auth/login"))
                .allSatisfy(e -> assertThat(e.json().path("result").asText()).isEqualTo("OK"));
    }

    // ------------------------------------------------------------------ authentication

    @Test
    void shouldLogInWithTheNestedShapeAndRenewBeforeTokenExpire() {
        loginAndRenewal(false);
    }

    @Test
    void shouldLogInWithTheFlatShapeAndRenewBeforeTokenExpire() {
        givenFlatLogin();
        loginAndRenewal(true);
    }

    private void loginAndRenewal(boolean flat) {
        assertThat(client().show("default", SERVER).id()).isEqualTo(SERVER);

        JsonNode answer = wire.last("auth/login").json();
        assertThat(answer.path("result").isObject()).as("nested shape: %s", answer).isEqualTo(!flat);
        JsonNode fields = flat ? answer : answer.path("result");
        String token = fields.path("token").asText();
        assertThat(token).matches(TOKEN);
        assertThat(fields.path("token_expire").isNumber()).as("token_expire in %s", answer).isTrue();
        assertThat(wire.last("eq/show").form()).containsEntry("token", token);

        Instant renewAt = Instant.ofEpochSecond(fields.path("token_expire").asLong())
                .minus(client().config().refreshMargin());
        clientClock.set(renewAt.minusSeconds(5));
        client().show("default", SERVER);
        assertThat(wire.count("auth/login")).as("still before the refresh margin").isEqualTo(1);

        clientClock.set(renewAt.plusSeconds(1));
        client().show("default", SERVER);
        assertThat(wire.count("auth/login")).as("renewed within the margin, before Hostkey expires it").isEqualTo(2);
        assertThat(wire.last("eq/show").form().get("token")).matches(TOKEN).isNotEqualTo(token);
    }

    @Test
    void shouldLogInAgainOnceAndRepeatTheCallOnceOnInvalidHash() {
        client().show("default", SERVER);
        whenHostkeyExpiresTheSessions();

        ServerFacts facts = client().show("default", SERVER);

        assertThat(facts.id()).isEqualTo(SERVER);
        assertThat(wire.calls()).containsExactly("auth/login", "eq/show", "eq/show", "auth/login", "eq/show");
        List<Exchange> shows = wire.of("eq/show");
        assertThat(shows.get(1).status()).isEqualTo(200);
        assertThat(shows.get(1).json().path("message").asText()).contains("Invalid hash");
        assertThat(shows.get(1).form().get("token")).isEqualTo(shows.get(0).form().get("token"));
        assertThat(shows.get(2).form().get("token")).isNotEqualTo(shows.get(1).form().get("token"));
    }

    @Test
    void shouldRaiseAuthFailedWhenTheFreshSessionIsRefusedToo() {
        givenShowRefusesTokens(2);

        HostkeyException.AuthFailed e = catchThrowableOfType(HostkeyException.AuthFailed.class,
                () -> client().show("default", SERVER));

        assertThat(e).hasMessageContaining("Invalid hash");
        assertThat(wire.calls()).containsExactly("auth/login", "eq/show", "auth/login", "eq/show");
    }

    @Test
    void shouldLogOutWithTheTokenAndLogInAgainOnTheNextCall() throws IOException {
        client().show("default", SERVER);
        String token = wire.last("eq/show").form().get("token");

        client().logout("default");

        Exchange logout = wire.last("auth/logout");
        assertThat(logout.path()).isEqualTo("/auth.php");
        assertThat(logout.form()).containsEntry("action", "logout").containsEntry("token", token);
        assertThat(logout.json().path("result").asText()).isEqualTo("OK");
        assertThat(rawShow(token).path("message").asText()).as("Hostkey forgot the token").contains("Invalid hash");
        client().show("default", SERVER);
        assertThat(wire.count("auth/login")).isEqualTo(2);
    }

    @Test
    void shouldSendThePinAsFormFieldOnCrucialCallsOnly() {
        String master = client().createReinstallKey("default", SERVER);
        client().createPxe("default", pxeRequest(master));
        client().bootDevice("default", SERVER, BootMedia.PXE);
        client().reboot("default", SERVER);
        client().runJenkinsTask("default", SERVER, MONITORING_TASK);
        client().clearPxe("default", SERVER, HOSTNAME);
        client().show("default", SERVER);
        client().listOs("default", SERVER);

        for (String crucial : List.of("eq/create_pxe", "eq/boot_dev", "eq/reboot", "jenkins/run_task")) {
            assertThat(wire.last(crucial).form()).as(crucial).containsEntry("pin", PIN);
            assertThat(receivedForms(crucial)).as(crucial).singleElement()
                    .satisfies(form -> assertThat(form).containsKey("pin"));
        }
        for (String other : List.of("auth/login", "eq/reinstall", "eq/clear_pxe", "eq/show", "os/list")) {
            assertThat(wire.last(other).form()).as(other).doesNotContainKey("pin");
        }
    }

    @Test
    void shouldRaiseWrongPinOnceWithoutRetryOrReloginForAWrongPin() {
        HostkeyClient wrongPin = client(new Credentials(API_KEY, "0000"));

        HostkeyException.WrongPin e = catchThrowableOfType(HostkeyException.WrongPin.class,
                () -> wrongPin.reboot("default", SERVER));

        assertThat(e).hasMessageContaining("eq/reboot");
        assertThat(wire.calls()).containsExactly("auth/login", "eq/reboot");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldRaiseRejectedUnretriedWhenTheRootPasswordBreaksThePolicy() {
        String master = client().createReinstallKey("default", SERVER);
        CreatePxeRequest weak = new CreatePxeRequest(SERVER, 101, "-starts-with-dash1A", NEW_HOSTNAME, null, null, null,
                master, null);

        HostkeyException.Rejected e = catchThrowableOfType(HostkeyException.Rejected.class,
                () -> client().createPxe("default", weak));

        assertThat(e.hostkeyMessage()).startsWith("eq/create_pxe: ").doesNotContain("-starts-with-dash1A");
        assertThat(wire.count("eq/create_pxe")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ asynchronous actions

    @Test
    void shouldReadNotReadyThenOkThenAsyncKeyNotFoundWithTheKeyBesideTheMessage() {
        String key = client().reboot("default", SERVER).callbackKey();

        CallbackAnswer running = client().checkCallback(key);
        whenActionsComplete();
        CallbackAnswer done = client().checkCallback(key);
        CallbackAnswer gone = client().checkCallback(key);

        assertThat(running.kind()).isEqualTo(Kind.NOT_READY);
        assertThat(running.key()).isEqualTo(key);
        assertThat(done.kind()).isEqualTo(Kind.OK);
        assertThat(done.key()).isEqualTo(key);
        assertThat(done.action()).isEqualTo("reboot");
        assertThat(done.serverId()).isEqualTo("1001");
        assertThat(done.scope()).isNotBlank();
        List<Exchange> checks = wire.of("eq_callback/check");
        assertThat(checks).allSatisfy(c -> {
            assertThat(c.path()).isEqualTo("/eq_callback.php");
            assertThat(c.form()).containsEntry("key", key).doesNotContainKey("token");
        });
        JsonNode ok = checks.get(1).json();
        assertThat(ok.path("result").asText()).isEqualTo("OK");
        assertThat(ok.has("debug") && ok.get("debug").isNull()).as("debug null in %s", ok).isTrue();
        assertThat(ok.path("context").path("location").asText()).isEqualTo("NL");
        assertThat(gone.kind()).isEqualTo(Kind.KEY_NOT_FOUND);
        assertThat(gone.key()).isEqualTo(key);
        assertThat(gone.scope()).contains("AsyncKey not found");
        JsonNode notFound = checks.get(2).json();
        assertThat(notFound.path("code").asInt()).isEqualTo(-1);
        assertThat(notFound.path("key").asText()).isEqualTo(key);
    }

    @Test
    void shouldReadAsyncKeyNotFoundWithTheKeyInsideTheMessage() {
        givenKeyInsideNotFoundMessage();
        String key = client().status("default", SERVER).callbackKey();
        whenActionsComplete();
        assertThat(client().checkCallback(key).kind()).isEqualTo(Kind.OK);

        CallbackAnswer gone = client().checkCallback(key);

        assertThat(gone.kind()).isEqualTo(Kind.KEY_NOT_FOUND);
        assertThat(gone.key()).isEqualTo(key);
        assertThat(gone.scope()).contains("AsyncKey not found").contains(key);
    }

    @Test
    void shouldReadScopeAsObjectAndNumericContextId() {
        givenScopeAsObjectAndNumericContextId();
        String key = client().reboot("default", SERVER).callbackKey();
        whenActionsComplete();

        CallbackAnswer done = client().checkCallback(key);

        assertThat(done.kind()).isEqualTo(Kind.OK);
        assertThat(done.serverId()).isEqualTo("1001");
        assertThat(done.scope()).startsWith("{").contains("\"id\"");
        JsonNode raw = wire.last("eq_callback/check").json();
        assertThat(raw.path("scope").isObject()).isTrue();
        assertThat(raw.path("context").path("id").isNumber()).isTrue();
    }

    @Test
    void shouldReportPowerStateOnTheStatusCallbackKey() {
        String key = client().status("default", SERVER).callbackKey();
        whenActionsComplete();

        CallbackAnswer done = client().checkCallback(key);

        assertThat(done.kind()).isEqualTo(Kind.OK);
        assertThat(done.action()).isEqualTo("status");
        assertThat(done.scope()).isEqualTo("on");
    }

    // ------------------------------------------------------------------ reads

    @Test
    void shouldListOsesWithTagValuePairs() {
        List<OsOffer> offers = client().listOs("default", SERVER);

        OsOffer ubuntu = offers.stream().filter(o -> o.id() == 101).findFirst().orElseThrow();
        assertThat(ubuntu.name()).isEqualTo("Ubuntu 22.04");
        assertThat(ubuntu.active()).isTrue();
        assertThat(ubuntu.tags()).containsEntry("bm", "1").containsKeys("min_ram", "min_hdd");
        assertThat(Integer.parseInt(ubuntu.tags().get("min_ram"))).isLessThanOrEqualTo(64);
        assertThat(offers).as("only OSes that fit a bm server").allSatisfy(o -> assertThat(o.tags()).containsKey("bm"));
        JsonNode tag = wire.last("os/list").json().path("os_list").get(0).path("tags").get(0);
        assertThat(tag.path("tag").isTextual()).isTrue();
        assertThat(tag.path("value").isTextual()).as("tag values are strings: %s", tag).isTrue();
    }

    @Test
    void shouldShowServerDataAndTags() {
        ServerFacts facts = client().show("default", SERVER);

        assertThat(facts).isEqualTo(new ServerFacts(SERVER, "rent", HOSTNAME, "NL", "bm", 64, List.of(480L, 480L),
                List.of("bm"), 12));
        assertThat(wire.last("eq/show").json().path("server_data").isObject()).isTrue();
    }

    @Test
    void shouldListJenkinsTasksWithTags() {
        List<HostkeyApi.JenkinsTask> tasks = client().jenkinsTasks("default");

        assertThat(tasks).anySatisfy(t -> {
            assertThat(t.id()).isEqualTo(MONITORING_TASK);
            assertThat(t.tags()).contains("bm", "default");
        });
    }

    // ------------------------------------------------------------------ the reinstall procedure

    @Test
    void shouldReinstallInTheDocumentedOrder() {
        HostkeyClient c = client();
        String master = c.createReinstallKey("default", SERVER);
        assertThat(master).matches(CALLBACK_KEY);

        completes(c, c.createPxe("default", pxeRequest(master)), "create_pxe");
        completes(c, c.bootDevice("default", SERVER, BootMedia.PXE), "boot_dev");
        completes(c, c.reboot("default", SERVER), "reboot");
        assertThat(c.checkCallback(master).kind()).as("booted, no stage reported yet").isEqualTo(Kind.NOT_READY);

        for (int stage = 1; stage <= 4; stage++) {
            whenInstallReaches(stage);
            CallbackAnswer answer = c.checkCallback(master);
            assertThat(answer.kind()).as("stage %d: %s", stage, answer).isEqualTo(Kind.STAGE);
            assertThat(answer.stage()).isEqualTo(stage);
            assertThat(answer.key()).isEqualTo(master);
            assertThat(answer.action()).isEqualTo("reinstall");
            assertThat(answer.serverId()).isEqualTo("1001");
            if (stage == 1) {
                assertThat(c.show("default", SERVER).tags()).contains("reinstall_start");
            }
        }
        whenInstallReaches(5);
        CallbackAnswer online = c.checkCallback(master);
        assertThat(online.kind()).isEqualTo(Kind.OK);
        assertThat(online.stage()).isEqualTo(5);
        assertThat(c.checkCallback(master).kind()).as("the master key is deleted after its OK").isEqualTo(Kind.KEY_NOT_FOUND);

        completes(c, c.bootDevice("default", SERVER, BootMedia.DISK), "boot_dev");
        completes(c, c.clearPxe("default", SERVER, NEW_HOSTNAME), "clear_pxe");

        assertThat(wire.calls()).filteredOn(call -> !call.equals("eq_callback/check") && !call.equals("eq/show"))
                .containsExactly("auth/login", "eq/reinstall", "eq/create_pxe", "eq/boot_dev", "eq/reboot",
                        "eq/boot_dev", "eq/clear_pxe");
        assertThat(wire.last("eq/create_pxe").form()).containsEntry("reinstall_key", master)
                .containsEntry("os_id", "101").containsEntry("hostname", NEW_HOSTNAME).containsKey("root_pass");
        assertThat(wire.of("eq/boot_dev")).extracting(e -> e.form().get("media")).containsExactly("pxe", "disk");
        assertThat(wire.last("eq/clear_pxe").form()).containsEntry("hostname", NEW_HOSTNAME);
        thenServerIsAtRest();
    }

    private void completes(HostkeyClient c, AsyncAction action, String name) {
        assertThat(action.action()).isEqualTo(name);
        assertThat(action.callbackKey()).matches(CALLBACK_KEY);
        whenActionsComplete();
        CallbackAnswer done = c.checkCallback(action.callbackKey());
        assertThat(done.kind()).as("%s: %s", name, done).isEqualTo(Kind.OK);
        assertThat(done.action()).isEqualTo(name);
    }

    static CreatePxeRequest pxeRequest(String masterKey) {
        return new CreatePxeRequest(SERVER, 101, ROOT_PASS, NEW_HOSTNAME, null, null, null, masterKey, null);
    }

    /** eq/show sent by hand with {@code token}, outside the client. */
    private JsonNode rawShow(String token) throws IOException {
        OkHttpClient http = new OkHttpClient();
        Request request = new Request.Builder().url(baseUrl() + "/eq.php")
                .post(new FormBody.Builder().add("action", "show").add("token", token).add("id", "1001").build())
                .build();
        try (Response response = http.newCall(request).execute()) {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body().string());
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }
}
