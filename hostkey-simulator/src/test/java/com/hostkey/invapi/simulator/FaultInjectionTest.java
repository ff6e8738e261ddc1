package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultInjectionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void shouldDelayAnswersByConfiguredLatency() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq", "show").latency(Duration.ofMillis(200), Duration.ofMillis(50));
            long start = System.nanoTime();
            assertThat(s.eq("show", 1001).path("result").asText()).isEqualTo("OK");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        }
    }

    @Test
    void shouldAnswerErrorBodyWithoutApplyingTheCall() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq", "reboot").errorBody(1.0);
            JsonNode answer = s.eq("reboot", 1001, "pin", InvapiHttp.PIN);
            assertThat(answer.path("code").asInt()).isEqualTo(-1);
            assertThat(answer.path("message").asText()).isEqualTo("eq/reboot: simulated failure");
            s.advance(10);
            assertThat(s.sim.server(1001).boots()).isZero();
            assertThat(s.sim.audit("eq", "reboot").getFirst().outcome()).isEqualTo("FAULT: ERROR_BODY eq/reboot: simulated failure");
        }
    }

    @Test
    void shouldMimicExpiredSessionWithChosenErrorText() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq", "show").errorBody(1.0, "Invalid hash").times(1);
            assertThat(s.eq("show", 1001).path("message").asText()).isEqualTo("eq/show: Invalid hash");
            assertThat(s.eq("show", 1001).path("result").asText()).isEqualTo("OK");
        }
    }

    @Test
    void shouldAnswer5xxWithoutApplyingTheCall() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq", "boot_dev").serverError(1.0, 502);
            HttpResponse<String> response = s.api.raw("eq", TIMEOUT, "action", "boot_dev", "token", s.token, "id", "1001",
                    "pin", InvapiHttp.PIN, "media", "pxe");
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).contains("<html>");
            s.advance(10);
            assertThat(s.sim.server(1001).bootDevice()).isEqualTo("disk");
            assertThat(s.sim.audit("eq", "boot_dev").getFirst().outcome()).isEqualTo("FAULT: HTTP_502");
        }
    }

    @Test
    void shouldThrottleWithRetryAfter() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq", "reboot").throttle(1.0, Duration.ofSeconds(2));
            HttpResponse<String> response = s.api.raw("eq", TIMEOUT, "action", "reboot", "token", s.token, "id", "1001",
                    "pin", InvapiHttp.PIN);
            assertThat(response.statusCode()).isEqualTo(429);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
            s.advance(10);
            assertThat(s.sim.server(1001).boots()).isZero();
        }
    }

    @Test
    void shouldLimitRuleToGivenNumberOfCalls() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq", "show").serverError(1.0).times(2);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                statuses.add(s.api.raw("eq", TIMEOUT, "action", "show", "token", s.token, "id", "1001").statusCode());
            }
            assertThat(statuses).containsExactly(503, 503, 200);
        }
    }

    @Test
    void shouldApplyGlobalRuleToEveryCall() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().global().serverError(1.0).times(2);
            assertThat(s.api.raw("jenkins", TIMEOUT, "action", "get_tasks").statusCode()).isEqualTo(503);
            assertThat(s.api.raw("eq_callback", TIMEOUT, "action", "check", "key", "x").statusCode()).isEqualTo(503);
            assertThat(s.api.raw("jenkins", TIMEOUT, "action", "get_tasks").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldHangPastClientTimeoutAndApplyTheCallLate() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq", "boot_dev").hang(1.0, Duration.ofMillis(400));
            assertThatThrownBy(() -> s.api.send("eq", Duration.ofMillis(100), "action", "boot_dev", "token", s.token,
                    "id", "1001", "pin", InvapiHttp.PIN, "media", "pxe"))
                    .isInstanceOf(HttpTimeoutException.class);
            InvapiHttp.await("the hung call to be handled", () -> !s.sim.audit("eq", "boot_dev").isEmpty());
            s.advance(5);
            assertThat(s.sim.server(1001).bootDevice()).isEqualTo("pxe");
        }
    }

    @Test
    void shouldApplyCallButLoseTheResponse() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq", "reboot").responseLost(1.0);
            assertThatThrownBy(() -> s.api.send("eq", TIMEOUT, "action", "reboot", "token", s.token, "id", "1001",
                    "pin", InvapiHttp.PIN))
                    .isInstanceOf(IOException.class);
            s.advance(5);
            assertThat(s.sim.server(1001).boots()).isEqualTo(1);
            assertThat(s.sim.audit("eq", "reboot").getFirst().outcome()).isEqualTo("FAULT: RESPONSE_LOST after OK");
        }
    }

    @Test
    void shouldApplyCallButAnswerMalformedJson() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq", "boot_dev").malformedJson(1.0);
            HttpResponse<String> response = s.api.raw("eq", TIMEOUT, "action", "boot_dev", "token", s.token, "id", "1001",
                    "pin", InvapiHttp.PIN, "media", "pxe");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> InvapiHttp.parse(response.body())).isInstanceOf(java.io.UncheckedIOException.class);
            s.advance(5);
            assertThat(s.sim.server(1001).bootDevice()).isEqualTo("pxe");
        }
    }

    @Test
    void shouldFailAsyncTaskWithoutApplyingIt() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq", "boot_dev").asyncFailure(1.0, "IPMI unreachable");
            String key = s.eq("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe").path("callback").asText();
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("Not ready");
            s.advance(5);
            JsonNode failed = s.api.check(key);
            assertThat(failed.path("result").asText()).isEqualTo("Error");
            assertThat(failed.path("scope").asText()).isEqualTo("IPMI unreachable");
            assertThat(failed.path("debug").asText()).isNotEmpty();
            assertThat(s.api.check(key).path("message").asText()).isEqualTo("AsyncKey not found");
            assertThat(s.sim.server(1001).bootDevice()).isEqualTo("disk");
        }
    }

    @Test
    void shouldStallInstallAtGivenStage() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().installStallsAt(1001, 2);
            String key = s.startInstall(1001);
            s.advance(3600);
            JsonNode answer = s.api.check(key);
            assertThat(answer.path("result").asText()).isEqualTo("Stage");
            assertThat(answer.path("scope").asText()).startsWith("Stage 2:");
            ServerSnapshot server = s.sim.server(1001);
            assertThat(server.currentInstallStage()).isEqualTo(2);
            assertThat(server.installRunning()).isTrue();
            assertThat(s.sim.invariantReport().serversInstalling()).containsExactly(1001L);
        }
    }

    @Test
    void shouldFailInstallAtGivenStageOnlyOnThatServer() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().installFailsAt(1001, 3);
            String failing = s.startInstall(1001);
            String healthy = s.startInstall(1002);
            s.advance(300);
            assertThat(s.api.check(failing).path("scope").asText()).startsWith("Stage 2:");
            s.advance(420);
            JsonNode error = s.api.check(failing);
            assertThat(error.path("result").asText()).isEqualTo("Error");
            assertThat(error.path("scope").asText()).isEqualTo("Installation failed at stage 3");
            assertThat(error.path("key").asText()).isEqualTo(failing);
            assertThat(s.api.check(failing).path("message").asText()).isEqualTo("AsyncKey not found");
            assertThat(s.sim.server(1001).installRunning()).isFalse();
            assertThat(s.sim.server(1001).currentInstallStage()).isEqualTo(2);
            assertThat(s.api.check(healthy).path("result").asText()).isEqualTo("OK");
        }
    }

    @Test
    void shouldStartNoInstallWhenServerNeverCatchesPxe() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().neverCatchPxe(1001);
            String key = s.startInstall(1001);
            s.advance(3600);
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("Not ready");
            ServerSnapshot server = s.sim.server(1001);
            assertThat(server.boots()).isEqualTo(1);
            assertThat(server.installsStarted()).isZero();
        }
    }

    @Test
    void shouldFailJenkinsTask() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().jenkinsTaskFails("monitoring-agent");
            String key = s.api.call("jenkins", "action", "run_task", "token", s.token, "id", "1001",
                    "task_id", "monitoring-agent").path("callback").asText();
            s.advance(5);
            JsonNode answer = s.api.check(key);
            assertThat(answer.path("result").asText()).isEqualTo("Error");
            assertThat(answer.path("scope").asText()).isEqualTo("Jenkins task monitoring-agent failed");
            assertThat(s.sim.server(1001).jenkinsTasksRun()).isEmpty();
        }
    }

    @Test
    void shouldInjectFaultsConfiguredOnTheBuilder() {
        SimulatorConfig.Builder config = SlowSim.config().faults(f -> f.on("eq", "show").serverError(1.0).times(1));
        try (SlowSim s = new SlowSim(config)) {
            assertThat(s.api.raw("eq", TIMEOUT, "action", "show", "token", s.token, "id", "1001").statusCode()).isEqualTo(503);
            assertThat(s.eq("show", 1001).path("result").asText()).isEqualTo("OK");
        }
    }

    @Test
    void shouldDrawTheSameFaultsForTheSameSeed() {
        List<String> first = outcomesWithSeed(7);
        List<String> second = outcomesWithSeed(7);
        assertThat(first).isEqualTo(second);
        assertThat(first).contains("OK").anyMatch(o -> o.startsWith("FAULT"));
    }

    @Test
    void shouldStopInjectingAfterClear() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().global().serverError(1.0);
            s.sim.faults().installFailsAt(1);
            s.sim.faults().clear();
            assertThat(s.eq("show", 1001).path("result").asText()).isEqualTo("OK");
            s.finishInstall(s.startInstall(1001));
        }
    }

    private static List<String> outcomesWithSeed(long seed) {
        try (SlowSim s = new SlowSim(SlowSim.config().faultSeed(seed))) {
            s.sim.faults().on("eq", "show").errorBody(0.5);
            for (int i = 0; i < 20; i++) {
                s.eq("show", 1001);
            }
            return s.sim.audit("eq", "show").stream().map(AuditEntry::outcome).toList();
        }
    }
}
