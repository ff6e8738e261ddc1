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
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Wires the command handler from the environment and runs it until SIGTERM. Besides
 * {@link HandlerConfig} and {@link HostkeyClientConfig#fromEnv}, it reads {@code HANDLER_HTTP_PORT}
 * (default 8081; 0 picks a free port) on {@code HANDLER_HTTP_HOST} (one interface; every one unless set): {@code /metrics}, {@code /health}, {@code /ready}
 * (see {@link OperationsHttpServer}) and {@code GET /.well-known/jwks.json}, the public sealing keys
 * producers seal to ({@link #documents}).
 */
public final class CommandHandlerMain {


    private CommandHandlerMain() {}

    public static void main(String[] args) throws Exception {
        ServiceLifecycle.main("command-handler", () -> {
            EnvSettings env = EnvSettings.fromSystem();
            HandlerConfig config = HandlerConfig.fromEnv(env);
            InetSocketAddress operationsAddress = ServiceLifecycle.operationsAddress(env, "HANDLER_HTTP_HOST", "HANDLER_HTTP_PORT", 8081);
            PrometheusMeterRegistry registry = HandlerMetrics.prometheusRegistry();
            HandlerMetrics metrics = new HandlerMetrics(registry);
            HostkeyApi hostkey = new MeteredHostkeyApi(new HostkeyClient(HostkeyClientConfig.fromEnv(System.getenv())), registry);
            CommandHandler handler = CommandHandler.start(config, new StepExecutor(hostkey, config.secretOpener(),
                    new ReinstallValidator(ValidationLimits.defaults().withStrictServerFacts(env.optionalBoolean("VALIDATION_STRICT", false))),
                    Clock.systemUTC(), metrics, Duration.ofSeconds(env.optionalLong("HANDLER_JENKINS_TASKS_TTL_SECONDS",
                    StepExecutor.DEFAULT_JENKINS_TASKS_TTL.toSeconds()))), metrics);
            Optional<OperationsHttpServer> operations = ServiceLifecycle.serveOperations("command-handler", "HANDLER_HTTP_PORT",
                    operationsAddress, registry::scrape, handler::isRunning, metrics::ready, documents(config));
            List<AutoCloseable> parts = new ArrayList<>();
            operations.ifPresent(parts::add);
            parts.addAll(List.of(handler, hostkey, metrics));
            ServiceLifecycle.runUntilStopped("command-handler", parts);
        });
    }

    /**
     * The handler's read-only documents on its operations port: {@value SealingKeys#JWKS_PATH}, the
     * JWK Set of its sealing keys ({@code application/jwk-set+json}), the current key
     * (SEALING_CURRENT_KEY) first. Producers seal to the first key; the handler opens every key id
     * it lists. Derived from the private keys it holds, and only their public parts are written.
     */
    static Map<String, Supplier<OperationsHttpServer.Answer>> documents(HandlerConfig config) {
        OperationsHttpServer.Answer jwks = new OperationsHttpServer.Answer(200, SealingKeys.JWKS_CONTENT_TYPE,
                config.sealingJwks().toString(true));
        return Map.of(SealingKeys.JWKS_PATH, () -> jwks);
    }
}
