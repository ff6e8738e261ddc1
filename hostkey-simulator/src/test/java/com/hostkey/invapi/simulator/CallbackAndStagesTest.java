package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallbackAndStagesTest {

    @Test
    void shouldDeleteCallbackKeyAfterFirstOk() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String key = s.eq("status", 1001).path("callback").asText();
            assertThat(key).matches("[a-z0-9]{32}");
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("Not ready");
            s.advance(5);
            JsonNode done = s.api.check(key);
            assertThat(done.path("result").asText()).isEqualTo("OK");
            assertThat(done.path("scope").asText()).isEqualTo("on");
            assertThat(done.path("context").path("action").asText()).isEqualTo("status");
            assertThat(done.path("key").asText()).isEqualTo(key);
            JsonNode again = s.api.check(key);
            assertThat(again.path("code").asInt()).isEqualTo(-1);
            assertThat(again.path("message").asText()).isEqualTo("AsyncKey not found");
            assertThat(again.path("key").asText()).isEqualTo(key);
        }
    }

    @Test
    void shouldPutKeyIntoNotFoundMessageWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().keyInNotFoundMessage(true))) {
            assertThat(s.api.check("nosuchkey").path("message").asText()).isEqualTo("AsyncKey not found: nosuchkey");
        }
    }

    @Test
    void shouldApplyEffectOnlyWhenActionCompletes() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.eq("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe");
            s.advance(4);
            assertThat(s.sim.server(1001).bootDevice()).isEqualTo("disk");
            s.advance(1);
            assertThat(s.sim.server(1001).bootDevice()).isEqualTo("pxe");
        }
    }

    @Test
    void shouldHonourPerActionDelay() {
        try (SlowSim s = new SlowSim(SlowSim.config().actionDelay("reboot", java.time.Duration.ofSeconds(30)))) {
            String key = s.eq("reboot", 1001, "pin", InvapiHttp.PIN).path("callback").asText();
            s.advance(29);
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("Not ready");
            s.advance(1);
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("OK");
            assertThat(s.sim.server(1001).boots()).isEqualTo(1);
        }
    }

    @Test
    void shouldReportStagesAtConfiguredOffsetsFromTheReboot() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String key = s.startInstall(1001);
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("Not ready");
            assertThat(s.sim.server(1001).installRunning()).isTrue();
            int[] offsets = {60, 300, 480, 600};
            long at = 0;
            for (int stage = 1; stage <= 4; stage++) {
                s.advance(offsets[stage - 1] - at);
                at = offsets[stage - 1];
                JsonNode answer = s.api.check(key);
                assertThat(answer.path("result").asText()).isEqualTo("Stage");
                assertThat(answer.path("scope").asText()).startsWith("Stage " + stage + ": ");
                assertThat(answer.path("context").path("id").asText()).isEqualTo("1001");
                assertThat(s.sim.server(1001).currentInstallStage()).isEqualTo(stage);
            }
            assertThat(s.api.check(key).path("scope").asText()).isEqualTo("Stage 4: Install is completed, restarting the server");
            s.advance(120);
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("OK");
            assertThat(s.api.check(key).path("message").asText()).isEqualTo("AsyncKey not found");
            ServerSnapshot server = s.sim.server(1001);
            assertThat(server.installsStarted()).as("the stage-4 restart starts no install").isEqualTo(1);
            assertThat(server.boots()).isEqualTo(2);
            assertThat(server.installRunning()).isFalse();
            assertThat(server.pxeConfigConsumed()).isTrue();
        }
    }

    @Test
    void shouldAnswerLatestStageSkippingUnreadOnes() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String key = s.startInstall(1001);
            s.advance(60);
            assertThat(s.api.check(key).path("scope").asText()).startsWith("Stage 1:");
            s.advance(420);
            assertThat(s.api.check(key).path("scope").asText()).startsWith("Stage 3:");
            assertThat(s.api.check(key).path("scope").asText()).startsWith("Stage 3:");
        }
    }

    @Test
    void shouldAnswerOldestUnreadStageWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().stageDelivery(StageDelivery.OLDEST_UNREAD))) {
            String key = s.startInstall(1001);
            s.advance(720);
            List<String> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                JsonNode answer = s.api.check(key);
                results.add(answer.path("result").asText() + " " + answer.path("scope").asText());
            }
            assertThat(results).containsExactly(
                    "Stage Stage 1: OS installation was started",
                    "Stage Stage 2: base OS was installed, proceed with post-install tasks",
                    "Stage Stage 3: Post-install tasks are completed, running final tasks",
                    "Stage Stage 4: Install is completed, restarting the server",
                    "OK Stage 5: The server is online",
                    " ");
        }
    }

    @Test
    void shouldRepeatLastStageWhenNothingNewInOldestUnreadMode() {
        try (SlowSim s = new SlowSim(SlowSim.config().stageDelivery(StageDelivery.OLDEST_UNREAD))) {
            String key = s.startInstall(1001);
            s.advance(300);
            assertThat(s.api.check(key).path("scope").asText()).startsWith("Stage 1:");
            assertThat(s.api.check(key).path("scope").asText()).startsWith("Stage 2:");
            assertThat(s.api.check(key).path("scope").asText()).startsWith("Stage 2:");
        }
    }

    @Test
    void shouldFinishSynchronousActionsWithinTheirAnswerWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().synchronousAction("create_pxe").synchronousAction("boot_dev"))) {
            String masterKey = s.reinstallKey(1001);
            JsonNode created = s.eq("create_pxe", 1001, "pin", InvapiHttp.PIN, "os_id", "101", "root_pass", InvapiHttp.ROOT_PASS,
                    "hostname", "new1001.example.net", "reinstall_key", masterKey);
            assertThat(created.path("result").asText()).isEqualTo("OK");
            assertThat(created.has("callback")).as("no key to poll: %s", created).isFalse();
            assertThat(s.sim.server(1001).pxeConfigPresent()).as("done without time passing").isTrue();
            assertThat(s.eq("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe").has("callback")).isFalse();
            assertThat(s.sim.server(1001).bootDevice()).isEqualTo("pxe");
            // reboot was not made synchronous: still a key to poll.
            assertThat(s.eq("reboot", 1001, "pin", InvapiHttp.PIN).path("callback").asText()).isNotBlank();
        }
    }

    @Test
    void shouldRefuseToMakeAnUnknownActionSynchronous() {
        assertThatThrownBy(() -> SlowSim.config().synchronousAction("show"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("create_pxe");
    }

    @Test
    void shouldAnswerStage5AsStageOnceBeforeOkWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().stage5AsStage(true))) {
            String key = s.startInstall(1001);
            s.advance(720);
            JsonNode first = s.api.check(key);
            assertThat(first.path("result").asText()).isEqualTo("Stage");
            assertThat(first.path("scope").asText()).isEqualTo("Stage 5: The server is online");
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("OK");
            assertThat(s.api.check(key).path("message").asText()).isEqualTo("AsyncKey not found");
        }
    }

    @Test
    void shouldCarryStageNumberInContextWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().stageNumberIn(StageNumberIn.CONTEXT))) {
            String key = s.startInstall(1001);
            s.advance(300);
            JsonNode answer = s.api.check(key);
            assertThat(answer.path("context").path("stage").asInt()).isEqualTo(2);
            assertThat(answer.path("scope").asText()).isEqualTo("base OS was installed, proceed with post-install tasks");
        }
    }

    @Test
    void shouldCarryNoStageNumberInOrderOnlyMode() {
        try (SlowSim s = new SlowSim(SlowSim.config().stageNumberIn(StageNumberIn.ORDER_ONLY))) {
            String key = s.startInstall(1001);
            s.advance(60);
            JsonNode answer = s.api.check(key);
            assertThat(answer.path("result").asText()).isEqualTo("Stage");
            assertThat(answer.path("scope").asText()).doesNotContainPattern("\\d");
            assertThat(answer.path("context").has("stage")).isFalse();
        }
    }

    @Test
    void shouldNameReinstallKeyFieldAsConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().reinstallKeyField("callback"))) {
            JsonNode answer = s.eq("reinstall", 1001);
            assertThat(answer.path("callback").asText()).matches("[a-z0-9]{32}");
            assertThat(answer.has("reinstall_key")).isFalse();
        }
    }

    @Test
    void shouldCountSuddenReinstallWhenRebootingWithPxeLeft() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String key = s.startInstall(1001);
            s.finishInstall(key);
            assertThat(s.sim.invariantReport().clean()).isFalse();

            s.completes("reboot", 1001, "pin", InvapiHttp.PIN);

            ServerSnapshot server = s.sim.server(1001);
            assertThat(server.installsStarted()).isEqualTo(2);
            assertThat(server.suddenReinstalls()).isEqualTo(1);
            assertThat(server.installRunning()).isTrue();
            InvariantReport report = s.sim.invariantReport();
            assertThat(report.suddenReinstalls()).isEqualTo(1);
            assertThat(report.serversWithPxeLeft()).containsExactly(1001L);
            assertThat(report.serversNotBootingFromDisk()).containsExactly(1001L);
            assertThat(report.reinstallCounts()).containsEntry(1001L, 2);
            assertThat(report.clean()).isFalse();
        }
    }

    @Test
    void shouldNotReinstallWhenBootingFromDiskWithPxeLeft() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String key = s.startInstall(1001);
            s.finishInstall(key);
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "disk");
            s.completes("reboot", 1001, "pin", InvapiHttp.PIN);
            assertThat(s.sim.server(1001).suddenReinstalls()).isZero();
            assertThat(s.sim.invariantReport().serversWithPxeLeft()).containsExactly(1001L);
        }
    }

    @Test
    void shouldCountSuddenReinstallForLeftOverPxeConfigFromFleetFile() {
        String fleet = """
                [{"id":2001,"type":"bm","boot_device":"pxe","pxe_config_left":true}]
                """;
        try (SlowSim s = new SlowSim(SlowSim.config().fleet(FleetFile.parse(fleet)))) {
            s.completes("reboot", 2001, "pin", InvapiHttp.PIN);
            assertThat(s.sim.server(2001).suddenReinstalls()).isEqualTo(1);
        }
    }

    @Test
    void shouldRestartInstallWhenRebootedFromPxeMidInstallWithoutCountingItSudden() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String key = s.startInstall(1001);
            s.advance(300);
            s.completes("reboot", 1001, "pin", InvapiHttp.PIN);
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("Not ready");
            ServerSnapshot server = s.sim.server(1001);
            assertThat(server.installsStarted()).isEqualTo(2);
            assertThat(server.suddenReinstalls()).isZero();
            assertThat(server.currentInstallStage()).isZero();
            s.finishInstall(key);
        }
    }
}
