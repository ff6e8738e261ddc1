package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Hostkey's docs say scope and context.id vary in type: both shapes are settings. */
class CallbackVariantsTest {

    @Test
    void shouldAnswerScopeAsObjectWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().scopeAsObject(true))) {
            JsonNode done = s.completes("reboot", 1001, "pin", InvapiHttp.PIN);

            assertThat(done.path("scope").isObject()).as("%s", done).isTrue();
            assertThat(done.path("scope").path("message").asText()).isEqualTo("Server rebooted");
            assertThat(done.path("scope").path("id").asLong()).isEqualTo(1001);
            assertThat(done.path("debug").isNull()).isTrue();
        }
    }

    @Test
    void shouldAnswerContextIdAsNumberWhenConfigured() {
        try (SlowSim s = new SlowSim(SlowSim.config().contextIdAsNumber(true))) {
            JsonNode done = s.completes("reboot", 1001, "pin", InvapiHttp.PIN);

            assertThat(done.path("context").path("id").isNumber()).as("%s", done).isTrue();
            assertThat(done.path("scope").isTextual()).isTrue();
        }
    }

    @Test
    void shouldAnswerStringScopeAndStringContextIdByDefault() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            JsonNode done = s.completes("reboot", 1001, "pin", InvapiHttp.PIN);

            assertThat(done.path("scope").asText()).isEqualTo("Server rebooted");
            assertThat(done.path("context").path("id").isTextual()).isTrue();
        }
    }

    @Test
    void shouldReadTheShapeSettingsFromTheCommandLine() {
        SimulatorConfig config = SimulatorMain.parse(new String[] {
                "--scope-as-object", "--context-id-as-number", "--key-in-not-found-message"});

        assertThat(config.scopeAsObject()).isTrue();
        assertThat(config.contextIdAsNumber()).isTrue();
        assertThat(config.keyInNotFoundMessage()).isTrue();
    }
}
