package com.hostkey.reinstall.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hostkey.invapi.simulator.AuditEntry;
import com.hostkey.invapi.simulator.ErrorWording;
import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.ExitCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code reinstall doctor} against a simulator in this JVM, in its default shape and in variants of the assumed wire. */
class DoctorCommandTest {

    private static final String API_KEY = "doctor-api-key-01";
    private static final String PIN = "8642";
    private static final Set<String> READS = Set.of("auth/login", "auth/logout", "eq/show", "os/list", "jenkins/get_tasks");
    private static final Set<String> MUTATING = Set.of("eq/create_pxe", "eq/boot_dev", "eq/reboot", "eq/clear_pxe", "eq/reinstall",
            "jenkins/run_task", "eq/on", "eq/off");

    private final CliRun cli = new CliRun();
    private final List<HostkeySimulator> simulators = new ArrayList<>();

    @AfterEach
    void shouldHaveMadeNoCallButReads() {
        for (HostkeySimulator sim : simulators) {
            try (sim) {
                List<String> calls = sim.audit().stream().map(AuditEntry::call).toList();
                assertThat(calls).as("doctor is read-only").doesNotContainAnyElementsOf(MUTATING).isSubsetOf(READS);
                if (sim.audit("auth", "login").stream().anyMatch(a -> a.outcome().equals("OK"))) {
                    assertThat(calls).as("the session is closed").contains("auth/logout");
                }
                assertThat(sim.audit()).as("no PIN sent").allMatch(a -> !a.params().containsKey("pin"));
            }
        }
    }

    private HostkeySimulator simulator(UnaryOperator<SimulatorConfig.Builder> variant) {
        HostkeySimulator sim = HostkeySimulator.start(variant.apply(SimulatorConfig.builder().port(0).generatedFleet(4)
                .account("default", API_KEY, PIN)).build());
        simulators.add(sim);
        cli.connectors.liveHostkey = true;
        cli.env.put("HOSTKEY_BASE_URL", sim.baseUrl());
        cli.env.put("HOSTKEY_API_KEY", API_KEY);
        cli.env.put("HOSTKEY_PIN", PIN);
        return sim;
    }

    @Test
    void shouldGiveACleanVerdictOnTheDefaultSimulator() {
        simulator(UnaryOperator.identity());

        CliRun.Result text = cli.run("doctor", "--server", "1001");
        CliRun.Result json = cli.run("doctor", "--server", "1001", "--json");

        assertThat(text.code()).as(text.out() + text.err()).isZero();
        assertThat(text.out()).contains("Verdict: OK: every fact checked holds for account default and server 1001")
                .containsPattern("OK\\s+token lifetime\\s+Hostkey grants the 3600 s asked")
                .containsPattern("OK\\s+not-found wording\\s+Hostkey's \"eq/show: server not found\" is recognised")
                .contains("Not checked").contains("HOSTKEY_PIN").doesNotContain("PROBLEM").doesNotContain("NOTE");
        assertThat(json.code()).isZero();
        assertThat(json.json().get("verdict").asText()).isEqualTo("OK");
        assertThat(json.json().get("exitCode").asInt()).isZero();
        assertThat(statuses(json.json())).containsOnly("OK");
        assertThat(checks(json.json())).containsExactly("login", "login servers", "token lifetime", "eq/show type", "eq/show RAM",
                "eq/show disks", "eq/show cores", "os/list tags", "jenkins/get_tasks", "not-found wording");
    }

    @Test
    void shouldReportAFlatLoginAsADifferenceTheClientCopesWith() {
        simulator(sim -> sim.flatLogin(true));

        CliRun.Result result = cli.run("doctor", "--server", "1001", "--json");

        assertThat(result.code()).as("a note is no problem").isZero();
        JsonNode login = check(result.json(), "login");
        assertThat(login.get("status").asText()).isEqualTo("NOTE");
        assertThat(login.get("detail").asText()).contains("flat");
        assertThat(result.json().get("verdict").asText()).isEqualTo("OK");
    }

    @Test
    void shouldReportAFactTheValidatorNeedsMissingFromEqShow() {
        simulator(sim -> sim.showWithout("ram_gb"));

        CliRun.Result result = cli.run("doctor", "--server", "1001", "--json");
        CliRun.Result text = cli.run("doctor", "--server", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.UNMET_ASSUMPTION);
        JsonNode ram = check(result.json(), "eq/show RAM");
        assertThat(ram.get("status").asText()).isEqualTo("PROBLEM");
        assertThat(ram.get("detail").asText()).contains("ram_gb, ram, memory_gb").contains("min_ram check will be skipped");
        assertThat(ram.get("fix").asText()).contains("eq/show's server data carried: id, status, power, hostname, location, type, disks, cpu_cores");
        assertThat(check(result.json(), "eq/show disks").get("status").asText()).isEqualTo("OK");
        assertThat(result.json().get("verdict").asText()).isEqualTo("PROBLEMS");
        assertThat(text.code()).isEqualTo(ExitCode.UNMET_ASSUMPTION);
        assertThat(text.out()).containsPattern("PROBLEM\\s+eq/show RAM").contains("Verdict: 1 PROBLEM:");
    }

    @Test
    void shouldReportACoreCountMissingFromEqShowAsASkippedLicenceCheck() {
        simulator(sim -> sim.showWithout("cpu_cores"));

        CliRun.Result result = cli.run("doctor", "--server", "1001", "--json");

        assertThat(result.code()).isEqualTo(ExitCode.UNMET_ASSUMPTION);
        JsonNode cores = check(result.json(), "eq/show cores");
        assertThat(cores.get("status").asText()).isEqualTo("PROBLEM");
        assertThat(cores.get("detail").asText()).contains("cpu_cores, cores, core_count").contains("licences-cover-cores");
        assertThat(StreamSupport.stream(result.json().get("notChecked").spliterator(), false).map(u -> u.get("setting").asText()))
                .contains("HOSTKEY_LICENCES_FIELD", "HOSTKEY_JENKINS_RUN_ACTION");
    }

    @Test
    void shouldNameTheSettingForANotFoundWordingTheClientDoesNotKnow() {
        simulator(sim -> sim.errorWording(ErrorWording.ALTERNATIVE));

        CliRun.Result untold = cli.run("doctor", "--server", "1001", "--json");

        assertThat(untold.code()).isEqualTo(ExitCode.UNMET_ASSUMPTION);
        JsonNode wording = check(untold.json(), "not-found wording");
        assertThat(wording.get("status").asText()).isEqualTo("PROBLEM");
        assertThat(wording.get("detail").asText()).contains("no access to equipment 2147483647").contains("UNCLASSIFIED");
        assertThat(wording.get("setting").asText()).isEqualTo("HOSTKEY_REFUSAL_SERVER_NOT_FOUND_PATTERN");

        cli.env.put("HOSTKEY_REFUSAL_SERVER_NOT_FOUND_PATTERN", "no access to equipment");
        CliRun.Result told = cli.run("doctor", "--server", "1001", "--json");

        assertThat(told.code()).isZero();
        assertThat(check(told.json(), "not-found wording").get("status").asText()).isEqualTo("OK");
    }

    @Test
    void shouldFailWithThePermissionCodeWhenHostkeyRefusesTheLogin() {
        simulator(UnaryOperator.identity());
        cli.env.put("HOSTKEY_API_KEY", "not-the-key");

        CliRun.Result result = cli.run("doctor", "--server", "1001", "--json");

        assertThat(result.code()).isEqualTo(ExitCode.PERMISSION);
        assertThat(result.json().get("verdict").asText()).isEqualTo("FAILED");
        assertThat(check(result.json(), "login").get("status").asText()).isEqualTo("FAILED");
        assertThat(statuses(result.json()).subList(1, statuses(result.json()).size())).containsOnly("SKIPPED");
    }

    @Test
    void shouldSayTheServerIsNotTheAccountsAndExitNotFound() {
        simulator(UnaryOperator.identity());

        CliRun.Result result = cli.run("doctor", "--server", "424242");

        assertThat(result.code()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(result.out()).containsPattern("PROBLEM\\s+login servers\\s+login lists 4 servers for account default, not server 424242")
                .containsPattern("FAILED\\s+eq/show").contains("Verdict: FAILED");
    }

    @Test
    void shouldDescribeTheJsonFormInItsHelp() {
        CliRun.Result help = cli.run("doctor", "--help");

        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--server").contains("--account").contains("Read-only")
                .contains("--json prints one object").contains("\"verdict\"").contains("7 a PROBLEM");
    }

    private static List<String> statuses(JsonNode report) {
        return StreamSupport.stream(report.get("checks").spliterator(), false).map(c -> c.get("status").asText()).toList();
    }

    private static List<String> checks(JsonNode report) {
        return StreamSupport.stream(report.get("checks").spliterator(), false).map(c -> c.get("check").asText()).toList();
    }

    private static JsonNode check(JsonNode report, String name) {
        return StreamSupport.stream(report.get("checks").spliterator(), false).filter(c -> c.get("check").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no check " + name + " in " + report));
    }
}
