package com.hostkey.invapi.simulator;

import com.hostkey.invapi.facts.DiskLayout;
import com.hostkey.invapi.facts.PerCoreLicences;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated invapi: accounts, sessions, servers, async tasks, master keys and installs, and
 * the business logic of every call. Transport (HTTP, faults, audit) is {@link InvapiHttpHandler}'s.
 *
 * <p>All state sits behind one lock; each call first runs the effects that fell due in simulated
 * time ({@link Scheduler}), so state is a pure function of the calls made and the clock.
 *
 * <p>Install lifecycle of a server: a reboot (or power-on) completes; if the server boots from
 * pxe and has a PXE config, an install starts and reports stages 1..5 at the configured offsets.
 * Stage 4 restarts the server without starting another install; stage 5 marks the PXE config
 * consumed. Booting from pxe again while the consumed config is still there is a sudden reinstall.
 *
 * <p>Invapi cannot know that the orchestrator gave a reinstall up, so a test or operator says so
 * ({@link #stopped}). From then until the next eq/reinstall of that server, an install move (an
 * accepted create_pxe, boot_dev media=pxe or reboot while booting from pxe, or an install
 * starting) breaks the stop; see {@link InvariantReport#installsAfterStop()}. Clearing the PXE
 * config or booting from disk while an install is unfinished interrupts it
 * ({@link InvariantReport#interruptedInstalls()}).
 */
final class Invapi {

    private static final Logger log = LoggerFactory.getLogger(Invapi.class);

    static final List<String> STAGE_TEXT = List.of(
            "",
            "OS installation was started",
            "base OS was installed, proceed with post-install tasks",
            "Post-install tasks are completed, running final tasks",
            "Install is completed, restarting the server",
            "The server is online");

    private record JenkinsTask(String id, String name, List<String> tags) {}

    private static final List<JenkinsTask> JENKINS_TASKS = List.of(
            new JenkinsTask("gpu-drivers", "Install NVIDIA GPU drivers", List.of("gpu", "vgpu")),
            new JenkinsTask("monitoring-agent", "Install monitoring agent", List.of("bm", "vm", "gpu", "vgpu", "default")));

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,18}");
    private static final Set<String> BOOT_MEDIA = Set.of("pxe", "disk", "cd");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private record Session(String token, AccountState account, Instant expiresAt) {}

    /** One call: its module, action and fields, the simulated instant and the async fault drawn for it. */
    private record Call(String module, String action, Map<String, String> params, Instant now,
                        String asyncFailureReason) {

        /** The field's value, or null when absent or empty. */
        String param(String name) {
            String value = params.get(name);
            return value == null || value.isEmpty() ? null : value;
        }

        String required(String name) {
            String value = param(name);
            if (value == null) {
                throw new CallError("missing required field " + name);
            }
            return value;
        }

        String name() {
            return module + "/" + action;
        }
    }

    private final SimulatorConfig config;
    private final SimClock clock;
    private final Faults faults;
    private final ReentrantLock lock = new ReentrantLock();
    private final Scheduler scheduler = new Scheduler();
    private final Map<Long, ServerState> servers = new TreeMap<>();
    private final Map<String, AccountState> accountsByKey = new HashMap<>();
    private final Map<String, AccountState> accountsByName = new LinkedHashMap<>();
    private final Map<String, Session> sessions = new HashMap<>();
    private final Map<String, AsyncTask> asyncTasks = new HashMap<>();
    private final Map<String, MasterKey> masterKeys = new HashMap<>();

    Invapi(SimulatorConfig config, SimClock clock, Faults faults, List<ServerSpec> fleet) {
        this.config = config;
        this.clock = clock;
        this.faults = faults;
        for (Account account : config.accounts()) {
            AccountState state = new AccountState(account);
            accountsByKey.put(account.apiKey(), state);
            accountsByName.put(account.name(), state);
        }
        String firstAccount = config.accounts().getFirst().name();
        for (ServerSpec spec : fleet) {
            String owner = spec.account() == null ? firstAccount : spec.account();
            if (!accountsByName.containsKey(owner)) {
                throw new IllegalArgumentException("server " + spec.id() + " belongs to unknown account " + owner);
            }
            if (servers.put(spec.id(), new ServerState(spec, owner)) != null) {
                throw new IllegalArgumentException("duplicate server id " + spec.id());
            }
        }
    }

    /** Handles one call; {@code asyncFailureReason} (from the fault plan) makes an async task fail. */
    Reply handle(String module, String action, Map<String, String> params, String asyncFailureReason) {
        lock.lock();
        try {
            Instant now = clock.now();
            scheduler.runDue(now);
            Call call = new Call(module, action, params, now, asyncFailureReason);
            try {
                return dispatch(call);
            } catch (CallError e) {
                return error(call.name() + ": " + e.getMessage());
            }
        } finally {
            lock.unlock();
        }
    }

    ServerSnapshot snapshot(long serverId) {
        lock.lock();
        try {
            scheduler.runDue(clock.now());
            ServerState server = servers.get(serverId);
            if (server == null) {
                throw new NoSuchElementException("no server " + serverId + " in the simulated fleet");
            }
            return server.snapshot();
        } finally {
            lock.unlock();
        }
    }

    List<ServerSnapshot> snapshots() {
        lock.lock();
        try {
            scheduler.runDue(clock.now());
            return servers.values().stream().map(ServerState::snapshot).toList();
        } finally {
            lock.unlock();
        }
    }

    InvariantReport report() {
        lock.lock();
        try {
            scheduler.runDue(clock.now());
            Map<Long, Integer> counts = new TreeMap<>();
            int sudden = 0;
            List<Long> pxeLeft = new ArrayList<>();
            List<Long> notFromDisk = new ArrayList<>();
            List<Long> installing = new ArrayList<>();
            List<Long> afterStop = new ArrayList<>();
            List<Long> interrupted = new ArrayList<>();
            for (ServerState server : servers.values()) {
                if (server.installsStarted > 0) {
                    counts.put(server.id, server.installsStarted);
                }
                sudden += server.suddenReinstalls;
                if (server.pxe != null) {
                    pxeLeft.add(server.id);
                }
                if (!"disk".equals(server.bootDevice)) {
                    notFromDisk.add(server.id);
                }
                if (server.installRunning()) {
                    installing.add(server.id);
                }
                for (int i = 0; i < server.installsAfterStop; i++) {
                    afterStop.add(server.id);
                }
                for (int i = 0; i < server.interruptedInstalls; i++) {
                    interrupted.add(server.id);
                }
            }
            return new InvariantReport(counts, sudden, pxeLeft, notFromDisk, afterStop, installing, interrupted);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks that the reinstall running on {@code serverId} was told to stop, at the clock's now
     * (effects due by then count as before the stop). A server already marked keeps its first
     * instant and reason: the stop it records has not changed. Answers the instant recorded;
     * {@link NoSuchElementException} for an unknown server.
     */
    Instant stopped(long serverId, String reason) {
        lock.lock();
        try {
            Instant now = clock.now();
            scheduler.runDue(now);
            ServerState server = servers.get(serverId);
            if (server == null) {
                throw new NoSuchElementException("no server " + serverId + " in the simulated fleet");
            }
            if (server.stoppedAt == null) {
                server.stoppedAt = now;
                server.stopReason = reason;
                log.info("server {}: reinstall told to stop{}", server.id, reason == null ? "" : " (" + reason + ")");
            }
            return server.stoppedAt;
        } finally {
            lock.unlock();
        }
    }

    /** A PIN lock as three wrong PINs from anywhere would cause it (another client, a person at the panel). */
    void lockAccount(String accountName) {
        lock.lock();
        try {
            AccountState account = accountsByName.get(accountName);
            if (account == null) {
                throw new NoSuchElementException("no account " + accountName);
            }
            account.locked = true;
            log.warn("account {} locked (by the test harness)", accountName);
        } finally {
            lock.unlock();
        }
    }

    /** Support's reset of a PIN lock. */
    void unlock(String accountName) {
        lock.lock();
        try {
            AccountState account = accountsByName.get(accountName);
            if (account == null) {
                throw new NoSuchElementException("no account " + accountName);
            }
            account.locked = false;
            account.consecutiveWrongPins = 0;
        } finally {
            lock.unlock();
        }
    }

    private Reply dispatch(Call c) {
        if (c.module().equals(config.jenkinsRunModule()) && c.action().equals(config.jenkinsRunAction())) {
            return runJenkinsTask(c);
        }
        return switch (c.module()) {
            case "auth" -> switch (c.action()) {
                case "login" -> login(c);
                case "logout" -> logout(c);
                default -> throw unknownAction();
            };
            case "eq" -> switch (c.action()) {
                case "show" -> show(c);
                case "reinstall" -> reinstall(c);
                case "create_pxe" -> createPxe(c);
                case "boot_dev" -> bootDevice(c);
                case "reboot" -> reboot(c);
                case "on" -> powerOn(c);
                case "off" -> powerOff(c);
                case "status" -> status(c);
                case "clear_pxe" -> clearPxe(c);
                default -> throw unknownAction();
            };
            case "os" -> switch (c.action()) {
                case "list" -> listOs(c);
                default -> throw unknownAction();
            };
            case "jenkins" -> switch (c.action()) {
                case "get_tasks" -> jenkinsTasks(c);
                default -> throw unknownAction();
            };
            case "eq_callback" -> switch (c.action()) {
                case "check" -> check(c);
                default -> throw unknownAction();
            };
            default -> throw unknownAction();
        };
    }

    // ---- auth.php

    private Reply login(Call c) {
        String key = c.param("key");
        AccountState account = key == null ? null : accountsByKey.get(key);
        List<Long> ids = account == null ? List.of() : serverIdsOf(account.name());
        if (ids.isEmpty()) {
            ObjectNode body = JSON.objectNode()
                    .put("result", -1)
                    .put("error", "No appropriate servers found")
                    .put("code", "NO_APPROPRIATE_SERVERS");
            return new Reply(body, "ERROR: No appropriate servers found");
        }
        Duration ttl = config.tokenTtl();
        String requestedTtl = c.param("ttl");
        if (requestedTtl != null && NUMBER.matcher(requestedTtl).matches() && Long.parseLong(requestedTtl) > 0) {
            ttl = Duration.ofSeconds(Long.parseLong(requestedTtl));
        }
        String token = Keys.token();
        Instant expiresAt = c.now().plus(ttl);
        sessions.put(token, new Session(token, account, expiresAt));
        ObjectNode fields = JSON.objectNode()
                .put("token", token)
                .put("token_expire", expiresAt.getEpochSecond());
        ArrayNode serverIds = fields.putArray("servers");
        ids.forEach(serverIds::add);
        fields.put("invapi", config.invapiName());
        ObjectNode body = config.flatLogin() ? fields : JSON.objectNode().set("result", fields);
        // The HTTP handler logs the call at INFO; this adds what only the engine knows.
        log.debug("account {} logged in, {} servers, token valid for {} s simulated", account.name(), ids.size(),
                ttl.toSeconds());
        return ok(body);
    }

    private Reply logout(Call c) {
        Session session = session(c);
        sessions.remove(session.token());
        return ok(JSON.objectNode().put("result", "OK").put("action", "logout"));
    }

    // ---- eq.php

    private Reply show(Call c) {
        ServerState server = ownedServer(c, session(c).account());
        ObjectNode data = JSON.objectNode()
                .put("id", String.valueOf(server.id))
                .put("status", "off".equals(server.powerState) ? "power_off" : "rent")
                .put("power", server.powerState)
                .put("hostname", server.hostname)
                .put("location", server.location)
                .put("type", server.type)
                .put("ram_gb", server.ramGb);
        ArrayNode disks = data.putArray("disks");
        String sizeName = config.showRenamed().getOrDefault("size_gb", "size_gb");
        server.diskSizesGb.forEach(size -> disks.addObject().put(sizeName, size));
        data.put("cpu_cores", server.cores);
        data.remove(config.showWithout());
        config.showRenamed().forEach((field, name) -> {
            if (data.has(field)) {
                data.set(name, data.remove(field));
            }
        });
        ObjectNode body = JSON.objectNode().put("result", "OK");
        body.set("server_data", data);
        ArrayNode tags = body.putArray("tags");
        tags.add(server.type);
        if (server.installRunning()) {
            tags.add("reinstall_start");
        }
        return ok(body);
    }

    private Reply reinstall(Call c) {
        ServerState server = ownedServer(c, session(c).account());
        String key = uniqueKey();
        masterKeys.put(key, new MasterKey(key, server.id, server.location));
        log.debug("server {}: reinstall master key created", server.id);
        if (server.stoppedAt != null) {
            // A new master key is a new reinstall: the old one's stop no longer says what may happen.
            log.info("server {}: new reinstall, the stop of the previous one is cleared", server.id);
            server.stoppedAt = null;
            server.stopReason = null;
            server.stopViolated = false;
        }
        return ok(JSON.objectNode()
                .put("result", "OK")
                .put("action", "reinstall")
                .put(config.reinstallKeyField(), key));
    }

    private Reply createPxe(Call c) {
        AccountState account = session(c).account();
        ServerState server = ownedServer(c, account);
        checkPin(c, account);
        String osIdText = c.required("os_id");
        String rootPass = c.required("root_pass");
        String hostname = c.required("hostname");
        if (!NUMBER.matcher(osIdText).matches()) {
            throw new CallError("os_id must be a number");
        }
        long osId = Long.parseLong(osIdText);
        OsImage os = offered(server).stream()
                .filter(image -> image.id() == osId)
                .findFirst()
                .orElseThrow(() -> new CallError("OS " + osId + " is not available for this server"));
        if (config.validateRootPassword() && !PasswordPolicy.accepts(rootPass)) {
            throw new CallError("root_pass does not meet the password policy");
        }
        if (hostname.length() > 253 || !HOSTNAME.matcher(hostname).matches()) {
            throw new CallError("invalid hostname");
        }
        String reinstallKey = c.param("reinstall_key");
        if (reinstallKey != null) {
            MasterKey master = masterKeys.get(reinstallKey);
            if (master == null || master.serverId != server.id) {
                throw new CallError("reinstall_key not found");
            }
        }
        String scheme = c.param(config.diskSchemeField());
        if (scheme != null) {
            DiskLayout layout = DiskLayout.named(scheme).orElseThrow(() -> new CallError("unknown disk scheme " + c.param(config.diskSchemeField())));
            if (!layout.fits(server.diskSizesGb.size())) {
                throw new CallError("disk scheme " + layout + " needs at least " + layout.minDisks()
                        + " disks, the server has " + server.diskSizesGb.size());
            }
            scheme = layout.name();
        }
        Integer licences = os.licensedPerCore() ? licences(c, os) : null;
        PxeConfig pxe = new PxeConfig(osId, hostname, reinstallKey, scheme, c.param("ssh_key") != null,
                c.param("post_install_callback"), licences);
        installMove(server, "eq/create_pxe accepted");
        return startAsync(c, server, c.asyncFailureReason(), at -> {
            server.pxe = pxe;
            log.info("server {}: PXE config created for {} (os_id {}{})", server.id, os.name(), osId,
                    licences == null ? "" : ", " + licences + " per-core licences");
            return "PXE config created";
        });
    }

    /**
     * The per-core licences a licensed OS needs, from the configured field ({@link PerCoreLicences}'s
     * rule). Worded so that the client's default patterns type the refusals INVALID_PARAMETER. For an
     * OS not licensed per core the field is ignored, as Hostkey presumably ignores fields it does not use.
     */
    private Integer licences(Call c, OsImage os) {
        String field = config.licencesField();
        String text = c.param(field);
        String licensed = os.name() + " is licensed per core (" + OsImage.PRICE_PER_CORE_TAG + " "
                + os.extraTags().get(OsImage.PRICE_PER_CORE_TAG) + "): " + field + " must be " + PerCoreLicences.rule();
        if (text == null) {
            throw new CallError("missing required field " + field + ": " + licensed);
        }
        if (!NUMBER.matcher(text.strip()).matches() || text.strip().length() > 9) {
            throw new CallError("invalid parameter " + field + ": " + text + " is not a whole number; " + licensed);
        }
        int licences = Integer.parseInt(text.strip());
        if (!PerCoreLicences.isValidCount(licences)) {
            throw new CallError("invalid parameter " + field + ": " + licences + " licences; " + licensed);
        }
        return licences;
    }

    private Reply bootDevice(Call c) {
        AccountState account = session(c).account();
        ServerState server = ownedServer(c, account);
        checkPin(c, account);
        String media = c.required("media").toLowerCase(Locale.ROOT);
        if (!BOOT_MEDIA.contains(media)) {
            throw new CallError("invalid media " + media + ", expected pxe, disk or cd");
        }
        if (media.equals("pxe")) {
            installMove(server, "eq/boot_dev media=pxe accepted");
        }
        return startAsync(c, server, c.asyncFailureReason(), at -> {
            server.bootDevice = media;
            log.info("server {}: boot device set to {}", server.id, media);
            if (media.equals("disk")) {
                interruptUnfinishedInstall(server, "boot device set to disk");
            }
            return "Boot device set to " + media;
        });
    }

    private Reply reboot(Call c) {
        AccountState account = session(c).account();
        ServerState server = ownedServer(c, account);
        checkPin(c, account);
        if ("pxe".equals(server.bootDevice)) {
            installMove(server, "eq/reboot accepted while booting from pxe");
        }
        return startAsync(c, server, c.asyncFailureReason(), at -> {
            boot(server, at);
            return "Server rebooted";
        });
    }

    private Reply powerOn(Call c) {
        AccountState account = session(c).account();
        ServerState server = ownedServer(c, account);
        checkPin(c, account);
        return startAsync(c, server, c.asyncFailureReason(), at -> {
            if ("off".equals(server.powerState)) {
                boot(server, at);
            }
            return "Server powered on";
        });
    }

    private Reply powerOff(Call c) {
        AccountState account = session(c).account();
        ServerState server = ownedServer(c, account);
        checkPin(c, account);
        return startAsync(c, server, c.asyncFailureReason(), at -> {
            server.powerState = "off";
            abortInstall(server, "powered off");
            log.info("server {}: powered off", server.id);
            return "Server powered off";
        });
    }

    private Reply status(Call c) {
        ServerState server = ownedServer(c, session(c).account());
        return startAsync(c, server, c.asyncFailureReason(), at -> server.powerState);
    }

    private Reply clearPxe(Call c) {
        ServerState server = ownedServer(c, session(c).account());
        String hostname = c.required("hostname").toLowerCase(Locale.ROOT);
        boolean known = server.knownHostnames.stream().anyMatch(h -> h.equalsIgnoreCase(hostname))
                || server.pxe != null && server.pxe.hostname.equalsIgnoreCase(hostname);
        if (!known) {
            throw new CallError(config.errorWording().hostnameMismatch(server.id));
        }
        return startAsync(c, server, c.asyncFailureReason(), at -> {
            boolean had = server.pxe != null;
            server.pxe = null;
            log.info("server {}: PXE config {}", server.id, had ? "removed" : "was already absent");
            if (had) {
                interruptUnfinishedInstall(server, "PXE config cleared");
            }
            return "PXE config removed";
        });
    }

    // ---- os.php, jenkins.php

    private Reply listOs(Call c) {
        ServerState server;
        if (c.param("token") != null) {
            server = ownedServer(c, session(c).account());
        } else {
            server = anyServer(c);
        }
        List<OsImage> offered = offered(server);
        if (offered.isEmpty()) {
            throw new CallError("no OS found");
        }
        ObjectNode body = JSON.objectNode().put("result", "OK").put("action", "list");
        ArrayNode list = body.putArray("os_list");
        for (OsImage os : offered) {
            ObjectNode entry = list.addObject().put("id", os.id()).put("name", os.name()).put("active", 1);
            if (config.osTypeFlagsOnObject()) {
                for (String flag : List.of("bm", "vm", "vds", "gpu", "vgpu")) {
                    entry.put(flag, os.types().contains(flag.equals("vds") ? "vm" : flag) ? 1 : 0);
                }
            }
            ArrayNode tags = entry.putArray("tags");
            os.types().forEach(type -> tags.addObject().put("tag", type).put("value", "1"));
            tags.addObject().put("tag", osTag("min_ram")).put("value", String.valueOf(os.minRamGb()));
            tags.addObject().put("tag", osTag("min_hdd")).put("value", String.valueOf(os.minHddGb()));
            os.extraTags().forEach((tag, value) -> tags.addObject().put("tag", osTag(tag)).put("value", value));
        }
        return ok(body);
    }

    /** An os/list tag under the name this simulator is told to use for it ({@link SimulatorConfig#osTagRenamed}). */
    private String osTag(String seedName) {
        return config.osTagRenamed().getOrDefault(seedName, seedName);
    }

    private Reply jenkinsTasks(Call c) {
        if (c.param("token") != null) {
            session(c);
        }
        ObjectNode body = JSON.objectNode().put("result", "OK");
        ArrayNode tasks = body.putArray("tasks");
        for (JenkinsTask task : JENKINS_TASKS) {
            ObjectNode entry = tasks.addObject().put("id", task.id()).put("name", task.name());
            ArrayNode tags = entry.putArray("tags");
            task.tags().forEach(tags::add);
        }
        return ok(body);
    }

    /** The Jenkins launch, under the module, action and field names the config gives it. */
    private Reply runJenkinsTask(Call c) {
        ServerState server = ownedServer(c, session(c).account(), config.jenkinsServerField());
        String taskId = c.required(config.jenkinsTaskField());
        JenkinsTask task = JENKINS_TASKS.stream()
                .filter(t -> t.id().equals(taskId))
                .findFirst()
                .orElseThrow(() -> new CallError("task " + taskId + " not found"));
        if (!task.tags().contains(server.type)) {
            throw new CallError("task " + taskId + " does not apply to a " + server.type + " server");
        }
        String failure = c.asyncFailureReason() != null ? c.asyncFailureReason()
                : faults.failsJenkinsTask(taskId) ? "Jenkins task " + taskId + " failed" : null;
        return startAsync(c, "run_task", server, failure, at -> {
            server.jenkinsTasksRun.add(taskId);
            log.info("server {}: Jenkins task {} completed", server.id, taskId);
            return "Task " + taskId + " completed";
        });
    }

    // ---- eq_callback.php

    private Reply check(Call c) {
        String key = c.param("key");
        AsyncTask task = key == null ? null : asyncTasks.get(key);
        if (task != null) {
            if (c.now().isBefore(task.dueAt)) {
                return notReady(key);
            }
            asyncTasks.remove(key);
            ObjectNode context = context(task.action, task.serverId, task.location);
            if (task.failureReason != null) {
                ObjectNode body = JSON.objectNode().put("result", "Error").put("scope", task.failureReason);
                body.set("context", context);
                body.put("debug", "simulated failure of " + task.action + " on server " + task.serverId);
                body.put("key", key);
                return new Reply(body, "Error");
            }
            ObjectNode body = JSON.objectNode().put("result", "OK");
            if (config.scopeAsObject()) {
                body.putObject("scope").put("message", task.scope).put("id", task.serverId);
            } else {
                body.put("scope", task.scope);
            }
            body.set("context", context);
            body.putNull("debug");
            body.put("key", key);
            return new Reply(body, "OK");
        }
        MasterKey master = key == null ? null : masterKeys.get(key);
        if (master != null) {
            return checkMaster(master);
        }
        String message = config.keyInNotFoundMessage() && key != null ? "AsyncKey not found: " + key : "AsyncKey not found";
        ObjectNode body = JSON.objectNode().put("code", -1).put("message", message);
        if (key == null) {
            body.putNull("key");
        } else {
            body.put("key", key);
        }
        return new Reply(body, "ERROR: " + message);
    }

    private Reply checkMaster(MasterKey master) {
        List<Install.Milestone> reached = master.install == null ? List.of() : master.install.reached;
        if (reached.isEmpty()) {
            return notReady(master.key);
        }
        Install.Milestone milestone;
        boolean unread;
        if (config.stageDelivery() == StageDelivery.OLDEST_UNREAD && master.cursor < reached.size()) {
            milestone = reached.get(master.cursor);
            unread = true;
        } else {
            milestone = reached.getLast();
            unread = false;
        }
        if (milestone.failure()) {
            masterKeys.remove(master.key);
            ObjectNode body = JSON.objectNode()
                    .put("result", "Error")
                    .put("scope", "Installation failed at stage " + milestone.stage());
            body.set("context", context("reinstall", master.serverId, master.location));
            body.put("debug", "installer reported a failure at stage " + milestone.stage() + " (simulated fault)");
            body.put("key", master.key);
            return new Reply(body, "Error");
        }
        if (milestone.stage() == 5) {
            if (config.stage5AsStage() && !master.stage5Announced) {
                master.stage5Announced = true;
                return stage(master, 5);
            }
            masterKeys.remove(master.key);
            ObjectNode body = JSON.objectNode().put("result", "OK").put("scope", stageScope(5));
            body.set("context", stageContext(master, 5));
            body.putNull("debug");
            body.put("key", master.key);
            log.debug("server {}: reinstall complete, master key answered OK and is deleted", master.serverId);
            return new Reply(body, "OK");
        }
        if (unread) {
            master.cursor++;
        }
        return stage(master, milestone.stage());
    }

    private Reply stage(MasterKey master, int stage) {
        ObjectNode body = JSON.objectNode().put("result", "Stage").put("scope", stageScope(stage));
        body.set("context", stageContext(master, stage));
        body.put("key", master.key);
        return new Reply(body, "Stage " + stage);
    }

    private String stageScope(int stage) {
        String text = STAGE_TEXT.get(stage);
        return config.stageNumberIn() == StageNumberIn.SCOPE_TEXT ? "Stage " + stage + ": " + text : text;
    }

    private ObjectNode stageContext(MasterKey master, int stage) {
        ObjectNode context = context("reinstall", master.serverId, master.location);
        if (config.stageNumberIn() == StageNumberIn.CONTEXT) {
            context.put("stage", stage);
        }
        return context;
    }

    // ---- server lifecycle (runs as scheduled effects)

    private void boot(ServerState server, Instant at) {
        server.powerState = "on";
        server.boots++;
        if (!"pxe".equals(server.bootDevice) || server.pxe == null) {
            abortInstall(server, "booted from " + server.bootDevice);
            log.info("server {}: booted from {}", server.id, "pxe".equals(server.bootDevice) ? "disk (no PXE config)" : server.bootDevice);
            return;
        }
        if (faults.missesPxe(server.id)) {
            abortInstall(server, "did not catch PXE");
            log.warn("server {}: did not catch PXE (injected fault), no install started", server.id);
            return;
        }
        startInstall(server, at);
    }

    private void startInstall(ServerState server, Instant startedAt) {
        PxeConfig pxe = server.pxe;
        boolean sudden = pxe.consumed;
        if (server.install != null) {
            server.install.superseded = true;
        }
        Install install = new Install(pxe);
        server.install = install;
        server.installsStarted++;
        server.currentStage = 0;
        if (sudden) {
            server.suddenReinstalls++;
            log.warn("server {}: SUDDEN REINSTALL, booted from pxe with a consumed PXE config left in place", server.id);
        } else {
            log.info("server {}: caught PXE, install started", server.id);
        }
        installMove(server, "install started");
        MasterKey master = pxe.reinstallKey == null ? null : masterKeys.get(pxe.reinstallKey);
        if (master != null) {
            master.follow(install);
        }
        int stallAt = faults.stallStage(server.id);
        int failAt = faults.failStage(server.id);
        List<Duration> offsets = config.stageOffsets();
        for (int stage = 1; stage <= 5; stage++) {
            int reachedStage = stage;
            boolean failure = stage == failAt;
            scheduler.at(startedAt.plus(offsets.get(stage - 1)),
                    at -> reachStage(server, install, reachedStage, failure, at));
            if (failure || stage == stallAt) {
                break;
            }
        }
    }

    private void reachStage(ServerState server, Install install, int stage, boolean failure, Instant at) {
        if (install.superseded) {
            return;
        }
        install.reached.add(new Install.Milestone(stage, failure, at));
        if (failure) {
            install.failed = true;
            log.warn("server {}: install failed at stage {} (injected fault)", server.id, stage);
            return;
        }
        server.currentStage = stage;
        log.info("server {}: install stage {}: {}", server.id, stage, STAGE_TEXT.get(stage));
        if (stage == 4) {
            // The installer restarts into the installed OS; Foreman answers "boot local" so no new install.
            server.boots++;
        }
        if (stage == 5) {
            install.completed = true;
            install.config.consumed = true;
            server.hostname = install.config.hostname;
            server.knownHostnames.add(install.config.hostname);
        }
    }

    /**
     * Records {@code move} towards an install on a server whose reinstall was told to stop: the
     * first one after a stop counts it in {@link InvariantReport#installsAfterStop()}; each is logged.
     */
    private void installMove(ServerState server, String move) {
        if (server.stoppedAt == null) {
            return;
        }
        if (!server.stopViolated) {
            server.stopViolated = true;
            server.installsAfterStop++;
        }
        log.warn("server {}: INSTALL AFTER STOP, {} after its reinstall was told to stop at {}{}", server.id, move,
                server.stoppedAt, server.stopReason == null ? "" : " (" + server.stopReason + ")");
    }

    /**
     * Counts the server's latest install as interrupted when it started and neither finished nor
     * failed on its own: the server is left without a finished OS. Once per install, however many
     * of clear_pxe and boot_dev disk follow.
     */
    private void interruptUnfinishedInstall(ServerState server, String why) {
        Install install = server.install;
        if (install == null || install.completed || install.failed || install.interrupted) {
            return;
        }
        install.interrupted = true;
        server.interruptedInstalls++;
        log.warn("server {}: install interrupted at stage {} ({}), the server has no finished OS", server.id,
                install.reached.isEmpty() ? 0 : install.reached.getLast().stage(), why);
    }

    private void abortInstall(ServerState server, String why) {
        if (server.installRunning()) {
            server.install.superseded = true;
            log.warn("server {}: running install aborted ({})", server.id, why);
        }
    }

    // ---- shared checks and bodies

    private Reply startAsync(Call c, ServerState server, String failureReason, Function<Instant, String> effect) {
        return startAsync(c, c.action(), server, failureReason, effect);
    }

    /**
     * {@code kind} names the action in the settings ({@code --synchronous-actions},
     * {@code actionDelay}): its own name, or {@code run_task} for the Jenkins launch whatever it is called.
     */
    private Reply startAsync(Call c, String kind, ServerState server, String failureReason, Function<Instant, String> effect) {
        if (config.synchronous(kind)) {
            if (failureReason != null) {
                log.warn("server {}: {} fails at once (injected fault): {}", server.id, c.name(), failureReason);
                throw new CallError(failureReason);
            }
            effect.apply(c.now());
            return ok(JSON.objectNode().put("result", "OK").put("action", c.action()));
        }
        String key = uniqueKey();
        Instant dueAt = c.now().plus(config.actionDelay(kind));
        AsyncTask task = new AsyncTask(key, c.action(), server.id, server.location, dueAt, failureReason);
        asyncTasks.put(key, task);
        if (failureReason == null) {
            scheduler.at(dueAt, at -> task.scope = effect.apply(at));
        } else {
            log.warn("server {}: {} will fail (injected fault): {}", server.id, c.name(), failureReason);
        }
        return ok(JSON.objectNode()
                .put("result", "OK")
                .put("action", c.action())
                .put("callback", key));
    }

    private Session session(Call c) {
        String token = c.param("token");
        Session session = token == null ? null : sessions.get(token);
        if (session == null || !c.now().isBefore(session.expiresAt())) {
            if (session != null) {
                sessions.remove(token);
            }
            throw new CallError("Invalid hash");
        }
        if (session.account().locked) {
            throw new CallError(config.errorWording().accountLocked());
        }
        return session;
    }

    private ServerState ownedServer(Call c, AccountState account) {
        return ownedServer(c, account, "id");
    }

    /** The server named in {@code field}, if {@code account} owns it. */
    private ServerState ownedServer(Call c, AccountState account, String field) {
        ServerState server = anyServer(c, field);
        if (!server.account.equals(account.name())) {
            throw new CallError(config.errorWording().serverNotFound(c.required(field)));
        }
        return server;
    }

    private ServerState anyServer(Call c) {
        return anyServer(c, "id");
    }

    private ServerState anyServer(Call c, String field) {
        String id = c.required(field);
        ServerState server = NUMBER.matcher(id).matches() ? servers.get(Long.parseLong(id)) : null;
        if (server == null) {
            throw new CallError(config.errorWording().serverNotFound(id));
        }
        return server;
    }

    private void checkPin(Call c, AccountState account) {
        String expected = account.account.pin();
        if (expected == null) {
            return;
        }
        if (expected.equals(c.param("pin"))) {
            account.consecutiveWrongPins = 0;
            return;
        }
        account.consecutiveWrongPins++;
        if (account.consecutiveWrongPins >= config.wrongPinsBeforeLock()) {
            account.locked = true;
            log.warn("account {} locked after {} wrong PINs in a row", account.name(), account.consecutiveWrongPins);
        }
        throw new CallError(config.errorWording().wrongPin());
    }

    private List<OsImage> offered(ServerState server) {
        return config.osCatalogue().stream()
                .filter(os -> os.fits(server.type, server.ramGb, server.smallestDiskGb()))
                .toList();
    }

    private List<Long> serverIdsOf(String account) {
        return servers.values().stream().filter(s -> s.account.equals(account)).map(s -> s.id).toList();
    }

    private String uniqueKey() {
        String key;
        do {
            key = Keys.callbackKey();
        } while (asyncTasks.containsKey(key) || masterKeys.containsKey(key));
        return key;
    }

    private ObjectNode context(String action, long serverId, String location) {
        ObjectNode context = JSON.objectNode().put("action", action);
        if (config.contextIdAsNumber()) {
            context.put("id", serverId);
        } else {
            context.put("id", String.valueOf(serverId));
        }
        return context.put("location", location);
    }

    private static Reply notReady(String key) {
        return new Reply(JSON.objectNode().put("result", "Not ready").put("key", key), "Not ready");
    }

    private static Reply ok(ObjectNode body) {
        return new Reply(body, "OK");
    }

    private static Reply error(String message) {
        return new Reply(JSON.objectNode().put("code", -1).put("message", message), "ERROR: " + message);
    }

    private static CallError unknownAction() {
        return new CallError("unknown action");
    }
}
