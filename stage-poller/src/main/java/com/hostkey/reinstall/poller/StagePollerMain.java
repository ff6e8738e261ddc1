package com.hostkey.reinstall.poller;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyClient;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.invapi.client.metrics.MeteredHostkeyApi;
import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.OperationsHttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the stage poller from the environment and runs it until SIGTERM. Besides
 * {@link PollerConfig} and {@link HostkeyClientConfig#fromEnv}, it reads {@code POLLER_HTTP_PORT}
 * (default 8082; 0 picks a free port): {@code /metrics}, {@code /health}, {@code /ready}
 * (see {@link OperationsHttpServer}).
 */
public final class StagePollerMain {

    private static final Logger log = LoggerFactory.getLogger(StagePollerMain.class);

    private StagePollerMain() {}

    public static void main(String[] args) throws InterruptedException {
        EnvSettings env = EnvSettings.fromSystem();
        PollerConfig config = PollerConfig.fromEnv(env);
        int httpPort = env.optionalInt("POLLER_HTTP_PORT", 8082);
        PrometheusMeterRegistry registry = PollerMetrics.prometheusRegistry();
        PollerMetrics metrics = new PollerMetrics(registry);
        HostkeyApi hostkey = new MeteredHostkeyApi(new HostkeyClient(HostkeyClientConfig.fromEnv(System.getenv())), registry);
        StagePoller poller = StagePoller.start(config, hostkey, Clock.systemUTC(), metrics);
        metrics.watching(config.requestsPerSecond(), poller::watchedKeys);
        OperationsHttpServer operations = serveOperations(httpPort, registry, poller, metrics);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (operations != null) {
                operations.close();
            }
            poller.close();
            hostkey.close();
            metrics.close();
            stopped.countDown();
        }, "poller-shutdown"));
        stopped.await();
    }

    /**
     * The endpoints are for the platform, not for the work: a port already taken is logged loudly
     * (the probes then fail and say so) but does not stop the poller.
     */
    private static OperationsHttpServer serveOperations(int port, PrometheusMeterRegistry registry, StagePoller poller,
                                                        PollerMetrics metrics) {
        try {
            OperationsHttpServer server = OperationsHttpServer.start(port, registry::scrape, poller::isRunning, metrics::ready);
            log.info("stage-poller operations endpoints on port {}: /metrics /health /ready", server.port());
            return server;
        } catch (IOException e) {
            log.error("stage-poller cannot serve /metrics, /health, /ready on port {} ({}); set POLLER_HTTP_PORT (0 picks a free port)",
                    port, e.toString());
            return null;
        }
    }
}
