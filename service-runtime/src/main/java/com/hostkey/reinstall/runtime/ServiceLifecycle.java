package com.hostkey.reinstall.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every service {@code main} ends: it serves its operations endpoints and runs until the JVM is
 * asked to stop (SIGTERM from the platform, Ctrl-C), then closes its parts in the order given, so a
 * clean stop hands over what is in flight instead of dropping it.
 */
public final class ServiceLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ServiceLifecycle.class);

    /** A service's exit status when its settings are wrong (sysexits' EX_CONFIG): nothing to retry until they change. */
    public static final int EXIT_CONFIG = 78;

    private ServiceLifecycle() {}

    /** A service's main body. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /**
     * Runs a service's main body. Settings that are missing, unreadable or malformed
     * ({@link EnvSettings.SettingsException}) end it with one log line naming them and exit status
     * {@link #EXIT_CONFIG}, not a stack trace; anything else propagates as before.
     */
    public static void main(String service, Body body) throws Exception {
        try {
            body.run();
        } catch (EnvSettings.SettingsException e) {
            log.error("{}", e.getMessage());
            System.exit(EXIT_CONFIG);
        }
    }

    /**
     * Where a service serves its operations endpoints: {@code portVariable} ({@code defaultPort}
     * unless set; 0 picks a free one) on {@code hostVariable}, the one interface to bind (e.g.
     * 127.0.0.1 on a machine where nothing else may reach them), every interface unless set (what
     * a Kubernetes probe of the pod's address needs).
     */
    public static InetSocketAddress operationsAddress(EnvSettings env, String hostVariable, String portVariable, int defaultPort) {
        int port = env.optionalInt(portVariable, defaultPort);
        String host = env.optional(hostVariable, "");
        return host.isBlank() ? new InetSocketAddress(port) : new InetSocketAddress(host.strip(), port);
    }

    /**
     * Serves {@code /metrics}, {@code /health}, {@code /ready} on {@code port} (0 picks a free one).
     * The endpoints are for the platform, not for the work: a port already taken is logged loudly
     * (the probes then fail and say so) but does not stop the service.
     *
     * @param portVariable the setting that chose the port, named in the message when it is taken
     */
    public static Optional<OperationsHttpServer> serveOperations(String service, String portVariable, int port,
                                                                 Supplier<String> metrics, BooleanSupplier live, BooleanSupplier ready) {
        return serveOperations(service, portVariable, port, metrics, live, ready, Map.of());
    }

    /**
     * The same, with the service's own read-only documents beside the three endpoints, by path (see
     * {@link OperationsHttpServer}): the command handler's JWK Set.
     */
    public static Optional<OperationsHttpServer> serveOperations(String service, String portVariable, int port,
                                                                 Supplier<String> metrics, BooleanSupplier live, BooleanSupplier ready,
                                                                 Map<String, Supplier<OperationsHttpServer.Answer>> documents) {
        return serveOperations(service, portVariable, new InetSocketAddress(port), metrics, live, ready, documents);
    }

    /** The same on {@code address} (see {@link #operationsAddress}). */
    public static Optional<OperationsHttpServer> serveOperations(String service, String portVariable, InetSocketAddress address,
                                                                 Supplier<String> metrics, BooleanSupplier live, BooleanSupplier ready,
                                                                 Map<String, Supplier<OperationsHttpServer.Answer>> documents) {
        List<String> paths = new ArrayList<>(List.of("/metrics", "/health", "/ready"));
        paths.addAll(new TreeSet<>(documents.keySet()));
        String where = (address.getAddress().isAnyLocalAddress() ? "every interface" : address.getHostString()) + ", port ";
        try {
            OperationsHttpServer server = OperationsHttpServer.start(address, metrics, live, ready, documents);
            log.info("{} operations endpoints on {}{}: {}", service, where, server.port(), String.join(" ", paths));
            return Optional.of(server);
        } catch (IOException e) {
            log.error("{} cannot serve {} on {}{} ({}); set {} (0 picks a free port)",
                    service, String.join(", ", paths), where, address.getPort(), e.toString(), portVariable);
            return Optional.empty();
        }
    }

    /**
     * Blocks until the JVM shuts down, then closes {@code parts} in order (a failing one does not stop the rest).
     * Logs "{@code <service> stopping}" when asked to stop and "{@code <service> stopped}" once every
     * part is closed: what a platform's logs show of a clean stop (the JVM then exits 143 on SIGTERM).
     */
    public static void runUntilStopped(String service, List<? extends AutoCloseable> parts) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("{} stopping", service);
            for (AutoCloseable part : parts) {
                try {
                    part.close();
                } catch (Exception e) {
                    log.warn("{}: closing {} failed: {}", service, part.getClass().getSimpleName(), e.toString());
                }
            }
            log.info("{} stopped", service);
            stopped.countDown();
        }, service + "-shutdown"));
        stopped.await();
    }
}
