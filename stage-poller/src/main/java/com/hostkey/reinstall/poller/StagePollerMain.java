package com.hostkey.reinstall.poller;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyClient;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.invapi.client.metrics.MeteredHostkeyApi;
import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.OperationsHttpServer;
import com.hostkey.reinstall.runtime.ServiceLifecycle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Wires the stage poller from the environment and runs it until SIGTERM. Besides
 * {@link PollerConfig} and {@link HostkeyClientConfig#fromEnv}, it reads {@code POLLER_HTTP_PORT}
 * (default 8082; 0 picks a free port) on {@code POLLER_HTTP_HOST} (one interface; every one unless set): {@code /metrics}, {@code /health}, {@code /ready}
 * (see {@link OperationsHttpServer}).
 */
public final class StagePollerMain {


    private StagePollerMain() {}

    public static void main(String[] args) throws Exception {
        ServiceLifecycle.main("stage-poller", () -> {
            EnvSettings env = EnvSettings.fromSystem();
            PollerConfig config = PollerConfig.fromEnv(env);
            InetSocketAddress operationsAddress = ServiceLifecycle.operationsAddress(env, "POLLER_HTTP_HOST", "POLLER_HTTP_PORT", 8082);
            PrometheusMeterRegistry registry = PollerMetrics.prometheusRegistry();
            PollerMetrics metrics = new PollerMetrics(registry);
            HostkeyApi hostkey = new MeteredHostkeyApi(new HostkeyClient(HostkeyClientConfig.fromEnv(System.getenv())), registry);
            StagePoller poller = StagePoller.start(config, hostkey, Clock.systemUTC(), metrics);
            metrics.watching(poller::budgetPerSecond, poller::watchedKeys);
            Optional<OperationsHttpServer> operations = ServiceLifecycle.serveOperations("stage-poller", "POLLER_HTTP_PORT",
                    operationsAddress, registry::scrape, poller::isRunning, metrics::ready, Map.of());
            List<AutoCloseable> parts = new ArrayList<>();
            operations.ifPresent(parts::add);
            parts.addAll(List.of(poller, hostkey, metrics));
            ServiceLifecycle.runUntilStopped("stage-poller", parts);
        });
    }
}
