package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogueAndValidationTest {

    @Test
    void shouldGenerateFleetWithDocumentedLayout() {
        List<ServerSpec> fleet = ServerSpec.generatedFleet(12, List.of("default"));
        assertThat(fleet).extracting(ServerSpec::type)
                .containsExactly("bm", "bm", "vm", "gpu", "bm", "bm", "vm", "gpu", "bm", "bm", "vm", "gpu");
        assertThat(fleet).extracting(ServerSpec::location).startsWith("NL", "NL", "US", "DE");
        assertThat(fleet.getFirst().diskSizesGb()).containsExactly(480, 480);
        assertThat(fleet.get(2).diskSizesGb()).containsExactly(60);
        assertThat(fleet.get(2).ramGb()).isEqualTo(8);
        assertThat(fleet.get(3).diskSizesGb()).containsExactly(480, 480);
        // the 5th bare-metal server is id 1009 (bm at 1001, 1002, 1005, 1006, 1009)
        assertThat(fleet.get(8).diskSizesGb()).containsExactly(960, 960, 960, 960);
        assertThat(fleet.get(8).hostname()).isEqualTo("srv1009.example.net");
        assertThat(fleet).extracting(ServerSpec::cores).startsWith(12, 12, 4, 16);
        assertThat(fleet.get(8).cores()).as("the big bare-metal server").isEqualTo(24);
        assertThat(fleet).allSatisfy(s -> {
            assertThat(s.bootDevice()).isEqualTo("disk");
            assertThat(s.powerState()).isEqualTo("on");
            assertThat(s.pxeConfigLeft()).isFalse();
        });
    }

    @Test
    void shouldReadFleetFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fleet.json");
        Files.writeString(file, """
                [{"id":2001,"type":"gpu","location":"US","ram_gb":128,"disks":[{"size_gb":960},{"size_gb":960}],
                  "hostname":"gpu1.example.net","account":"default","power":"on","boot_device":"disk"},
                 {"id":2002,"type":"vm","disks":[100]},
                 {"id":2003,"cpu_cores":20}, {"id":2004,"cores":"6"}]
                """);
        try (SlowSim s = new SlowSim(SlowSim.config().fleetFile(file))) {
            ServerSnapshot gpu = s.sim.server(2001);
            assertThat(gpu.type()).isEqualTo("gpu");
            assertThat(gpu.location()).isEqualTo("US");
            assertThat(gpu.hostname()).isEqualTo("gpu1.example.net");
            assertThat(s.sim.server(2002).hostname()).isEqualTo("srv2002.example.net");
            assertThat(s.sim.servers()).hasSize(4);
            assertThat(s.eq("show", 2002).path("server_data").path("cpu_cores").asInt()).as("a vm's default").isEqualTo(4);
            assertThat(s.eq("show", 2003).path("server_data").path("cpu_cores").asInt()).isEqualTo(20);
            assertThat(s.eq("show", 2004).path("server_data").path("cpu_cores").asInt()).isEqualTo(6);
        }
    }

    @Test
    void shouldRefuseFleetFileWithUnknownAccount() {
        List<ServerSpec> fleet = FleetFile.parse("[{\"id\":1,\"account\":\"nobody\"}]");
        assertThatThrownBy(() -> HostkeySimulator.start(SimulatorConfig.builder().fleet(fleet).build()))
                .hasMessageContaining("unknown account nobody");
    }

    @Test
    void shouldListOnlyOsesThatFitTheServer() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(osIds(s, 1001)).containsExactly(101L, 102L, 103L, 104L, 201L);
            assertThat(osIds(s, 1003)).as("vm with 8 GB, 60 GB").containsExactly(101L, 102L, 103L, 104L, 201L);
            assertThat(osIds(s, 1004)).as("gpu").containsExactly(301L);
            JsonNode windows = s.api.call("os", "action", "list", "token", s.token, "id", "1001").path("os_list").get(4);
            assertThat(windows.path("name").asText()).isEqualTo("Windows Server 2022");
            assertThat(windows.path("active").asInt()).isEqualTo(1);
            assertThat(windows.path("tags").toString())
                    .contains("{\"tag\":\"bm\",\"value\":\"1\"}", "{\"tag\":\"min_ram\",\"value\":\"4\"}",
                            "{\"tag\":\"min_hdd\",\"value\":\"60\"}", "{\"tag\":\"price_per_core_EUR\",\"value\":\"1.5\"}");
        }
    }

    @Test
    void shouldAnswerNoOsFoundWhenNothingFits() {
        String fleet = "[{\"id\":3001,\"type\":\"vm\",\"ram_gb\":1,\"disks\":[5]}]";
        try (SlowSim s = new SlowSim(SlowSim.config().fleet(FleetFile.parse(fleet)))) {
            JsonNode answer = s.api.call("os", "action", "list", "token", s.token, "id", "3001");
            assertThat(answer.path("code").asInt()).isEqualTo(-1);
            assertThat(answer.path("message").asText()).isEqualTo("os/list: no OS found");
        }
    }

    @Test
    void shouldPutTypeFlagsOnOsObjectsWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().osTypeFlagsOnObject(true))) {
            JsonNode ubuntu = s.api.call("os", "action", "list", "token", s.token, "id", "1001").path("os_list").get(0);
            assertThat(ubuntu.path("bm").asInt()).isEqualTo(1);
            assertThat(ubuntu.path("gpu").asInt()).isZero();
        }
    }

    @Test
    void shouldShowServerDataWithIdAsString() {
        try (SlowSim s = new SlowSim(SlowSim.config().generatedFleet(10))) {
            JsonNode show = s.eq("show", 1009);
            JsonNode data = show.path("server_data");
            assertThat(data.path("id").isTextual()).isTrue();
            assertThat(data.path("status").asText()).isEqualTo("rent");
            assertThat(data.path("power").asText()).isEqualTo("on");
            assertThat(data.path("type").asText()).isEqualTo("bm");
            assertThat(data.path("disks").size()).isEqualTo(4);
            assertThat(data.path("cpu_cores").asInt()).isEqualTo(24);
            assertThat(show.path("tags").isArray()).isTrue();
        }
    }

    @Test
    void shouldLeaveFieldsOutOfServerDataWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().showWithout("ram_gb").showWithout("type").showWithout("cpu_cores"))) {
            JsonNode data = s.eq("show", 1001).path("server_data");
            assertThat(data.has("ram_gb")).isFalse();
            assertThat(data.has("type")).isFalse();
            assertThat(data.has("cpu_cores")).isFalse();
            assertThat(data.path("disks").isArray()).isTrue();
            assertThat(data.path("hostname").isTextual()).isTrue();
        }
    }

    @Test
    void shouldNameMissingRequiredFieldOfCreatePxe() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(s.eq("create_pxe", 1001, "pin", InvapiHttp.PIN, "root_pass", InvapiHttp.ROOT_PASS, "hostname", "a.b")
                    .path("message").asText()).isEqualTo("eq/create_pxe: missing required field os_id");
            assertThat(s.eq("create_pxe", 1001, "pin", InvapiHttp.PIN, "os_id", "101", "hostname", "a.b")
                    .path("message").asText()).isEqualTo("eq/create_pxe: missing required field root_pass");
            assertThat(s.eq("create_pxe", 1001, "pin", InvapiHttp.PIN, "os_id", "101", "root_pass", InvapiHttp.ROOT_PASS)
                    .path("message").asText()).isEqualTo("eq/create_pxe: missing required field hostname");
            assertThat(s.eq("clear_pxe", 1001).path("message").asText()).isEqualTo("eq/clear_pxe: missing required field hostname");
            assertThat(s.eq("boot_dev", 1001, "pin", InvapiHttp.PIN).path("message").asText())
                    .isEqualTo("eq/boot_dev: missing required field media");
            assertThat(s.sim.server(1001).pxeConfigPresent()).isFalse();
        }
    }

    @Test
    void shouldRefuseOsNotOfferedForTheServer() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            JsonNode answer = s.eq("create_pxe", 1001, "pin", InvapiHttp.PIN, "os_id", "301",
                    "root_pass", InvapiHttp.ROOT_PASS, "hostname", "a.example.net");
            assertThat(answer.path("message").asText()).isEqualTo("eq/create_pxe: OS 301 is not available for this server");
        }
    }

    @Test
    void shouldRefuseRootPasswordOutsidePolicy() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            for (String bad : List.of("sh1A-x", "Toolong1-toolong1-toolong1-tool", "nouppercase1-", "NOLOWER1-", "NoDigits-", "NoSpecial1", "-Starts1a", "Has@At1a-")) {
                JsonNode answer = s.eq("create_pxe", 1001, "pin", InvapiHttp.PIN, "os_id", "101",
                        "root_pass", bad, "hostname", "a.example.net");
                assertThat(answer.path("message").asText()).as(bad)
                        .isEqualTo("eq/create_pxe: root_pass does not meet the password policy");
            }
        }
        assertThat(PasswordPolicy.accepts("Abcdef1%")).isTrue();
    }

    @Test
    void shouldCheckDiskSchemeAgainstDiskCount() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String[] base = {"pin", InvapiHttp.PIN, "os_id", "101", "root_pass", InvapiHttp.ROOT_PASS, "hostname", "a.example.net"};
            assertThat(s.eq("create_pxe", 1001, concat(base, "disk_scheme", "LVM_RAID10")).path("message").asText())
                    .isEqualTo("eq/create_pxe: disk scheme LVM_RAID10 needs at least 4 disks, the server has 2");
            assertThat(s.eq("create_pxe", 1003, concat(base, "disk_scheme", "LVM_RAID1")).path("message").asText())
                    .isEqualTo("eq/create_pxe: disk scheme LVM_RAID1 needs at least 2 disks, the server has 1");
            assertThat(s.eq("create_pxe", 1001, concat(base, "disk_scheme", "ZFS")).path("message").asText())
                    .isEqualTo("eq/create_pxe: unknown disk scheme ZFS");
            assertThat(s.eq("create_pxe", 1001, concat(base, "disk_scheme", "LVM_RAID1")).path("result").asText())
                    .isEqualTo("OK");
        }
    }

    @Test
    void shouldReadDiskSchemeFromConfiguredField() {
        try (SlowSim s = new SlowSim(SlowSim.config().diskSchemeField("partitioning"))) {
            assertThat(s.eq("create_pxe", 1001, "pin", InvapiHttp.PIN, "os_id", "101", "root_pass", InvapiHttp.ROOT_PASS,
                    "hostname", "a.example.net", "partitioning", "LVM_RAID10").path("message").asText())
                    .contains("needs at least 4 disks");
        }
    }

    @Test
    void shouldRequireEightOrMoreLicencesInStepsOfTwoForAnOsLicensedPerCore() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String[] windows = {"pin", InvapiHttp.PIN, "os_id", "201", "root_pass", InvapiHttp.ROOT_PASS, "hostname", "win.example.net"};
            assertThat(s.eq("create_pxe", 1001, windows).path("message").asText())
                    .isEqualTo("eq/create_pxe: missing required field licenses: Windows Server 2022 is licensed per core"
                            + " (price_per_core_EUR 1.5): licenses must be at least 8, in steps of 2");
            assertThat(s.eq("create_pxe", 1001, concat(windows, "licenses", "6")).path("message").asText())
                    .startsWith("eq/create_pxe: invalid parameter licenses: 6 licences;").contains("at least 8, in steps of 2");
            assertThat(s.eq("create_pxe", 1001, concat(windows, "licenses", "9")).path("message").asText())
                    .startsWith("eq/create_pxe: invalid parameter licenses: 9 licences;");
            assertThat(s.eq("create_pxe", 1001, concat(windows, "licenses", "eight")).path("message").asText())
                    .startsWith("eq/create_pxe: invalid parameter licenses: eight is not a whole number;");
            assertThat(s.sim.server(1001).pxeConfigPresent()).as("nothing refused left a PXE config").isFalse();

            s.completes("create_pxe", 1001, concat(windows, "licenses", "12"));
            assertThat(s.sim.server(1001).pxeConfigPresent()).isTrue();
            assertThat(s.sim.audit("eq", "create_pxe").getLast().params()).as("the audit shows the licences")
                    .containsEntry("licenses", "12");
        }
    }

    @Test
    void shouldReadLicencesFromTheConfiguredFieldAndIgnoreThemForAnOsNotLicensed() {
        try (SlowSim s = new SlowSim(SlowSim.config().licencesField("spla_licences"))) {
            String[] windows = {"pin", InvapiHttp.PIN, "os_id", "201", "root_pass", InvapiHttp.ROOT_PASS, "hostname", "win.example.net"};
            assertThat(s.eq("create_pxe", 1001, concat(windows, "licenses", "8")).path("message").asText())
                    .as("the default name is not read any more").startsWith("eq/create_pxe: missing required field spla_licences");
            assertThat(s.eq("create_pxe", 1001, concat(windows, "spla_licences", "8")).path("result").asText()).isEqualTo("OK");
            assertThat(s.eq("create_pxe", 1002, "pin", InvapiHttp.PIN, "os_id", "101", "root_pass", InvapiHttp.ROOT_PASS,
                    "hostname", "u.example.net").path("result").asText()).as("Ubuntu needs none").isEqualTo("OK");
        }
    }

    @Test
    void shouldRefuseAJenkinsLaunchNamedLikeAnotherCall() {
        assertThatThrownBy(() -> SlowSim.config().jenkinsRunAction("eq/reboot").build())
                .hasMessageContaining("the Jenkins launch cannot be eq/reboot");
        assertThatThrownBy(() -> SlowSim.config().jenkinsServerField("job").jenkinsTaskField("job").build())
                .hasMessageContaining("both job");
    }

    @Test
    void shouldRefuseReinstallKeyOfAnotherServer() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String key = s.reinstallKey(1002);
            assertThat(s.eq("create_pxe", 1001, "pin", InvapiHttp.PIN, "os_id", "101", "root_pass", InvapiHttp.ROOT_PASS,
                    "hostname", "a.example.net", "reinstall_key", key).path("message").asText())
                    .isEqualTo("eq/create_pxe: reinstall_key not found");
        }
    }

    @Test
    void shouldRefuseClearPxeWithForeignHostname() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(s.eq("clear_pxe", 1001, "hostname", "srv1002.example.net").path("message").asText())
                    .isEqualTo("eq/clear_pxe: hostname does not match server 1001");
        }
    }

    @Test
    void shouldRefuseInvalidBootMedia() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(s.eq("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "usb").path("message").asText())
                    .isEqualTo("eq/boot_dev: invalid media usb, expected pxe, disk or cd");
        }
    }

    @Test
    void shouldAnswerUnknownActionAndModule() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(s.eq("explode", 1001).path("message").asText()).isEqualTo("eq/explode: unknown action");
            assertThat(s.api.call("nosuch", "action", "x").path("message").asText()).isEqualTo("nosuch/x: unknown action");
        }
    }

    @Test
    void shouldListJenkinsTasksWithoutToken() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            JsonNode tasks = s.api.call("jenkins", "action", "get_tasks");
            assertThat(tasks.path("result").asText()).isEqualTo("OK");
            assertThat(tasks.path("tasks")).extracting(t -> t.path("id").asText()).containsExactly("gpu-drivers", "monitoring-agent");
            assertThat(tasks.path("tasks").get(0).path("tags")).extracting(JsonNode::asText).containsExactly("gpu", "vgpu");
        }
    }

    @Test
    void shouldRunJenkinsTaskOnlyWhereItApplies() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(s.api.call("jenkins", "action", "run_task", "token", s.token, "id", "1001", "task_id", "gpu-drivers")
                    .path("message").asText()).isEqualTo("jenkins/run_task: task gpu-drivers does not apply to a bm server");
            String key = s.api.call("jenkins", "action", "run_task", "token", s.token, "id", "1004", "task_id", "gpu-drivers")
                    .path("callback").asText();
            s.advance(5);
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("OK");
            assertThat(s.sim.server(1004).jenkinsTasksRun()).containsExactly("gpu-drivers");
        }
    }

    @Test
    void shouldLaunchJenkinsTasksUnderTheConfiguredModuleActionAndFieldNames() {
        try (SlowSim s = new SlowSim(SlowSim.config().jenkinsRunAction("eq/start_playbook")
                .jenkinsServerField("server_id").jenkinsTaskField("playbook"))) {
            assertThat(s.api.call("jenkins", "action", "run_task", "token", s.token, "id", "1004", "task_id", "gpu-drivers")
                    .path("message").asText()).as("the assumed name is unknown here").isEqualTo("jenkins/run_task: unknown action");
            assertThat(s.api.call("eq", "action", "start_playbook", "token", s.token, "id", "1004", "playbook", "gpu-drivers")
                    .path("message").asText()).isEqualTo("eq/start_playbook: missing required field server_id");
            String key = s.api.call("eq", "action", "start_playbook", "token", s.token, "server_id", "1004",
                    "playbook", "gpu-drivers").path("callback").asText();
            s.advance(5);
            assertThat(s.api.check(key).path("result").asText()).isEqualTo("OK");
            assertThat(s.sim.server(1004).jenkinsTasksRun()).containsExactly("gpu-drivers");
            assertThat(s.sim.audit("eq", "start_playbook").getLast().serverId()).as("the audit names the server").isEqualTo(1004L);
        }
    }

    @Test
    void shouldAcceptGetWithQueryString() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            JsonNode answer = InvapiHttp.parse(s.api.get("/eq.php?action=show&token=" + s.token + "&id=1001").body());
            assertThat(answer.path("result").asText()).isEqualTo("OK");
            assertThat(s.api.get("/nothing-here").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void shouldPowerOffAndOnServer() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.completes("off", 1001, "pin", InvapiHttp.PIN);
            assertThat(s.sim.server(1001).powerState()).isEqualTo("off");
            assertThat(s.eq("show", 1001).path("server_data").path("status").asText()).isEqualTo("power_off");
            s.completes("on", 1001, "pin", InvapiHttp.PIN);
            assertThat(s.sim.server(1001).powerState()).isEqualTo("on");
        }
    }

    private static List<Long> osIds(SlowSim s, long serverId) {
        List<Long> ids = new ArrayList<>();
        s.api.call("os", "action", "list", "token", s.token, "id", String.valueOf(serverId))
                .path("os_list").forEach(os -> ids.add(os.path("id").asLong()));
        return ids;
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
