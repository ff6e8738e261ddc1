package com.hostkey.reinstall.handler;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyClient;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.invapi.client.metrics.MeteredHostkeyApi;
import com.hostkey.reinstall.validation.ReinstallValidator;
import com.hostkey.reinstall.validation.ValidationLimits;
import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.OperationsHttpServer;
import com.hostkey.reinstall.runtime.ServiceLifecycle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Wires the command handler from the environment and runs it until SIGTERM. Besides
 * {@link HandlerConfig} and {@link HostkeyClientConfig#fromEnv}, it reads {@code HANDLER_HTTP_PORT}
 * (default 8081; 0 picks a free port): {@code /metrics}, {@code /health}, {@code /ready}
 * (see {@link OperationsHttpServer}).
 */
public final class CommandHandlerMain {


    private CommandHandlerMain() {}

    public static void main(String[] args) throws InterruptedException {
        EnvSettings env = EnvSettings.fromSystem();
        HandlerConfig config = HandlerConfig.fromEnv(env);
        int httpPort = env.optionalInt("HANDLER_HTTP_PORT", 8081);
        PrometheusMeterRegistry registry = HandlerMetrics.prometheusRegistry();
        HandlerMetrics metrics = new HandlerMetrics(registry);
        HostkeyApi hostkey = new MeteredHostkeyApi(new HostkeyClient(HostkeyClientConfig.fromEnv(System.getenv())), registry);
        CommandHandler handler = CommandHandler.start(config, new StepExecutor(hostkey, config.secretOpener(),
                new ReinstallValidator(ValidationLimits.defaults().withStrictServerFacts(env.optionalBoolean("VALIDATION_STRICT", false))),
                Clock.systemUTC(), metrics), metrics);
        Optional<OperationsHttpServer> operations = ServiceLifecycle.serveOperations("command-handler", "HANDLER_HTTP_PORT",
                httpPort, registry::scrape, handler::isRunning, metrics::ready);
        List<AutoCloseable> parts = new ArrayList<>();
        operations.ifPresent(parts::add);
        parts.addAll(List.of(handler, hostkey, metrics));
        ServiceLifecycle.runUntilStopped("command-handler", parts);
    }
}
