package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminAndMainTest {

    @Test
    void shouldServeHealthServersAuditAndReport() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe");

            assertThat(InvapiHttp.parse(s.api.get("/_sim/health").body()).path("status").asText()).isEqualTo("UP");

            JsonNode server = InvapiHttp.parse(s.api.get("/_sim/servers/1001").body());
            assertThat(server.path("id").asLong()).isEqualTo(1001);
            assertThat(server.path("bootDevice").asText()).isEqualTo("pxe");
            assertThat(server.path("hostname").asText()).isEqualTo("srv1001.example.net");
            assertThat(s.api.get("/_sim/servers/4242").statusCode()).isEqualTo(404);
            assertThat(InvapiHttp.parse(s.api.get("/_sim/servers").body()).size()).isEqualTo(8);

            JsonNode audit = InvapiHttp.parse(s.api.get("/_sim/audit").body());
            assertThat(audit).extracting(e -> e.path("module").asText() + "/" + e.path("action").asText())
                    .containsExactly("auth/login", "eq/boot_dev", "eq_callback/check", "eq_callback/check");
            assertThat(audit.get(1).path("serverId").asLong()).isEqualTo(1001);
            assertThat(audit.get(1).path("params").path("pin").asText()).isEqualTo("***");
            assertThat(audit.get(1).path("at").asText()).endsWith("Z");

            JsonNode report = InvapiHttp.parse(s.api.get("/_sim/report").body());
            assertThat(report.path("clean").asBoolean()).isFalse();
            assertThat(report.path("serversNotBootingFromDisk")).extracting(JsonNode::asLong).containsExactly(1001L);
            assertThat(report.path("suddenReinstalls").asInt()).isZero();
            assertThat(s.api.get("/_sim/nothing").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void shouldParseCommandLine() {
        SimulatorConfig config = SimulatorMain.parse(new String[] {
                "--port", "0", "--time-scale", "60", "--fleet", "50", "--account", "a:key-a:1111",
                "--account=b:key-b", "--flat-login", "--stage-number-in", "context", "--stage-delivery", "oldest_unread",
                "--stage-offsets", "10,20,30,40,50", "--action-delay", "0.5", "--bind", "0.0.0.0"});
        assertThat(config.port()).isZero();
        assertThat(config.timeScale()).isEqualTo(60.0);
        assertThat(config.generatedFleet()).isEqualTo(50);
        assertThat(config.accounts()).extracting(Account::name).containsExactly("a", "b");
        assertThat(config.accounts().get(0).pin()).isEqualTo("1111");
        assertThat(config.accounts().get(1).hasPin()).isFalse();
        assertThat(config.flatLogin()).isTrue();
        assertThat(config.stageNumberIn()).isEqualTo(StageNumberIn.CONTEXT);
        assertThat(config.stageDelivery()).isEqualTo(StageDelivery.OLDEST_UNREAD);
        assertThat(config.stageOffsets()).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20),
                Duration.ofSeconds(30), Duration.ofSeconds(40), Duration.ofSeconds(50));
        assertThat(config.actionDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(config.toString()).doesNotContain("key-a", "1111");
        assertThat(config.errorWording()).isEqualTo(ErrorWording.STANDARD);
        assertThat(config.showWithout()).isEmpty();
    }

    @Test
    void shouldParseTheWireWordingsFromTheCommandLine() {
        SimulatorConfig config = SimulatorMain.parse(new String[] {"--error-wording", "alternative", "--show-without=ram_gb, disks"});
        assertThat(config.errorWording()).isEqualTo(ErrorWording.ALTERNATIVE);
        assertThat(config.showWithout()).containsExactlyInAnyOrder("ram_gb", "disks");
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--show-without", "cpu"})).hasMessageContaining("one of");
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--error-wording", "poetic"})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAnswerEqShowUnderOtherNamesWhenTold() {
        SimulatorConfig config = SimulatorMain.parse(new String[] {"--show-renamed", "ram_gb=memory,size_gb=capacity,cpu_cores=cpus"});
        assertThat(config.showRenamed()).containsEntry("ram_gb", "memory").containsEntry("size_gb", "capacity");
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--show-renamed", "cpu=cores"})).hasMessageContaining("one of");
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--show-renamed", "ram_gb"})).hasMessageContaining("FIELD=NAME");
        try (SlowSim s = new SlowSim(SlowSim.config().showRenamed("ram_gb", "memory").showRenamed("size_gb", "capacity"))) {
            JsonNode data = s.eq("show", 1001).path("server_data");
            assertThat(data.has("ram_gb")).isFalse();
            assertThat(data.path("memory").asInt()).isEqualTo(64);
            assertThat(data.path("disks").get(0).path("capacity").asInt()).isEqualTo(480);
        }
    }

    @Test
    void shouldParseTheAssumedNamesOfLicencesAndTheJenkinsLaunch() {
        SimulatorConfig defaults = SimulatorMain.parse(new String[0]);
        assertThat(defaults.licencesField()).isEqualTo("licenses");
        assertThat(defaults.jenkinsRunCall()).isEqualTo("jenkins/run_task");
        assertThat(defaults.jenkinsServerField()).isEqualTo("id");
        assertThat(defaults.jenkinsTaskField()).isEqualTo("task_id");

        SimulatorConfig config = SimulatorMain.parse(new String[] {"--licences-field", "spla", "--jenkins-run-action=launch",
                "--jenkins-server-field", "server", "--jenkins-task-field", "job", "--show-without", "cpu_cores"});
        assertThat(config.licencesField()).isEqualTo("spla");
        assertThat(config.jenkinsRunCall()).as("an action alone stays in jenkins.php").isEqualTo("jenkins/launch");
        assertThat(config.jenkinsServerField()).isEqualTo("server");
        assertThat(config.jenkinsTaskField()).isEqualTo("job");
        assertThat(config.showWithout()).containsExactly("cpu_cores");
        assertThat(SimulatorMain.parse(new String[] {"--jenkins-run-action", "eq/run_jenkins"}).jenkinsRunCall())
                .isEqualTo("eq/run_jenkins");
    }

    @Test
    void shouldDefaultCommandLineToPort8090AndDefaultAccount() {
        SimulatorConfig config = SimulatorMain.parse(new String[0]);
        assertThat(config.port()).isEqualTo(8090);
        assertThat(config.accounts()).containsExactly(new Account("default", "sim-api-key", "1234"));
        assertThat(SimulatorMain.parse(new String[] {"--fleet-file", "servers.json"}).fleetFile()).isEqualTo(Path.of("servers.json"));
    }

    @Test
    void shouldRefuseBadCommandLine() {
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--port"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--fleet", "many"})).hasMessageContaining("needs a number");
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--frobnicate", "1"})).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--account", "nokey"})).hasMessageContaining("NAME:APIKEY");
    }

    @Test
    void shouldServeEveryConfiguredAccountRoundRobin() {
        SimulatorConfig config = SimulatorMain.parse(new String[] {"--port", "0", "--fleet", "4",
                "--account", "a:key-a", "--account", "b:key-b"});
        try (HostkeySimulator sim = HostkeySimulator.start(config)) {
            assertThat(sim.servers()).extracting(ServerSnapshot::account).containsExactly("a", "b", "a", "b");
            InvapiHttp api = new InvapiHttp(sim);
            assertThat(api.call("auth", "action", "login", "key", "key-b").path("result").path("servers"))
                    .extracting(JsonNode::asLong).isEqualTo(List.of(1002L, 1004L));
        }
    }
}
