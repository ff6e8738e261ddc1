package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class AuthAndPinTest {

    @Test
    void shouldAnswerInvalidHashForUnknownOrMissingToken() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            JsonNode answer = s.api.call("eq", "action", "show", "token", "0123456789abcdef0123456789abcdef", "id", "1001");
            assertThat(answer.path("code").asInt()).isEqualTo(-1);
            assertThat(answer.path("message").asText()).isEqualTo("eq/show: Invalid hash");
            assertThat(s.api.call("eq", "action", "reboot", "id", "1001", "pin", "1234").path("message").asText())
                    .isEqualTo("eq/reboot: Invalid hash");
            assertThat(s.sim.audit("eq", "show").getFirst().outcome()).isEqualTo("ERROR: eq/show: Invalid hash");
        }
    }

    @Test
    void shouldExpireTokenAfterRequestedTtlInSimulatedTime() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String token = s.api.call("auth", "action", "login", "key", InvapiHttp.API_KEY, "ttl", "60")
                    .path("result").path("token").asText();
            assertThat(s.api.call("eq", "action", "show", "token", token, "id", "1001").path("result").asText()).isEqualTo("OK");
            s.advance(61);
            assertThat(s.api.call("eq", "action", "show", "token", token, "id", "1001").path("message").asText())
                    .isEqualTo("eq/show: Invalid hash");
        }
    }

    @Test
    void shouldUseDefaultTtlOf10800SecondsWhenNoneRequested() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            long before = s.sim.clock().now().getEpochSecond();
            JsonNode login = s.api.call("auth", "action", "login", "key", InvapiHttp.API_KEY);
            assertThat(login.path("result").path("token_expire").asLong()).isBetween(before + 10800, before + 10801);
            String token = login.path("result").path("token").asText();
            s.advance(10799);
            assertThat(s.api.call("eq", "action", "show", "token", token, "id", "1001").path("result").asText()).isEqualTo("OK");
            s.advance(2);
            assertThat(s.api.call("eq", "action", "show", "token", token, "id", "1001").path("message").asText())
                    .endsWith("Invalid hash");
        }
    }

    @Test
    void shouldRefuseUnknownApiKeyWithNoAppropriateServers() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            JsonNode answer = s.api.call("auth", "action", "login", "key", "wrong-key");
            assertThat(answer.path("result").asInt()).isEqualTo(-1);
            assertThat(answer.path("error").asText()).isEqualTo("No appropriate servers found");
            assertThat(answer.path("code").asText()).isEqualTo("NO_APPROPRIATE_SERVERS");
        }
    }

    @Test
    void shouldAnswerFlatLoginWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().flatLogin(true))) {
            JsonNode answer = s.api.call("auth", "action", "login", "key", InvapiHttp.API_KEY);
            assertThat(answer.path("token").asText()).matches("[0-9a-f]{32}");
            assertThat(answer.path("token_expire").isNumber()).isTrue();
            assertThat(answer.path("servers").isArray()).isTrue();
            assertThat(answer.has("result")).isFalse();
        }
    }

    @Test
    void shouldForgetTokenOnLogout() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(s.api.call("auth", "action", "logout", "token", s.token).path("result").asText()).isEqualTo("OK");
            assertThat(s.eq("show", 1001).path("message").asText()).isEqualTo("eq/show: Invalid hash");
        }
    }

    @Test
    void shouldHideOtherAccountsServers() {
        SimulatorConfig.Builder config = SlowSim.config().account("other", "other-key", null);
        try (SlowSim s = new SlowSim(config)) {
            JsonNode login = s.api.call("auth", "action", "login", "key", "other-key");
            assertThat(login.path("result").path("servers")).extracting(JsonNode::asLong).containsExactly(1002L, 1004L, 1006L, 1008L);
            assertThat(s.eq("show", 1002).path("message").asText()).isEqualTo("eq/show: server not found");
            assertThat(s.eq("show", 9999).path("message").asText()).isEqualTo("eq/show: server not found");
            assertThat(s.sim.server(1002).account()).isEqualTo("other");
            String otherToken = login.path("result").path("token").asText();
            // the account without PIN reboots without one
            JsonNode reboot = s.api.call("eq", "action", "reboot", "token", otherToken, "id", "1002");
            assertThat(reboot.path("result").asText()).isEqualTo("OK");
        }
    }

    @Test
    void shouldLockAccountAfterThreeWrongPinsInARow() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            for (int attempt = 1; attempt <= 3; attempt++) {
                JsonNode answer = s.eq("reboot", 1001, "pin", "9999");
                assertThat(answer.path("message").asText()).isEqualTo("eq/reboot: wrong PIN code");
            }
            assertThat(s.eq("reboot", 1001, "pin", InvapiHttp.PIN).path("message").asText()).isEqualTo("eq/reboot: account locked");
            assertThat(s.eq("show", 1001).path("message").asText()).isEqualTo("eq/show: account locked");
            assertThat(s.sim.server(1001).boots()).isZero();

            s.sim.unlockAccount("default");
            assertThat(s.eq("show", 1001).path("result").asText()).isEqualTo("OK");
        }
    }

    @Test
    void shouldWordRefusalsTheAlternativeWayWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().errorWording(ErrorWording.ALTERNATIVE))) {
            assertThat(s.eq("show", 9999).path("message").asText()).isEqualTo("eq/show: no access to equipment 9999");
            assertThat(s.eq("clear_pxe", 1001, "hostname", "never-seen.example.net").path("message").asText())
                    .isEqualTo("eq/clear_pxe: equipment 1001 carries another hostname");
            for (int attempt = 1; attempt <= 3; attempt++) {
                assertThat(s.eq("reboot", 1001, "pin", "9999").path("message").asText())
                        .isEqualTo("eq/reboot: confirmation code rejected");
            }
            assertThat(s.eq("show", 1001).path("message").asText())
                    .isEqualTo("eq/show: access suspended: too many failed confirmations");
            // The known wordings stay as Hostkey is seen to use them.
            assertThat(s.api.call("eq", "action", "show", "token", "0123456789abcdef0123456789abcdef", "id", "1001")
                    .path("message").asText()).isEqualTo("eq/show: Invalid hash");
        }
    }

    @Test
    void shouldResetWrongPinCountOnCorrectPin() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.eq("boot_dev", 1001, "pin", "1111", "media", "disk");
            s.eq("boot_dev", 1001, "pin", "2222", "media", "disk");
            assertThat(s.eq("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "disk").path("result").asText()).isEqualTo("OK");
            s.eq("create_pxe", 1001, "pin", "3333");
            s.eq("reboot", 1001);
            assertThat(s.eq("show", 1001).path("result").asText()).isEqualTo("OK");
        }
    }

    @Test
    void shouldRequirePinOnlyOnCrucialCalls() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(s.eq("status", 1001).path("result").asText()).isEqualTo("OK");
            assertThat(s.eq("reinstall", 1001).path("result").asText()).isEqualTo("OK");
            assertThat(s.eq("clear_pxe", 1001, "hostname", "srv1001.example.net").path("result").asText()).isEqualTo("OK");
            assertThat(s.eq("boot_dev", 1001, "media", "pxe").path("message").asText()).isEqualTo("eq/boot_dev: wrong PIN code");
        }
    }

    @Test
    void shouldNeverPutSecretsIntoTheAudit() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.eq("create_pxe", 1001, "pin", InvapiHttp.PIN, "os_id", "101", "root_pass", "Top5ecret-Pw",
                    "hostname", "x.example.net", "post_install_script", "curl secret-hook");
            String everything = s.sim.audit().toString() + s.api.get("/_sim/audit").body();
            assertThat(everything).doesNotContain(InvapiHttp.API_KEY, s.token, "Top5ecret-Pw", "curl secret-hook")
                    .doesNotContain("=" + InvapiHttp.PIN);
            assertThat(s.sim.audit("auth", "login").getFirst().params()).containsEntry("key", "***");
        }
    }
}
