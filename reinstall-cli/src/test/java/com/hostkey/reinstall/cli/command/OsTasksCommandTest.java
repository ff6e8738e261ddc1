package com.hostkey.reinstall.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.FakeConnectors.FakeHostkey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OsTasksCommandTest {

    private final CliRun cli = new CliRun();
    private final FakeHostkey hostkey = new FakeHostkey();

    @BeforeEach
    void hostkey() {
        hostkey.offers = List.of(
                new OsOffer(101, "Ubuntu 22.04", true, Map.of("bm", "1", "vm", "1")),
                new OsOffer(102, "Windows Server 2022", true, Map.of("bm", "1", "price_per_core_EUR", "1.5")),
                new OsOffer(103, "Proxmox 8", true, Map.of("bm", "1", "min_ram", "64")),
                new OsOffer(104, "VM-only Alpine", true, Map.of("vm", "1")),
                new OsOffer(105, "CentOS 7", false, Map.of("bm", "1")));
        hostkey.tasks = List.of(
                new JenkinsTask("agent", "Monitoring agent", List.of("default")),
                new JenkinsTask("cuda", "CUDA drivers", List.of("gpu")),
                new JenkinsTask("raid-tools", "RAID tools", List.of("bm")));
        cli.connectors.hostkey = hostkey;
    }

    @Test
    void shouldListTheOsesThatPassValidationForTheServer() {
        CliRun.Result result = cli.run("os", "1001");

        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("Server 1001: bm, in NL, 32 GB RAM, disks 480, 480 GB")
                .containsPattern("101\\s+Ubuntu 22.04\\s+yes")
                .containsPattern("102\\s+Windows Server 2022\\s+yes\\s+licensed per core: give --licences \\(at least 12 for its 12 cores, in steps of 2\\)")
                .doesNotContain("Proxmox").doesNotContain("Alpine").doesNotContain("CentOS")
                .contains("2 OSes that fit");
        assertThat(hostkey.closed).isTrue();
    }

    @Test
    void shouldSayWhyTheOthersDoNotFitWithAll() {
        CliRun.Result result = cli.run("os", "1001", "--all", "--json");

        assertThat(result.code()).isZero();
        assertThat(result.json().get("server").get("type").asText()).isEqualTo("bm");
        assertThat(result.json().get("offers")).hasSize(5);
        assertThat(result.json().get("offers").get(2).get("fits").asBoolean()).isFalse();
        assertThat(result.json().get("offers").get(2).get("note").asText()).contains("needs at least 64 GB of RAM");
        assertThat(result.json().get("offers").get(3).get("note").asText()).contains("does not run on bm servers");
        assertThat(result.json().get("offers").get(4).get("note").asText()).isEqualTo("not active");
    }

    @Test
    void shouldListTheTasksMeantForTheServersType() {
        CliRun.Result result = cli.run("tasks", "1001");

        assertThat(result.code()).isZero();
        assertThat(result.out()).containsPattern("agent\\s+Monitoring agent\\s+default\\s+yes")
                .containsPattern("raid-tools\\s+RAID tools\\s+bm\\s+yes").doesNotContain("cuda").contains("2 tasks that fit");

        CliRun.Result all = cli.run("tasks", "1001", "--all", "--json");
        assertThat(all.json().get("tasks").get(1).get("id").asText()).isEqualTo("cuda");
        assertThat(all.json().get("tasks").get(1).get("fits").asBoolean()).isFalse();
        assertThat(all.json().get("tasks").get(1).get("note").asText()).contains("not meant for bm servers");
    }

    @Test
    void shouldSayHowToConfigureHostkey() {
        cli.connectors.hostkey = null;

        CliRun.Result result = cli.run("os", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.CONFIG);
        assertThat(result.err()).contains("HOSTKEY_BASE_URL");
    }
}
