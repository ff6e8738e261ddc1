package com.hostkey.invapi.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.EventListener;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HostkeyApi} over OkHttp: {@code POST <baseUrl>/<module>.php}, form-encoded, the operation
 * in the form field {@code action}, the session token in the form field {@code token}.
 *
 * <p>Contract:
 * <ul>
 *   <li>The body decides, not the status: an error body with HTTP 200 is a failure
 *       ({@link HostkeyException.Rejected}, {@link HostkeyException.WrongPin} for a wrong PIN,
 *       {@link HostkeyException.AuthFailed} for authentication), its {@link Refusal} kind told by
 *       the configured {@link RefusalPatterns} from the body's code and message.</li>
 *   <li>Sessions: one per account, logged in lazily, renewed {@code refreshMargin} before
 *       {@code token_expire}; concurrent callers share it and one login. A refused token
 *       ({@code Invalid hash} and the like) drops the session, logs in once more and repeats the
 *       call once; refused again: {@link HostkeyException.AuthFailed}.</li>
 *   <li>Idempotent calls (reads, boot_dev, clear_pxe, status, callback checks, login) are retried
 *       per {@link RetryPolicy} on 5xx, 429, 503, connection failures, timeouts and malformed JSON;
 *       the last failure is raised as {@link HostkeyException.Transient}.</li>
 *   <li>Non-idempotent calls (reinstall, create_pxe, reboot, run_task) are sent once and their
 *       request body is one-shot, so OkHttp does not repeat them either. Not applied (connect
 *       failure, 429, 503): {@link HostkeyException.Transient}. Maybe applied (timeout or connection
 *       loss after the request started, another 5xx, an unreadable answer):
 *       {@link HostkeyException.Ambiguous}.</li>
 *   <li>Each account has its own request budget (token bucket); callback checks, which carry no
 *       account, share one more.</li>
 *   <li>Logging: one debug line per HTTP attempt (module/action, account, server, attempt,
 *       outcome, status, latency, form with secrets masked). Tokens, API keys, PINs, root
 *       passwords, post-install scripts and SSH keys never appear in logs or exception messages.</li>
 * </ul>
 */
public final class HostkeyClient implements HostkeyApi {

    private static final Logger log = LoggerFactory.getLogger(HostkeyClient.class);

    /** Form fields whose values are never logged and are scrubbed from Hostkey's messages. */
    static final Set<String> SECRET_FIELDS =
            Set.of("token", "key", "pin", "root_pass", "post_install_script", "ssh_key", "reinstall_key");

    /** Idle connections kept per client: as many as a service makes calls at once. */
    private static final int IDLE_CONNECTIONS = 64;
    private static final String CALLBACK_BUDGET = "\u0000eq_callback";
    private static final double MIN_SHARED_RATE = 0.1;
    private static final Pattern STAGE_IN_TEXT = Pattern.compile("(?i)\\bstage\\s*[#:]?\\s*(\\d+)");

    /** Which per-call-kind timeout applies. */
    enum Timeout { READ, ACTION, CALLBACK }

    /** Sleeps between attempts; replaced in tests to observe backoff without waiting. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private record CallSpec(
            String module,
            String action,
            String account,
            Long serverId,
            Map<String, String> fields,
            Timeout timeout,
            boolean idempotent,
            boolean needsToken) {

        String name() {
            return module + "/" + action;
        }
    }

    /** A failure that the retry loop may repeat; {@code failure} is raised after the last attempt. */
    private static final class RetryableFailure extends Exception {
        final transient HostkeyException.Transient failure;

        RetryableFailure(HostkeyException.Transient failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    /** Hostkey refused the session token; handled by {@link #call} with one re-login. */
    private static final class StaleToken extends Exception {
        final String hostkeyMessage;

        StaleToken(String hostkeyMessage) {
            super(null, null, false, false);
            this.hostkeyMessage = hostkeyMessage;
        }
    }

    /** Set once OkHttp starts writing the request: from then on the server may have received it. */
    private static final class SendProgress {
        final AtomicBoolean started = new AtomicBoolean();
    }

    private static final EventListener SEND_PROGRESS = new EventListener() {
        @Override
        public void requestHeadersStart(Call call) {
            SendProgress p = call.request().tag(SendProgress.class);
            if (p != null) {
                p.started.set(true);
            }
        }
    };

    private final HostkeyClientConfig config;
    private final OkHttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Clock clock;
    private final Sleeper sleeper;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();
    /** This instance's share of the deployment's budget ({@link #shareBudget}); the whole of it until told. */
    private volatile double budgetShare = 1.0;

    public HostkeyClient(HostkeyClientConfig config) {
        this(config, Clock.systemUTC(), d -> TimeUnit.MILLISECONDS.sleep(d.toMillis()));
    }

    HostkeyClient(HostkeyClientConfig config, Clock clock, Sleeper sleeper) {
        this(config, clock, sleeper, null);
    }

    /**
     * {@code wireTap}, when set, is added as a network interceptor: it sees every HTTP attempt as
     * sent, including any OkHttp would make on its own, which is what tests need to prove there are none.
     */
    HostkeyClient(HostkeyClientConfig config, Clock clock, Sleeper sleeper, Interceptor wireTap) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                // A redirected POST would silently turn into a GET without its form.
                .followRedirects(false)
                .followSslRedirects(false)
                .eventListener(SEND_PROGRESS)
                // Call.timeout() bounds each call per call kind; socket read/write timeouts would
                // cut a slow but legitimate action short of its configured budget.
                .readTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO)
                // The services make up to 64 calls at once (handler lanes, poller checks). OkHttp's
                // default pool keeps 5 idle connections: under that load it kept closing connections
                // it would need again a moment later and opening new ones.
                .connectionPool(new ConnectionPool(IDLE_CONNECTIONS, 5, TimeUnit.MINUTES));
        if (wireTap != null) {
            builder.addNetworkInterceptor(wireTap);
        }
        this.http = builder.build();
    }

    public HostkeyClientConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- reads

    @Override
    public List<OsOffer> listOs(String account, long serverId) {
        JsonNode body = call(spec("os", "list", account, serverId, fields("id", serverId), Timeout.READ, true, true));
        List<OsOffer> out = new ArrayList<>();
        for (JsonNode os : InvapiBody.elements(body, "os_list", "result", "list", "data")) {
            JsonNode active = os.get("active");
            out.add(new OsOffer(
                    InvapiBody.longValue(os.get("id"), -1),
                    InvapiBody.firstText(os, "name", "title"),
                    active == null || InvapiBody.flag(active),
                    config.osTags().canonical(osTags(os))));
        }
        return List.copyOf(out);
    }

    @Override
    public ServerFacts show(String account, long serverId) {
        return showAnswer(account, serverId).facts();
    }

    /**
     * eq/show as {@link #show} reads it, plus the names of the fields the answer's server data
     * carried: what a probe (reinstall doctor) shows an operator when a fact the validator needs
     * is missing. Read, retried.
     */
    public ShowAnswer showAnswer(String account, long serverId) {
        JsonNode body = call(spec("eq", "show", account, serverId, fields("id", serverId), Timeout.READ, true, true));
        JsonNode data = body.get("server_data");
        if ((data == null || !data.isObject()) && body.path("result").isObject()) {
            JsonNode result = body.get("result");
            data = result.path("server_data").isObject() ? result.get("server_data") : result;
        }
        if (data == null || !data.isObject()) {
            data = body;
        }
        ServerFacts facts = new ServerFacts(
                InvapiBody.longValue(first(data, "id", "server_id", "ID"), serverId),
                InvapiBody.firstText(data, "status", "state", "server_status"),
                InvapiBody.firstText(data, "hostname", "name", "host"),
                InvapiBody.firstText(data, "location", "datacenter", "dc"),
                InvapiBody.firstText(data, config.showFields().type().toArray(String[]::new)),
                InvapiBody.intValue(first(data, config.showFields().ram().toArray(String[]::new))),
                diskSizes(first(data, config.showFields().disks().toArray(String[]::new)), config.showFields().diskSize()),
                // Builds differ on whether the tags sit inside server_data or beside it.
                tagNames(data.has("tags") ? data.get("tags") : body.get("tags")),
                positive(InvapiBody.intValue(first(data, config.showFields().cores().toArray(String[]::new)))));
        List<String> names = new ArrayList<>();
        data.fieldNames().forEachRemaining(names::add);
        return new ShowAnswer(facts, List.copyOf(names));
    }

    /** eq/show as read, and the field names its server data carried, in the answer's order. */
    public record ShowAnswer(ServerFacts facts, List<String> fields) {}

    /** A count that means something (cores): zero, negative or unreadable is no count. */
    private static Integer positive(Integer value) {
        return value == null || value <= 0 ? null : value;
    }

    /** Disks as [{"size_gb": 480}, ...] or [480, ...]; sizes in GB. */
    private static List<Long> diskSizes(JsonNode disks, List<String> sizeFields) {
        List<Long> sizes = new ArrayList<>();
        if (disks != null && disks.isArray()) {
            for (JsonNode disk : disks) {
                long size = InvapiBody.longValue(disk.isObject() ? first(disk, sizeFields.toArray(String[]::new)) : disk, -1);
                if (size > 0) {
                    sizes.add(size);
                }
            }
        }
        return List.copyOf(sizes);
    }

    @Override
    public List<JenkinsTask> jenkinsTasks(String account) {
        JsonNode body = call(spec("jenkins", "get_tasks", account, null, Map.of(), Timeout.READ, true, true));
        List<JenkinsTask> out = new ArrayList<>();
        for (JsonNode task : InvapiBody.elements(body, "tasks", "result", "list", "data")) {
            out.add(new JenkinsTask(
                    InvapiBody.firstText(task, "id", "task_id"),
                    InvapiBody.firstText(task, "name", "title", "task"),
                    tagNames(task.get("tags"))));
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- actions

    @Override
    public String createReinstallKey(String account, long serverId) {
        CallSpec spec = spec("eq", "reinstall", account, serverId, fields("id", serverId), Timeout.ACTION, false, true);
        JsonNode body = call(spec);
        String key = keyOf(body, config.reinstallKeyFields().toArray(String[]::new));
        if (key == null) {
            // The server said OK, so a key may exist that we cannot name: do not pretend it failed.
            throw new HostkeyException.Ambiguous(spec.name(), "answered without a reinstall key in any of "
                    + config.reinstallKeyFields() + " (set " + HostkeyClientConfig.ENV_REINSTALL_KEY_FIELD + ")", null);
        }
        return key;
    }

    @Override
    public AsyncAction createPxe(String account, CreatePxeRequest request) {
        Objects.requireNonNull(request, "request");
        Map<String, String> f = fields("id", request.serverId());
        pin(account, f);
        f.put("os_id", Long.toString(request.osId()));
        putIfSet(f, "root_pass", request.rootPassword());
        putIfSet(f, "hostname", request.hostname());
        putIfSet(f, "ssh_key", request.sshKey());
        putIfSet(f, "post_install_callback", request.postInstallCallback());
        putIfSet(f, "post_install_script", request.postInstallScript());
        putIfSet(f, "reinstall_key", request.reinstallKey());
        putIfSet(f, config.diskSchemeField(), request.diskScheme());
        if (request.licences() != null) {
            f.put(config.licencesField(), Integer.toString(request.licences()));
        }
        return async(spec("eq", "create_pxe", account, request.serverId(), f, Timeout.ACTION, false, true));
    }

    @Override
    public AsyncAction bootDevice(String account, long serverId, BootMedia media) {
        Objects.requireNonNull(media, "media");
        Map<String, String> f = fields("id", serverId);
        pin(account, f);
        f.put("media", media.wire());
        return async(spec("eq", "boot_dev", account, serverId, f, Timeout.ACTION, true, true));
    }

    @Override
    public AsyncAction reboot(String account, long serverId) {
        Map<String, String> f = fields("id", serverId);
        pin(account, f);
        return async(spec("eq", "reboot", account, serverId, f, Timeout.ACTION, false, true));
    }

    @Override
    public AsyncAction runJenkinsTask(String account, long serverId, String taskId) {
        Objects.requireNonNull(taskId, "taskId");
        JenkinsLaunch launch = config.jenkinsLaunch();
        Map<String, String> f = fields(launch.serverField(), serverId);
        pin(account, f);
        f.put(launch.taskField(), taskId);
        return async(spec(launch.module(), launch.action(), account, serverId, f, Timeout.ACTION, false, true));
    }

    @Override
    public AsyncAction clearPxe(String account, long serverId, String hostname) {
        Map<String, String> f = fields("id", serverId);
        putIfSet(f, "hostname", hostname);
        return async(spec("eq", "clear_pxe", account, serverId, f, Timeout.ACTION, true, true));
    }

    @Override
    public AsyncAction status(String account, long serverId) {
        return async(spec("eq", "status", account, serverId, fields("id", serverId), Timeout.READ, true, true));
    }

    // ---------------------------------------------------------------- callbacks

    @Override
    public CallbackAnswer checkCallback(String key) {
        Objects.requireNonNull(key, "key");
        Map<String, String> f = new LinkedHashMap<>();
        f.put("key", key);
        JsonNode body = call(new CallSpec("eq_callback", "check", null, null, f, Timeout.CALLBACK, true, false));
        return callbackAnswer(body, key);
    }

    /** Classifies one eq_callback answer; unknown results mean "still running", never failure. */
    static CallbackAnswer callbackAnswer(JsonNode body, String askedKey) {
        String bodyKey = InvapiBody.text(body.get("key"));
        String key = bodyKey != null && !bodyKey.isBlank() ? bodyKey : askedKey;
        JsonNode context = body.path("context");
        String action = InvapiBody.text(context.get("action"));
        String serverId = InvapiBody.text(context.get("id"));
        String scope = InvapiBody.text(body.get("scope"));

        String error = InvapiBody.error(body, true).orElse(null);
        if (error != null) {
            // check() lets only "AsyncKey not found" through as an error body.
            return new CallbackAnswer(CallbackAnswer.Kind.KEY_NOT_FOUND, key, null, error, action, serverId);
        }
        String result = InvapiBody.text(body.get("result"));
        String r = result == null ? "" : result.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (r) {
            case "ok", "success" -> new CallbackAnswer(CallbackAnswer.Kind.OK, key, stage(body, scope), scope, action, serverId);
            case "stage" -> new CallbackAnswer(CallbackAnswer.Kind.STAGE, key, stage(body, scope), scope, action, serverId);
            case "error" -> new CallbackAnswer(CallbackAnswer.Kind.ERROR, key, null,
                    scope != null ? scope : InvapiBody.text(body.get("debug")), action, serverId);
            default -> new CallbackAnswer(CallbackAnswer.Kind.NOT_READY, key, null, scope, action, serverId);
        };
    }

    /** The stage number from {@code context.stage}, a top-level {@code stage}, or "Stage 3" in the scope text. */
    private static Integer stage(JsonNode body, String scope) {
        Integer fromContext = InvapiBody.intValue(body.path("context").get("stage"));
        if (fromContext != null) {
            return fromContext;
        }
        Integer top = InvapiBody.intValue(body.get("stage"));
        if (top != null) {
            return top;
        }
        if (scope != null) {
            Matcher m = STAGE_IN_TEXT.matcher(scope);
            if (m.find()) {
                try {
                    return Integer.parseInt(m.group(1));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- session

    /**
     * Ends the account's session on Hostkey ({@code auth.php action=logout}) if it has one; the next
     * call logs in again. Safe to call when never logged in.
     */
    public void logout(String account) {
        String name = accountName(account);
        Session s = sessions.get(name);
        String token = s == null ? null : s.currentToken();
        if (token == null) {
            return;
        }
        s.invalidate(token);
        try {
            withRetries(new CallSpec("auth", "logout", name, null, Map.of(), Timeout.READ, true, false), token);
        } catch (StaleToken | HostkeyException.AuthFailed e) {
            // The token is already gone on Hostkey's side, which is what logout wants.
            log.debug("invapi auth/logout account={}: token already invalid", name);
        }
    }

    private Session.Token login(String account) {
        Credentials creds = config.accounts().get(account);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("key", creds.apiKey());
        f.put("ttl", Long.toString(config.tokenTtl().toSeconds()));
        JsonNode body;
        try {
            body = withRetries(new CallSpec("auth", "login", account, null, f, Timeout.READ, true, false), null);
        } catch (StaleToken e) {
            throw new HostkeyException.AuthFailed("auth/login", e.hostkeyMessage, Refusal.LOGIN_REFUSED);
        }
        JsonNode result = body.get("result");
        boolean nested = result != null && result.isObject();
        JsonNode src = nested ? result : body;
        String token = InvapiBody.text(src.get("token"));
        if (token == null || token.isBlank()) {
            throw new HostkeyException.AuthFailed("auth/login", "login answered without a token", Refusal.UNCLASSIFIED);
        }
        JsonNode tokenExpire = src.get("token_expire");
        Instant expiresAt = expiry(tokenExpire);
        boolean expiryGiven = InvapiBody.longValue(tokenExpire, -1) > 0;
        List<Long> servers = null;
        JsonNode listed = src.get("servers");
        if (listed != null && listed.isArray()) {
            servers = new ArrayList<>();
            for (JsonNode server : listed) {
                long id = InvapiBody.longValue(server.isObject() ? first(server, "id", "server_id") : server, -1);
                if (id >= 0) {
                    servers.add(id);
                }
            }
            servers = List.copyOf(servers);
        }
        LoginFacts facts = new LoginFacts(nested, expiryGiven, config.tokenTtl(),
                Duration.between(clock.instant(), expiresAt), servers);
        return new Session.Token(token, expiresAt, facts);
    }

    /**
     * What auth/login answered for an account, for a probe such as {@code reinstall doctor}: the
     * shapes Hostkey does not document firmly (docs/hostkey-invapi.md), as this account meets them.
     *
     * @param nested the token fields came inside {@code "result":{...}} (the documented shape), else flat
     * @param expiryGiven the answer carried a usable {@code token_expire}; without it the client
     *     assumes the lifetime it asked for
     * @param asked the lifetime asked for ({@code ttl}, {@link HostkeyClientConfig#tokenTtl()})
     * @param granted from the login to {@code token_expire} (the asked lifetime when not given)
     * @param servers the server ids the answer listed, or null when it listed none
     */
    public record LoginFacts(boolean nested, boolean expiryGiven, Duration asked, Duration granted, List<Long> servers) {}

    /**
     * Logs {@code account} in unless it has a session, and says what its login answered. Sends
     * nothing but auth/login.
     */
    public LoginFacts loginFacts(String account) {
        return session(accountName(account)).facts();
    }

    private Instant expiry(JsonNode tokenExpire) {
        long v = InvapiBody.longValue(tokenExpire, -1);
        if (v > 100_000_000_000L) {
            return Instant.ofEpochMilli(v);
        }
        if (v > 0) {
            return Instant.ofEpochSecond(v);
        }
        return clock.instant().plus(config.tokenTtl());
    }

    private Session session(String account) {
        if (!config.accounts().containsKey(account)) {
            throw new HostkeyException.AuthFailed("auth/login", "no credentials configured for account '" + account + "'",
                    Refusal.ACCOUNT_NOT_CONFIGURED);
        }
        return sessions.computeIfAbsent(account,
                a -> new Session(clock, config.refreshMargin(), () -> login(a)));
    }

    // ---------------------------------------------------------------- transport

    /** Runs a call with its session: one re-login and one repeat when Hostkey refuses the token. */
    private JsonNode call(CallSpec spec) {
        if (!spec.needsToken()) {
            try {
                return withRetries(spec, null);
            } catch (StaleToken e) {
                throw new HostkeyException.AuthFailed(spec.name(), e.hostkeyMessage, Refusal.INVALID_TOKEN);
            }
        }
        Session session = session(spec.account());
        String token = session.token();
        try {
            return withRetries(spec, token);
        } catch (StaleToken first) {
            session.invalidate(token);
            log.info("invapi {} account={}: session refused ({}), logging in again", spec.name(), spec.account(),
                    first.hostkeyMessage);
            String fresh = session.token();
            try {
                return withRetries(spec, fresh);
            } catch (StaleToken second) {
                session.invalidate(fresh);
                throw new HostkeyException.AuthFailed(spec.name(), second.hostkeyMessage + " (also after logging in again)",
                        Refusal.INVALID_TOKEN);
            }
        }
    }

    /**
     * {@code HOSTKEY_RATE_LIMIT_RPS} is the deployment's budget per account (and for eq_callback
     * checks); this instance spends {@code fraction} of it from now on.
     */
    @Override
    public void shareBudget(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("a budget share is 0-1, got " + fraction);
        }
        budgetShare = fraction;
        double rate = sharedRate();
        limiters.values().forEach(limiter -> limiter.setRate(rate));
        log.info("Hostkey request budget: this instance's share is {} of {} req/s per account: {} req/s",
                String.format(java.util.Locale.ROOT, "%.3f", fraction), config.requestsPerSecond(),
                String.format(java.util.Locale.ROOT, "%.2f", rate));
    }

    /** Never quite zero: an instance that owns nothing makes no calls, and one that just got work must not stall. */
    private double sharedRate() {
        return Math.max(MIN_SHARED_RATE, config.requestsPerSecond() * budgetShare);
    }

    private JsonNode withRetries(CallSpec spec, String token) throws StaleToken {
        int maxAttempts = spec.idempotent() ? config.retry().maxAttempts() : 1;
        RateLimiter limiter = limiters.computeIfAbsent(
                spec.account() == null ? CALLBACK_BUDGET : spec.account(), a -> new RateLimiter(sharedRate()));
        for (int attempt = 1; ; attempt++) {
            try {
                limiter.acquire();
                return send(spec, token, attempt);
            } catch (RetryableFailure r) {
                HostkeyException.Transient failure = r.failure;
                Duration retryAfter = failure.retryAfter();
                if (attempt >= maxAttempts
                        || (retryAfter != null && retryAfter.compareTo(config.retry().maxRetryAfter()) > 0)) {
                    throw failure;
                }
                Duration wait = retryAfter != null
                        ? retryAfter
                        : config.retry().backoff(attempt, ThreadLocalRandom.current().nextDouble());
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HostkeyException.Transient(spec.name(), "interrupted before sending", null, e);
            }
        }
    }

    /** One HTTP exchange, classified; logs one debug line whatever the outcome. */
    private JsonNode send(CallSpec spec, String token, int attempt) throws RetryableFailure, StaleToken {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("action", spec.action());
        if (token != null) {
            form.put("token", token);
        }
        form.putAll(spec.fields());
        FormBody.Builder fb = new FormBody.Builder();
        form.forEach(fb::add);
        RequestBody body = spec.idempotent() ? fb.build() : oneShot(fb.build());
        SendProgress progress = new SendProgress();
        Request request = new Request.Builder()
                .url(url(spec.module()))
                .post(body)
                .tag(SendProgress.class, progress)
                .build();
        Call httpCall = http.newCall(request);
        httpCall.timeout().timeout(timeout(spec.timeout()).toMillis(), TimeUnit.MILLISECONDS);

        long started = System.nanoTime();
        String outcome = "ok";
        int status = -1;
        try {
            String text;
            String retryAfter;
            try (Response response = httpCall.execute()) {
                status = response.code();
                retryAfter = response.header("Retry-After");
                text = response.body().string();
            } catch (IOException e) {
                String what = describe(e);
                if (progress.started.get() && !spec.idempotent()) {
                    throw new HostkeyException.Ambiguous(spec.name(), what + " after the request was sent", e);
                }
                throw new RetryableFailure(new HostkeyException.Transient(spec.name(), what, null, e));
            }
            JsonNode answer = classify(spec, status, retryAfter, text, form);
            if (spec.timeout() == Timeout.CALLBACK && InvapiBody.error(answer, true).isPresent()) {
                outcome = "key_not_found";
            }
            return answer;
        } catch (RetryableFailure e) {
            outcome = "transient";
            throw e;
        } catch (StaleToken e) {
            outcome = "stale_token";
            throw e;
        } catch (HostkeyException e) {
            outcome = outcomeOf(e);
            throw e;
        } finally {
            if (log.isDebugEnabled()) {
                log.debug("invapi {} account={} server={} attempt={} outcome={} http={} latencyMs={} form={}",
                        spec.name(), spec.account() == null ? "-" : spec.account(),
                        spec.serverId() == null ? "-" : spec.serverId(), attempt, outcome, status,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), redact(form));
            }
        }
    }

    /**
     * Decides what an answer means. The body decides first (an error body is an error at any
     * status); then 429/503 (not applied), other 5xx, other non-2xx, and unreadable JSON.
     */
    private JsonNode classify(CallSpec spec, int status, String retryAfterHeader, String text, Map<String, String> form)
            throws RetryableFailure, StaleToken {
        String name = spec.name();
        if (status == 429 || status == 503) {
            // The server turned the request away before acting on it.
            Duration retryAfter = parseRetryAfter(retryAfterHeader);
            throw new RetryableFailure(new HostkeyException.Transient(name,
                    "HTTP " + status + (retryAfter == null ? "" : ", Retry-After " + retryAfter.toSeconds() + " s"),
                    retryAfter, null));
        }
        JsonNode body = parse(text);
        String error = body == null ? null : InvapiBody.error(body, spec.timeout() == Timeout.CALLBACK).orElse(null);
        if (error != null) {
            if (spec.timeout() == Timeout.CALLBACK && RefusalPatterns.isCallbackKeyNotFound(error)) {
                return body;
            }
            String message = scrub(error, form);
            Refusal refusal = config.refusals().classify(InvapiBody.code(body), error);
            // The PIN before the session: re-logging in and repeating a wrong-PIN call would burn a
            // second of three tries. (A locked account comes before both: its message may mention the PIN.)
            if (refusal == Refusal.WRONG_PIN) {
                throw new HostkeyException.WrongPin(name, message);
            }
            if (refusal == Refusal.ACCOUNT_LOCKED) {
                // The account, not the call: every call of it is refused until support unlocks it.
                throw new HostkeyException.AuthFailed(name, message, Refusal.ACCOUNT_LOCKED);
            }
            if (spec.module().equals("auth")) {
                throw new HostkeyException.AuthFailed(name, message,
                        refusal == Refusal.UNCLASSIFIED || refusal == Refusal.INVALID_TOKEN ? Refusal.LOGIN_REFUSED : refusal);
            }
            if (refusal == Refusal.INVALID_TOKEN) {
                throw new StaleToken(message);
            }
            throw new HostkeyException.Rejected(name, message, refusal);
        }
        if (status >= 500) {
            if (spec.idempotent()) {
                throw new RetryableFailure(new HostkeyException.Transient(name, "HTTP " + status, null, null));
            }
            // Answered, but by something that failed half-way: the action may have been applied.
            throw new HostkeyException.Ambiguous(name, "HTTP " + status, null);
        }
        if (status >= 300) {
            throw new HostkeyException.Rejected(name, "HTTP " + status);
        }
        if (body == null) {
            if (spec.idempotent()) {
                throw new RetryableFailure(new HostkeyException.Transient(name, "answer is not a JSON object", null, null));
            }
            throw new HostkeyException.Ambiguous(name, "answer is not a JSON object", null);
        }
        return body;
    }

    private JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonNode node = json.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Retry-After as seconds or as an HTTP date; null when absent or unreadable. */
    private Duration parseRetryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        try {
            long seconds = Long.parseLong(h);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(clock.instant(),
                        ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private AsyncAction async(CallSpec spec) {
        JsonNode body = call(spec);
        String action = InvapiBody.text(body.get("action"));
        return new AsyncAction(action == null ? spec.action() : action, keyOf(body, "callback", "key", "callback_key"));
    }

    /** The first key-like field, at the top level or inside an object {@code result}. */
    private static String keyOf(JsonNode body, String... fields) {
        String key = InvapiBody.firstText(body, fields);
        if (key == null && body.path("result").isObject()) {
            key = InvapiBody.firstText(body.get("result"), fields);
        }
        return key == null || key.isBlank() ? null : key;
    }

    private CallSpec spec(String module, String action, String account, Long serverId, Map<String, String> fields,
            Timeout timeout, boolean idempotent, boolean needsToken) {
        return new CallSpec(module, action, accountName(account), serverId, fields, timeout, idempotent, needsToken);
    }

    private static String accountName(String account) {
        return account == null || account.isBlank() ? HostkeyClientConfig.DEFAULT_ACCOUNT : account;
    }

    private void pin(String account, Map<String, String> form) {
        Credentials creds = config.accounts().get(accountName(account));
        if (creds != null && creds.hasPin()) {
            form.put("pin", creds.pin());
        }
    }

    private static Map<String, String> fields(String name, long value) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put(name, Long.toString(value));
        return f;
    }

    private static void putIfSet(Map<String, String> form, String name, String value) {
        if (value != null) {
            form.put(name, value);
        }
    }

    private HttpUrl url(String module) {
        return HttpUrl.get(config.baseUrl() + "/" + module + ".php");
    }

    private Duration timeout(Timeout t) {
        return switch (t) {
            case READ -> config.readTimeout();
            case ACTION -> config.actionTimeout();
            case CALLBACK -> config.callbackTimeout();
        };
    }

    private static String describe(IOException e) {
        if (e instanceof InterruptedIOException) {
            return "timed out (" + e.getClass().getSimpleName() + ")";
        }
        return "connection failed (" + e.getClass().getSimpleName() + ")";
    }

    private static String outcomeOf(HostkeyException e) {
        return switch (e) {
            case HostkeyException.Ambiguous a -> "ambiguous";
            case HostkeyException.Transient t -> "transient";
            case HostkeyException.WrongPin w -> "wrong_pin";
            case HostkeyException.AuthFailed a -> "auth_failed";
            case HostkeyException.Rejected r -> "rejected";
        };
    }

    /** The form as it may be logged: secret fields masked one by one. */
    static Map<String, String> redact(Map<String, String> form) {
        Map<String, String> out = new LinkedHashMap<>();
        form.forEach((k, v) -> out.put(k, SECRET_FIELDS.contains(k) ? "***" : v));
        return Collections.unmodifiableMap(out);
    }

    /** Removes any secret this request carried from a text Hostkey sent back. */
    static String scrub(String text, Map<String, String> form) {
        String out = text;
        for (String field : SECRET_FIELDS) {
            String v = form.get(field);
            if (v != null && v.length() >= 3 && out.contains(v)) {
                out = out.replace(v, "***");
            }
        }
        return out;
    }

    private static JsonNode first(JsonNode node, String... fields) {
        for (String f : fields) {
            JsonNode n = node.get(f);
            if (n != null && !n.isNull()) {
                return n;
            }
        }
        return null;
    }

    /** os_list tags ({tag, value} pairs, or a map), plus the 0/1 fields some builds put on the OS itself. */
    private static Map<String, String> osTags(JsonNode os) {
        Map<String, String> tags = new LinkedHashMap<>();
        JsonNode t = os.get("tags");
        if (t != null && t.isArray()) {
            for (JsonNode e : t) {
                if (e.isObject()) {
                    String tag = InvapiBody.firstText(e, "tag", "name");
                    if (tag != null) {
                        String value = InvapiBody.text(e.get("value"));
                        tags.put(tag, value == null ? "" : value);
                    }
                } else if (e.isValueNode()) {
                    tags.put(e.asText(), "1");
                }
            }
        } else if (t != null && t.isObject()) {
            t.properties().forEach(p -> tags.put(p.getKey(), Objects.requireNonNullElse(InvapiBody.text(p.getValue()), "")));
        }
        for (String flag : List.of("bm", "gpu", "vds", "vgpu", "vm", "min_ram", "min_hdd", "price_per_core_EUR")) {
            String v = InvapiBody.text(os.get(flag));
            if (v != null) {
                tags.putIfAbsent(flag, v);
            }
        }
        return Collections.unmodifiableMap(tags);
    }

    /** Tag names from a list of strings, a list of {tag}/{name} objects, a map, or a comma-separated string. */
    private static List<String> tagNames(JsonNode t) {
        List<String> out = new ArrayList<>();
        if (t == null || t.isNull()) {
            return List.of();
        }
        if (t.isArray()) {
            for (JsonNode e : t) {
                String name = e.isObject() ? InvapiBody.firstText(e, "tag", "name") : InvapiBody.text(e);
                if (name != null && !name.isBlank()) {
                    out.add(name.trim());
                }
            }
        } else if (t.isObject()) {
            t.properties().forEach(p -> out.add(p.getKey()));
        } else if (t.isValueNode()) {
            for (String s : t.asText().split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return List.copyOf(out);
    }

    private static RequestBody oneShot(RequestBody delegate) {
        // One-shot: OkHttp must not transparently re-send a non-idempotent call after a failure.
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return delegate.contentType();
            }

            @Override
            public long contentLength() throws IOException {
                return delegate.contentLength();
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                delegate.writeTo(sink);
            }

            @Override
            public boolean isOneShot() {
                return true;
            }
        };
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
