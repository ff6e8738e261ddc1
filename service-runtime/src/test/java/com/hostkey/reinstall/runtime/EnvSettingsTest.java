package com.hostkey.reinstall.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSettingsTest {

    @Test
    void shouldNameEveryMissingSettingInOneTypedRefusal() {
        EnvSettings env = new EnvSettings(Map.of("PRESENT", "x"));
        assertThat(env.required("PRESENT", "here")).isEqualTo("x");
        env.required("KAFKA_BOOTSTRAP_SERVERS", "the brokers");
        env.required("STEP_AUTH_KEYS", "the step keys");

        assertThatThrownBy(() -> env.validate("command-handler"))
                .isInstanceOf(EnvSettings.SettingsException.class)
                .hasMessage("command-handler cannot start, missing settings: KAFKA_BOOTSTRAP_SERVERS (the brokers), STEP_AUTH_KEYS (the step keys)");
    }

    @Test
    void shouldRefuseMalformedOrUnreadableSettingsTyped() {
        EnvSettings env = new EnvSettings(Map.of("PORT", "80a", "STRICT", "yes", "SECRET_FILE", "/nonexistent/secret"));
        assertThatThrownBy(() -> env.optionalInt("PORT", 1)).isInstanceOf(EnvSettings.SettingsException.class)
                .hasMessageContaining("PORT must be an integer");
        assertThatThrownBy(() -> env.optionalBoolean("STRICT", false)).isInstanceOf(EnvSettings.SettingsException.class)
                .hasMessageContaining("STRICT must be true or false");
        assertThatThrownBy(() -> env.optional("SECRET", null)).isInstanceOf(EnvSettings.SettingsException.class)
                .hasMessageContaining("cannot read SECRET_FILE (/nonexistent/secret)");
    }
}
