package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * A simulator whose clock runs at real speed, so nothing happens unless a test advances
 * simulated time: every step is deterministic and instant.
 */
final class SlowSim implements AutoCloseable {

    final HostkeySimulator sim;
    final InvapiHttp api;
    final String token;

    SlowSim(SimulatorConfig.Builder config) {
        this.sim = HostkeySimulator.start(config.timeScale(1.0).build());
        this.api = new InvapiHttp(sim);
        this.token = api.login();
    }

    static SimulatorConfig.Builder config() {
        return SimulatorConfig.builder().port(0).generatedFleet(8).account("default", InvapiHttp.API_KEY, InvapiHttp.PIN);
    }

    void advance(long simulatedSeconds) {
        sim.clock().advance(Duration.ofSeconds(simulatedSeconds));
    }

    JsonNode eq(String action, long serverId, String... more) {
        String[] fields = new String[6 + more.length];
        fields[0] = "action";
        fields[1] = action;
        fields[2] = "token";
        fields[3] = token;
        fields[4] = "id";
        fields[5] = String.valueOf(serverId);
        System.arraycopy(more, 0, fields, 6, more.length);
        return api.call("eq", fields);
    }

    /** Runs an async eq action to completion by advancing past the action delay; returns the OK answer. */
    JsonNode completes(String action, long serverId, String... more) {
        JsonNode accepted = eq(action, serverId, more);
        assertThat(accepted.path("result").asText()).as("%s accepted: %s", action, accepted).isEqualTo("OK");
        String key = accepted.path("callback").asText();
        assertThat(api.check(key).path("result").asText()).isEqualTo("Not ready");
        advance(5);
        JsonNode done = api.check(key);
        assertThat(done.path("result").asText()).as("%s done: %s", action, done).isEqualTo("OK");
        return done;
    }

    String reinstallKey(long serverId) {
        return eq("reinstall", serverId).path("reinstall_key").asText();
    }

    void createPxe(long serverId, String masterKey) {
        completes("create_pxe", serverId, "pin", InvapiHttp.PIN, "os_id", "101", "root_pass", InvapiHttp.ROOT_PASS,
                "hostname", "new" + serverId + ".example.net", "reinstall_key", masterKey);
    }

    /** reinstall key, create_pxe, boot_dev pxe, reboot: the reboot has just completed; returns the master key. */
    String startInstall(long serverId) {
        String masterKey = reinstallKey(serverId);
        createPxe(serverId, masterKey);
        completes("boot_dev", serverId, "pin", InvapiHttp.PIN, "media", "pxe");
        completes("reboot", serverId, "pin", InvapiHttp.PIN);
        return masterKey;
    }

    /** Advances through all five stages and reads the master key's OK. */
    void finishInstall(String masterKey) {
        advance(720);
        JsonNode done = api.check(masterKey);
        assertThat(done.path("result").asText()).as("install done: %s", done).isEqualTo("OK");
    }

    @Override
    public void close() {
        sim.close();
    }
}
