package com.hostkey.invapi.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.invapi.simulator.AuditEntry;
import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.invapi.simulator.InvariantReport;
import com.hostkey.invapi.simulator.ServerSnapshot;
import com.hostkey.invapi.simulator.ServerSpec;
import com.hostkey.invapi.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The contract scenarios against the simulator over real HTTP. Its clock runs at real speed, so
 * nothing happens between calls unless a hook advances simulated time: every step is
 * deterministic.
 */
class SimulatorContractTest extends InvapiContract {

    /** How far one step of {@link #whenInstallReaches} moves simulated time; well below the gaps between stages. */
    private static final Duration INSTALL_STEP = Duration.ofSeconds(10);

    private final SimulatorConfig.Builder config = SimulatorConfig.builder()
            .port(0)
            .timeScale(1.0)
            .account("default", API_KEY, PIN)
            .fleet(fleet());
    private HostkeySimulator sim;

    private static List<ServerSpec> fleet() {
        List<ServerSpec> fleet = new ArrayList<>(ServerSpec.generatedFleet(4, List.of("default")));
        // 4 GB RAM and one 40 GB disk: below every OS of the default catalogue that runs on vgpu.
        fleet.add(new ServerSpec(SERVER_WITHOUT_OS, "vgpu", "NL", 4, List.of(40), "small1099.example.net", "default",
                "on", "disk", false));
        return fleet;
    }

    private HostkeySimulator sim() {
        if (sim == null) {
            sim = HostkeySimulator.start(config.build());
        }
        return sim;
    }

    private void beforeStart() {
        assertThat(sim).as("simulator settings must be given before the first call").isNull();
    }

    @Override
    String baseUrl() {
        return sim().baseUrl();
    }

    @Override
    void stopBackend() {
        if (sim != null) {
            sim.close();
        }
    }

    @Override
    void givenFlatLogin() {
        beforeStart();
        config.flatLogin(true);
    }

    @Override
    void givenKeyInsideNotFoundMessage() {
        beforeStart();
        config.keyInNotFoundMessage(true);
    }

    @Override
    void givenScopeAsObjectAndNumericContextId() {
        beforeStart();
        config.scopeAsObject(true).contextIdAsNumber(true);
    }

    @Override
    String givenRefusedApiKey() {
        return "no-such-api-key-0000";
    }

    @Override
    void givenShowRefusesTokens(int times) {
        sim().faults().on("eq", "show").errorBody(1.0, "Invalid hash").times(times);
    }

    @Override
    void whenHostkeyExpiresTheSessions() {
        // The client asks for ttl=3600; one second more in Hostkey's time and every token is stale.
        sim().clock().advance(Duration.ofSeconds(3601));
    }

    @Override
    void whenActionsComplete() {
        sim().clock().advance(SimulatorConfig.DEFAULT_ACTION_DELAY);
    }

    @Override
    void whenInstallReaches(int stage) {
        for (int step = 0; sim().server(SERVER).currentInstallStage() < stage; step++) {
            assertThat(step).as("install on %d reaching stage %d", SERVER, stage).isLessThan(200);
            sim().clock().advance(INSTALL_STEP);
        }
    }

    @Override
    List<Map<String, String>> receivedForms(String call) {
        String[] moduleAction = call.split("/", 2);
        return sim().audit(moduleAction[0], moduleAction[1]).stream().map(AuditEntry::params).toList();
    }

    @Override
    void thenServerIsAtRest() {
        InvariantReport report = sim().invariantReport();
        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(report.reinstallCounts()).containsExactly(Map.entry(SERVER, 1));
        ServerSnapshot server = sim().server(SERVER);
        assertThat(server.hostname()).isEqualTo(NEW_HOSTNAME);
        assertThat(server.bootDevice()).isEqualTo("disk");
        assertThat(server.pxeConfigPresent()).isFalse();
        assertThat(server.suddenReinstalls()).isZero();
    }
}
