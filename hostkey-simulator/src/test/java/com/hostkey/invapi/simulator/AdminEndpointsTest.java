package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The standalone admin endpoints that change the simulator: faults, PIN unlock and reinstall stop. */
class AdminEndpointsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void shouldInjectCallFaultPostedToAdminForTheGivenNumberOfCalls() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            HttpResponse<String> set = s.api.admin("POST", "/_sim/faults", """
                    {"module":"eq","action":"show","kind":"server_error","rate":1.0,"params":{"status":502,"times":1}}""");

            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
            JsonNode applied = InvapiHttp.parse(set.body());
            assertThat(applied.path("target").asText()).isEqualTo("eq/show");
            assertThat(applied.path("rule").path("server_error").path("status").asInt()).isEqualTo(502);
            assertThat(applied.path("rule").path("times").asInt()).isEqualTo(1);
            assertThat(show(s).statusCode()).isEqualTo(502);
            assertThat(show(s).statusCode()).isEqualTo(200);
            assertThat(s.sim.audit("eq", "show")).extracting(AuditEntry::outcome).containsExactly("FAULT: HTTP_502", "OK");
        }
    }

    @Test
    void shouldInjectGlobalFaultPostedToAdmin() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(s.api.admin("POST", "/_sim/faults", """
                    {"global":true,"kind":"error_body","params":{"message":"maintenance","times":1}}""").statusCode())
                    .isEqualTo(200);

            assertThat(s.api.call("jenkins", "action", "get_tasks").path("message").asText())
                    .isEqualTo("jenkins/get_tasks: maintenance");
            assertThat(s.api.call("jenkins", "action", "get_tasks").path("result").asText()).isEqualTo("OK");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"latency\",\"params\":{\"fixed_ms\":5,\"jitter_ms\":2}}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"hang\",\"rate\":0.5,\"params\":{\"duration_ms\":100}}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"throttle\",\"params\":{\"retry_after_s\":3}}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"server_error\"}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"error_body\",\"params\":{\"message\":\"busy\"}}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"async_failure\",\"params\":{\"reason\":\"IPMI down\"}}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"response_lost\",\"rate\":0.25}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"malformed_json\"}",
        "{\"kind\":\"install_stalls\",\"params\":{\"stage\":2,\"server_id\":1001}}",
        "{\"kind\":\"install_fails\",\"params\":{\"stage\":5}}",
        "{\"kind\":\"never_catch_pxe\",\"params\":{\"server_id\":1002}}",
        "{\"kind\":\"jenkins_task_fails\",\"params\":{\"task_id\":\"gpu-drivers\"}}"})
    void shouldAcceptEveryFaultKindAndListItUntilDeleted(String fault) {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String kind = InvapiHttp.parse(fault).path("kind").asText();
            HttpResponse<String> set = s.api.admin("POST", "/_sim/faults", fault);
            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);

            JsonNode listed = InvapiHttp.parse(s.api.get("/_sim/faults").body());
            JsonNode where = listed.path("calls").path("eq/reboot").has(kind)
                    ? listed.path("calls").path("eq/reboot")
                    : listed;
            assertThat(where.path(kind).isMissingNode() || where.path(kind).isEmpty())
                    .as("%s listed in %s", kind, listed).isFalse();

            assertThat(s.api.admin("DELETE", "/_sim/faults", null).statusCode()).isEqualTo(200);
            JsonNode cleared = InvapiHttp.parse(s.api.get("/_sim/faults").body());
            assertThat(cleared.path("global")).isEmpty();
            assertThat(cleared.path("calls")).isEmpty();
            assertThat(cleared.path("install_stalls")).isEmpty();
            assertThat(cleared.path("install_fails")).isEmpty();
            assertThat(cleared.path("never_catch_pxe")).isEmpty();
            assertThat(cleared.path("jenkins_task_fails")).isEmpty();
        }
    }

    @Test
    void shouldFailInstallAtStagePostedToAdmin() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(s.api.admin("POST", "/_sim/faults", """
                    {"kind":"install_fails","params":{"stage":3,"server_id":1001}}""").statusCode()).isEqualTo(200);
            String master = s.startInstall(1001);
            s.advance(720);

            JsonNode answer = s.api.check(master);

            assertThat(answer.path("result").asText()).isEqualTo("Error");
            assertThat(answer.path("scope").asText()).isEqualTo("Installation failed at stage 3");
        }
    }

    @Test
    void shouldStopInjectingAfterDelete() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.api.admin("POST", "/_sim/faults", "{\"global\":true,\"kind\":\"server_error\"}");
            assertThat(show(s).statusCode()).isEqualTo(503);

            HttpResponse<String> deleted = s.api.admin("DELETE", "/_sim/faults", null);

            assertThat(deleted.statusCode()).isEqualTo(200);
            assertThat(show(s).statusCode()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json",
        "[1,2]",
        "{\"module\":\"eq\",\"action\":\"reboot\"}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"explode\"}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"server_error\",\"rate\":1.5}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"server_error\",\"rate\":\"often\"}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"server_error\",\"params\":{\"status\":404}}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"server_error\",\"params\":{\"statu\":502}}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"server_error\",\"params\":{\"times\":-2}}",
        "{\"module\":\"eq\",\"kind\":\"server_error\"}",
        "{\"kind\":\"server_error\"}",
        "{\"global\":true,\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"server_error\"}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"latency\",\"rate\":0.5,\"params\":{\"fixed_ms\":5}}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"hang\"}",
        "{\"module\":\"eq\",\"action\":\"reboot\",\"kind\":\"hang\",\"params\":{\"duration_ms\":-1}}",
        "{\"kind\":\"install_stalls\",\"params\":{\"stage\":5}}",
        "{\"kind\":\"install_fails\",\"module\":\"eq\",\"action\":\"reboot\",\"params\":{\"stage\":2}}",
        "{\"kind\":\"never_catch_pxe\",\"rate\":0.5}",
        "{\"kind\":\"server_error\",\"global\":true,\"colour\":\"red\"}"})
    void shouldRefuseBadFaultRequestNamingTheProblemAndChangeNothing(String fault) {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            HttpResponse<String> refused = s.api.admin("POST", "/_sim/faults", fault);

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(InvapiHttp.parse(refused.body()).path("error").asText()).isNotBlank();
            JsonNode listed = InvapiHttp.parse(s.api.get("/_sim/faults").body());
            assertThat(listed.path("global")).isEmpty();
            assertThat(listed.path("calls")).isEmpty();
            assertThat(listed.path("install_stalls")).isEmpty();
            assertThat(listed.path("install_fails")).isEmpty();
            assertThat(listed.path("never_catch_pxe")).isEmpty();
            assertThat(show(s).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldUnlockPinLockedAccountLikeSupportDoes() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            for (int i = 0; i < 3; i++) {
                assertThat(s.eq("reboot", 1001, "pin", "0000").path("message").asText()).isEqualTo("eq/reboot: wrong PIN code");
            }
            assertThat(s.eq("reboot", 1001, "pin", InvapiHttp.PIN).path("message").asText()).isEqualTo("eq/reboot: account locked");

            HttpResponse<String> unlocked = s.api.admin("POST", "/_sim/accounts/default/unlock", null);

            assertThat(unlocked.statusCode()).isEqualTo(200);
            assertThat(InvapiHttp.parse(unlocked.body()).path("locked").asBoolean(true)).isFalse();
            assertThat(s.eq("reboot", 1001, "pin", InvapiHttp.PIN).path("result").asText()).isEqualTo("OK");
        }
    }

    @Test
    void shouldAnswer404ForUnknownAccountAnd405ForWrongMethods() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            assertThat(s.api.admin("POST", "/_sim/accounts/nobody/unlock", null).statusCode()).isEqualTo(404);
            HttpResponse<String> getUnlock = s.api.admin("GET", "/_sim/accounts/default/unlock", null);
            assertThat(getUnlock.statusCode()).isEqualTo(405);
            assertThat(getUnlock.headers().firstValue("Allow")).hasValue("POST");
            assertThat(s.api.admin("POST", "/_sim/health", "{}").statusCode()).isEqualTo(405);
            assertThat(s.api.admin("PUT", "/_sim/faults", "{}").statusCode()).isEqualTo(405);
            assertThat(s.api.admin("DELETE", "/_sim/servers/1001", null).statusCode()).isEqualTo(405);
        }
    }

    @Test
    void shouldRecordStopPostedToAdminAndFlagTheRebootAfterItInTheReport() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.createPxe(1001, s.reinstallKey(1001));
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe");

            HttpResponse<String> stopped = s.api.admin("POST", "/_sim/servers/1001/stopped", "{\"reason\":\"deadline passed\"}");

            assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
            JsonNode answer = InvapiHttp.parse(stopped.body());
            assertThat(answer.path("serverId").asLong()).isEqualTo(1001);
            assertThat(answer.path("reason").asText()).isEqualTo("deadline passed");
            assertThat(answer.path("stoppedAt").asText()).endsWith("Z");
            JsonNode before = InvapiHttp.parse(s.api.get("/_sim/report").body());
            assertThat(before.path("installsAfterStop").isArray()).isTrue();
            assertThat(before.path("installsAfterStop")).isEmpty();
            assertThat(before.path("interruptedInstalls").isArray()).isTrue();

            s.completes("reboot", 1001, "pin", InvapiHttp.PIN);

            JsonNode report = InvapiHttp.parse(s.api.get("/_sim/report").body());
            assertThat(report.path("clean").asBoolean(true)).isFalse();
            assertThat(report.path("installsAfterStop")).extracting(JsonNode::asLong).containsExactly(1001L);
        }
    }

    @Test
    void shouldAcceptStopWithoutBodyAndRefuseUnknownServersOtherMethodsAndBadBodies() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            HttpResponse<String> bare = s.api.admin("POST", "/_sim/servers/1002/stopped", null);
            assertThat(bare.statusCode()).as(bare.body()).isEqualTo(200);
            assertThat(InvapiHttp.parse(bare.body()).has("reason")).isFalse();

            assertThat(s.api.admin("POST", "/_sim/servers/4242/stopped", null).statusCode()).isEqualTo(404);
            assertThat(s.api.admin("POST", "/_sim/servers/web1/stopped", "{}").statusCode()).isEqualTo(404);
            HttpResponse<String> get = s.api.admin("GET", "/_sim/servers/1001/stopped", null);
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("Allow")).hasValue("POST");
            assertThat(s.api.admin("DELETE", "/_sim/servers/1001/stopped", null).statusCode()).isEqualTo(405);
            for (String bad : new String[] {"not json", "[1]", "{\"reason\":42}"}) {
                HttpResponse<String> refused = s.api.admin("POST", "/_sim/servers/1001/stopped", bad);
                assertThat(refused.statusCode()).as(bad).isEqualTo(400);
                assertThat(InvapiHttp.parse(refused.body()).path("error").asText()).isNotBlank();
            }

            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe");
            s.completes("boot_dev", 1002, "pin", InvapiHttp.PIN, "media", "pxe");
            assertThat(s.sim.invariantReport().installsAfterStop())
                    .as("only the stop that was answered 200 is recorded")
                    .containsExactly(1002L);
        }
    }

    @Test
    void shouldServeAdminOnTheInvapiPort() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.api.admin("POST", "/_sim/faults", "{\"module\":\"eq\",\"action\":\"show\",\"kind\":\"throttle\"}");
            assertThat(show(s).statusCode()).as("the fault set on the admin path reaches the invapi path").isEqualTo(429);
            assertThat(s.sim.port()).isPositive();
        }
    }

    private static HttpResponse<String> show(SlowSim s) {
        return s.api.raw("eq", TIMEOUT, "action", "show", "token", s.token, "id", "1001");
    }
}
