package com.hostkey.reinstall.handler;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyClient;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.invapi.client.metrics.MeteredHostkeyApi;
import com.hostkey.reinstall.validation.ReinstallValidator;
import com.hostkey.reinstall.validation.ValidationLimits;
import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.OperationsHttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the command handler from the environment and runs it until SIGTERM. Besides
 * {@link HandlerConfig} and {@link HostkeyClientConfig#fromEnv}, it reads {@code HANDLER_HTTP_PORT}
 * (default 8081; 0 picks a free port): {@code /metrics}, {@code /health}, {@code /ready}
 * (see {@link OperationsHttpServer}).
 */
public final class CommandHandlerMain {

    private static final Logger log = LoggerFactory.getLogger(CommandHandlerMain.class);

    private CommandHandlerMain() {}

    public static void main(String[] args) throws InterruptedException {
        EnvSettings env = EnvSettings.fromSystem();
        HandlerConfig config = HandlerConfig.fromEnv(env);
        int httpPort = env.optionalInt("HANDLER_HTTP_PORT", 8081);
        PrometheusMeterRegistry registry = HandlerMetrics.prometheusRegistry();
        HandlerMetrics metrics = new HandlerMetrics(registry);
        HostkeyApi hostkey = new MeteredHostkeyApi(new HostkeyClient(HostkeyClientConfig.fromEnv(System.getenv())), registry);
        CommandHandler handler = CommandHandler.start(config, new StepExecutor(hostkey, config.secretOpener(),
                new ReinstallValidator(ValidationLimits.defaults()), Clock.systemUTC(), metrics), metrics);
        OperationsHttpServer operations = serveOperations(httpPort, registry, handler, metrics);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (operations != null) {
                operations.close();
            }
            handler.close();
            hostkey.close();
            metrics.close();
            stopped.countDown();
        }, "handler-shutdown"));
        stopped.await();
    }

    /**
     * The endpoints are for the platform, not for the work: a port already taken is logged loudly
     * (the probes then fail and say so) but does not stop the handler.
     */
    private static OperationsHttpServer serveOperations(int port, PrometheusMeterRegistry registry, CommandHandler handler,
                                                        HandlerMetrics metrics) {
        try {
            OperationsHttpServer server = OperationsHttpServer.start(port, registry::scrape, handler::isRunning, metrics::ready);
            log.info("command-handler operations endpoints on port {}: /metrics /health /ready", server.port());
            return server;
        } catch (IOException e) {
            log.error("command-handler cannot serve /metrics, /health, /ready on port {} ({}); set HANDLER_HTTP_PORT (0 picks a free port)",
                    port, e.toString());
            return null;
        }
    }
}
