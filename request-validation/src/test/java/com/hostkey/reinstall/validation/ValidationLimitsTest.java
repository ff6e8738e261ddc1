package com.hostkey.reinstall.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValidationLimitsTest {

    @Test
    void shouldDefaultTo64KibScriptsAndRfcLengthHostnames() {
        assertThat(ValidationLimits.defaults()).isEqualTo(new ValidationLimits(65_536, 253));
    }

    @Test
    void shouldAllowTighterHostnameLimits() {
        assertThat(new ValidationLimits(1, 1).maxHostnameLength()).isEqualTo(1);
    }

    @ParameterizedTest(name = "script {0}, hostname {1}")
    @CsvSource({"0, 253", "-1, 253", "65536, 0", "65536, 254"})
    void shouldRefuseLimitsThatCannotBeMet(int maxScriptBytes, int maxHostnameLength) {
        assertThatIllegalArgumentException().isThrownBy(() -> new ValidationLimits(maxScriptBytes, maxHostnameLength));
    }
}
