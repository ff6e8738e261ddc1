package com.hostkey.invapi.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running simulation of Hostkey's invapi over real HTTP, embeddable in tests and runnable
 * standalone ({@link SimulatorMain}).
 *
 * <p>Endpoints: {@code POST|GET /<module>.php} for {@code auth}, {@code eq}, {@code os},
 * {@code jenkins} and {@code eq_callback} (wire as in docs/hostkey-invapi.md, JSON, HTTP 200 with
 * business errors in the body), and on the same port the admin endpoints {@code GET /_sim/health},
 * {@code /_sim/audit}, {@code /_sim/servers[/{id}]}, {@code /_sim/report}, {@code /_sim/faults},
 * {@code POST|DELETE /_sim/faults}, {@code POST /_sim/accounts/{name}/unlock} and
 * {@code POST /_sim/servers/{id}/stopped} (fault injection, PIN unlock and
 * {@link #reinstallStopped(long, String)} for a standalone simulator, where the Java API is out of
 * reach).
 *
 * <p>Invapi never learns that an orchestrator gave a reinstall up, so whoever knows (a test
 * watching the saga's events) tells the simulator with {@link #reinstallStopped(long, String)};
 * the {@link #invariantReport()} then flags any install move on that server until its next
 * eq/reinstall ({@link InvariantReport#installsAfterStop()}).
 *
 * <p>Every request runs on its own virtual thread. Time is simulated ({@link #clock()}).
 */
public final class HostkeySimulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HostkeySimulator.class);

    private final SimulatorConfig config;
    private final SimClock clock;
    private final Faults faults;
    private final AuditLog audit = new AuditLog();
    private final Invapi invapi;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String baseUrl;

    private HostkeySimulator(SimulatorConfig config) throws IOException {
        this.config = config;
        this.clock = new SimClock(config.timeScale());
        this.faults = new Faults(config.faultSeed());
        config.faultSetup().accept(faults);
        this.invapi = new Invapi(config, clock, faults, fleet(config));
        ObjectMapper mapper = new ObjectMapper();
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        // A deep accept queue: a pipelined command handler opens hundreds of connections in a burst, and
        // the JDK's default backlog (50) would reset some mid-request: faults nobody injected.
        this.server = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 1024);
        server.setExecutor(executor);
        server.createContext("/", new InvapiHttpHandler(invapi, faults, audit, clock, mapper, config));
        server.createContext("/_sim/", new AdminHttpHandler(this, mapper));
        server.start();
        String host = config.bindAddress().equals("0.0.0.0") || config.bindAddress().equals("::")
                ? "127.0.0.1" : config.bindAddress();
        this.baseUrl = "http://" + host + ":" + server.getAddress().getPort();
    }

    /** Starts a simulator; it serves until {@link #close()}. */
    public static HostkeySimulator start(SimulatorConfig config) {
        try {
            HostkeySimulator simulator = new HostkeySimulator(config);
            log.info("hostkey simulator started on {} with {}", simulator.baseUrl, config);
            return simulator;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulator on " + config.bindAddress() + ":" + config.port(), e);
        }
    }

    /** {@code http://127.0.0.1:PORT}; calls go to {@code baseUrl() + "/eq.php"} etc. */
    public String baseUrl() {
        return baseUrl;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Every invapi call so far, in arrival order, secrets masked. */
    public List<AuditEntry> audit() {
        return audit.entries();
    }

    /** The audit entries of one call, e.g. {@code audit("eq", "reboot")}. */
    public List<AuditEntry> audit(String module, String action) {
        return audit.entries().stream()
                .filter(e -> e.module().equals(module) && e.action().equals(action))
                .toList();
    }

    /** Forgets the audit so far. */
    public void clearAudit() {
        audit.clear();
    }

    /** One server's state now; {@link java.util.NoSuchElementException} for an unknown id. */
    public ServerSnapshot server(long id) {
        return invapi.snapshot(id);
    }

    /** Every server's state now, by id. */
    public List<ServerSnapshot> servers() {
        return invapi.snapshots();
    }

    public InvariantReport invariantReport() {
        return invapi.report();
    }

    /** The live fault-injection handle; changes apply to the next call. */
    public Faults faults() {
        return faults;
    }

    public SimClock clock() {
        return clock;
    }

    public SimulatorConfig config() {
        return config;
    }

    /** {@link #reinstallStopped(long, String)} without a reason. */
    public Instant reinstallStopped(long serverId) {
        return reinstallStopped(serverId, null);
    }

    /**
     * Records that the reinstall running on {@code serverId} was told to stop (its saga gave up,
     * failed or was cancelled), at the simulated now. Until the server's next eq/reinstall, any
     * install move on it is flagged in {@link InvariantReport#installsAfterStop()}; what happened
     * before now is not. Repeating it before that reinstall changes nothing.
     *
     * @param reason free text for the log, may be null
     * @return the simulated instant of the stop in force (the first one when repeated)
     * @throws java.util.NoSuchElementException for an unknown server id
     */
    public Instant reinstallStopped(long serverId, String reason) {
        return invapi.stopped(serverId, reason);
    }

    /** Locks the account as three wrong PINs would: every call of it is refused with "account locked" until {@link #unlockAccount}. */
    public void lockAccount(String accountName) {
        invapi.lockAccount(accountName);
    }

    /** What support does after a PIN lock: unlocks the account and resets its wrong-PIN count. */
    public void unlockAccount(String accountName) {
        invapi.unlock(accountName);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        log.info("hostkey simulator on {} stopped", baseUrl);
    }

    private static List<ServerSpec> fleet(SimulatorConfig config) {
        if (config.fleet() != null) {
            return config.fleet();
        }
        if (config.fleetFile() != null) {
            return FleetFile.read(config.fleetFile());
        }
        return ServerSpec.generatedFleet(config.generatedFleet(), config.accountNames());
    }
}
