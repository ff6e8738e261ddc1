package com.hostkey.reinstall.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyException;
import com.hostkey.invapi.client.metrics.MeteredHostkeyApi;
import com.hostkey.reinstall.validation.ReinstallValidator;
import com.hostkey.reinstall.validation.ValidationLimits;
import com.hostkey.reinstall.schemas.avro.ClearPxeConfig;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.runtime.LogContext;
import com.hostkey.reinstall.runtime.OperationsHttpServer;
import com.hostkey.reinstall.schemas.secrets.SecretOpener;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The handler's /metrics, /health and /ready as a scraper and the kubelet see them. */
class HandlerOperationsEndpointsTest {

    /** Far after any clock of these tests: the steps here are never expired. */
    private static final Instant NOT_AFTER = Instant.parse("2100-01-01T00:00:00Z");

    private final PrometheusMeterRegistry registry = HandlerMetrics.prometheusRegistry();
    private final HandlerMetrics metrics = new HandlerMetrics(registry);
    private final RecordingHostkey hostkey = new RecordingHostkey();
    private final StepExecutor executor = new StepExecutor(new MeteredHostkeyApi(hostkey, registry), new SecretOpener(Map.of()),
            new ReinstallValidator(ValidationLimits.defaults()), Clock.systemUTC(), metrics);
    private final AtomicBoolean loopAlive = new AtomicBoolean(true);
    private final HttpClient http = HttpClient.newHttpClient();
    private OperationsHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        metrics.close();
    }

    @Test
    void shouldServeTheHandlersMetricsAfterSomeCommands() throws Exception {
        executor.execute(command("c-1", RebootServer.newBuilder().setAccount("default").build()));
        hostkey.failure = new HostkeyException.Transient("eq/clear_pxe", "HTTP 503", null, null);
        executor.execute(command("c-2", ClearPxeConfig.newBuilder().setAccount("default").setHostname("srv.example.net").build()));
        executor.outcomeUnknown(command("c-3", RebootServer.newBuilder().setAccount("default").build()));
        metrics.deadLettered("reinstall-steps", "UNAUTHENTICATED");
        metrics.pipeline(12, 3, 2);
        server = OperationsHttpServer.start(0, registry::scrape, loopAlive::get, metrics::ready);

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(OperationsHttpServer.PROMETHEUS_CONTENT_TYPE);
        assertThat(response.body())
                .contains("hostkey_calls_seconds_count{action=\"eq/reboot\",outcome=\"ok\",service=\"command-handler\"} 1")
                .contains("hostkey_calls_seconds_count{action=\"eq/clear_pxe\",outcome=\"transient\",service=\"command-handler\"} 1")
                .contains("hostkey_calls_seconds_bucket{action=\"eq/reboot\"")
                .contains("command_handler_commands_total{command=\"RebootServer\",outcome=\"ActionAccepted\",service=\"command-handler\"} 1")
                .contains("command_handler_commands_total{command=\"ClearPxeConfig\",outcome=\"HostkeyCallFailed:TRANSIENT\"")
                .contains("reinstall_reconciliations_total{action=\"eq/reboot\",kind=\"outcome_unknown\",service=\"command-handler\"} 1")
                .contains("reinstall_dead_letters_total{reason=\"UNAUTHENTICATED\",service=\"command-handler\",source_topic=\"reinstall-steps\"} 1")
                .contains("command_handler_assigned_partitions{service=\"command-handler\"} 0")
                .contains("command_handler_commands_buffered{service=\"command-handler\"} 12")
                .contains("command_handler_calls_running{service=\"command-handler\"} 3")
                .contains("command_handler_paused_partitions{service=\"command-handler\"} 2")
                .contains("jvm_memory_used_bytes")
                .doesNotContain("serverId").doesNotContain("server_id");
    }

    @Test
    void shouldBeLiveWhileTheLoopRunsAndReadyOnceAssigned() throws Exception {
        server = OperationsHttpServer.start(0, registry::scrape, loopAlive::get, metrics::ready);

        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/ready").statusCode()).isEqualTo(503);

        metrics.assigned(List.of());
        assertThat(get("/ready").statusCode()).isEqualTo(200);
        assertThat(get("/ready").body()).contains("READY");

        loopAlive.set(false);
        assertThat(get("/health").statusCode()).isEqualTo(503);
        assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldLogTheIdsOfTheCommandWhileItRunsAndForgetThemAfter() {
        executor.execute(command("c-9", RebootServer.newBuilder().setAccount("default").build()));

        assertThat(hostkey.contextDuringCall).containsExactly("1001/r-1/c-9");
        assertThat(MDC.get(LogContext.SERVER_ID)).isNull();
        assertThat(MDC.get(LogContext.COMMAND_ID)).isNull();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static StepCommand command(String commandId, Object payload) {
        return StepCommand.newBuilder().setCommandId(commandId).setServerId(1001).setReinstallId("r-1")
                .setIssuedAt(Instant.EPOCH).setNotAfter(NOT_AFTER).setPayload(payload).build();
    }

    /** Answers the async actions, or throws {@link #failure}; notes the log context each call ran in. */
    private static final class RecordingHostkey implements HostkeyApi {
        final List<String> contextDuringCall = new ArrayList<>();
        HostkeyException failure;

        private AsyncAction answer(String action) {
            contextDuringCall.add(MDC.get(LogContext.SERVER_ID) + "/" + MDC.get(LogContext.REINSTALL_ID) + "/" + MDC.get(LogContext.COMMAND_ID));
            if (failure != null) {
                throw failure;
            }
            return new AsyncAction(action, action + "-key");
        }

        @Override
        public List<OsOffer> listOs(String account, long serverId) {
            return List.of();
        }

        @Override
        public ServerFacts show(String account, long serverId) {
            return null;
        }

        @Override
        public List<JenkinsTask> jenkinsTasks(String account) {
            return List.of();
        }

        @Override
        public String createReinstallKey(String account, long serverId) {
            return "master";
        }

        @Override
        public AsyncAction createPxe(String account, CreatePxeRequest request) {
            return answer("create_pxe");
        }

        @Override
        public AsyncAction bootDevice(String account, long serverId, BootMedia media) {
            return answer("boot_dev");
        }

        @Override
        public AsyncAction reboot(String account, long serverId) {
            return answer("reboot");
        }

        @Override
        public AsyncAction runJenkinsTask(String account, long serverId, String taskId) {
            return answer("run_task");
        }

        @Override
        public AsyncAction clearPxe(String account, long serverId, String hostname) {
            return answer("clear_pxe");
        }

        @Override
        public CallbackAnswer checkCallback(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
