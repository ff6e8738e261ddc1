package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReinstallHappyPathTest {

    private HostkeySimulator sim;
    private InvapiHttp api;

    @BeforeEach
    void start() {
        sim = HostkeySimulator.start(SimulatorConfig.builder()
                .port(0)
                .timeScale(1000.0)
                .generatedFleet(20)
                .account("default", "sim-api-key", "1234")
                .build());
        api = new InvapiHttp(sim);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void shouldReinstallServerEndToEndAndLeaveItClean() {
        long before = sim.clock().now().getEpochSecond();
        JsonNode login = api.call("auth", "action", "login", "key", "sim-api-key", "ttl", "3600");
        long after = sim.clock().now().getEpochSecond();
        String token = login.path("result").path("token").asText();
        assertThat(token).matches("[0-9a-f]{32}");
        assertThat(login.path("result").path("servers").size()).isEqualTo(20);
        assertThat(login.path("result").path("invapi").asText()).isEqualTo("sim");
        assertThat(login.path("result").path("token_expire").asLong()).isBetween(before + 3600, after + 3600);

        JsonNode osList = api.call("os", "action", "list", "token", token, "id", "1001");
        assertThat(osList.path("result").asText()).isEqualTo("OK");
        List<Long> osIds = new ArrayList<>();
        osList.path("os_list").forEach(os -> osIds.add(os.path("id").asLong()));
        assertThat(osIds).contains(101L, 201L).doesNotContain(301L);

        JsonNode show = api.call("eq", "action", "show", "token", token, "id", "1001");
        assertThat(show.path("server_data").path("id").isTextual()).isTrue();
        assertThat(show.path("server_data").path("id").asText()).isEqualTo("1001");

        String masterKey = api.call("eq", "action", "reinstall", "token", token, "id", "1001")
                .path("reinstall_key").asText();
        assertThat(masterKey).matches("[a-z0-9]{32}");
        assertThat(api.check(masterKey).path("result").asText()).isEqualTo("Not ready");

        api.asyncOk("eq", "action", "create_pxe", "token", token, "id", "1001", "pin", "1234", "os_id", "101",
                "root_pass", InvapiHttp.ROOT_PASS, "hostname", "web1001.example.net", "ssh_key", "ssh-ed25519 AAAA test",
                "post_install_script", "echo s3cret-script", "reinstall_key", masterKey, "disk_scheme", "LVM_RAID1");
        assertThat(sim.server(1001).pxeConfigPresent()).isTrue();

        api.asyncOk("eq", "action", "boot_dev", "token", token, "id", "1001", "pin", "1234", "media", "pxe");
        assertThat(sim.server(1001).bootDevice()).isEqualTo("pxe");

        JsonNode rebooted = api.asyncOk("eq", "action", "reboot", "token", token, "id", "1001", "pin", "1234");
        assertThat(rebooted.path("context").path("action").asText()).isEqualTo("reboot");
        assertThat(rebooted.path("context").path("id").asText()).isEqualTo("1001");
        assertThat(rebooted.path("context").path("location").asText()).isEqualTo("NL");

        List<Integer> stages = new ArrayList<>();
        JsonNode[] last = new JsonNode[1];
        InvapiHttp.await("install to finish", () -> {
            last[0] = api.check(masterKey);
            String result = last[0].path("result").asText();
            if (result.equals("Stage")) {
                String scope = last[0].path("scope").asText();
                int stage = Integer.parseInt(scope.substring("Stage ".length(), scope.indexOf(':')));
                if (stages.isEmpty() || stages.getLast() != stage) {
                    stages.add(stage);
                }
                assertThat(last[0].path("context").path("action").asText()).isEqualTo("reinstall");
                assertThat(last[0].path("key").asText()).isEqualTo(masterKey);
            }
            return result.equals("OK");
        });
        assertThat(stages).containsExactly(1, 2, 3, 4);
        assertThat(last[0].path("scope").asText()).isEqualTo("Stage 5: The server is online");
        assertThat(last[0].path("debug").isNull()).isTrue();
        JsonNode gone = api.check(masterKey);
        assertThat(gone.path("code").asInt()).isEqualTo(-1);
        assertThat(gone.path("message").asText()).isEqualTo("AsyncKey not found");
        assertThat(sim.server(1001).currentInstallStage()).isEqualTo(5);
        assertThat(sim.server(1001).hostname()).isEqualTo("web1001.example.net");

        api.asyncOk("eq", "action", "boot_dev", "token", token, "id", "1001", "pin", "1234", "media", "disk");
        api.asyncOk("eq", "action", "clear_pxe", "token", token, "id", "1001", "hostname", "web1001.example.net");

        ServerSnapshot server = sim.server(1001);
        assertThat(server.bootDevice()).isEqualTo("disk");
        assertThat(server.pxeConfigPresent()).isFalse();
        assertThat(server.installsStarted()).isEqualTo(1);
        assertThat(server.suddenReinstalls()).isZero();
        InvariantReport report = sim.invariantReport();
        assertThat(report.clean()).isTrue();
        assertThat(report.reinstallCounts()).containsExactly(entry(1001L, 1));

        assertThat(sim.audit("eq", "reboot")).singleElement()
                .satisfies(e -> assertThat(e.outcome()).isEqualTo("OK"))
                .satisfies(e -> assertThat(e.serverId()).isEqualTo(1001L));
        String audit = sim.audit().toString();
        assertThat(audit).doesNotContain("sim-api-key", token, InvapiHttp.ROOT_PASS, "s3cret-script", "pin=1234");
        AuditEntry createPxe = sim.audit("eq", "create_pxe").getFirst();
        assertThat(createPxe.params()).containsEntry("root_pass", "***").containsEntry("pin", "***")
                .containsEntry("token", "***").containsEntry("post_install_script", "***")
                .containsEntry("hostname", "web1001.example.net");
    }
}
