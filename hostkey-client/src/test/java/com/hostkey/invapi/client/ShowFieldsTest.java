package com.hostkey.invapi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ShowFieldsTest {

    @Test
    void shouldTryTheNamesGivenFirstThenTheAssumedOnes() {
        ShowFields fields = HostkeyClientConfig.fromEnv(Map.of(HostkeyClientConfig.ENV_BASE_URL, "http://invapi", "HOSTKEY_API_KEY", "k",
                "HOSTKEY_SHOW_RAM_FIELD", "memory, mem_gb", "HOSTKEY_SHOW_CORES_FIELD", "cpus")).showFields();

        assertThat(fields.ram()).containsExactly("memory", "mem_gb", "ram_gb", "ram", "memory_gb");
        assertThat(fields.cores()).containsExactly("cpus", "cpu_cores", "cores", "core_count");
        assertThat(fields.type()).isEqualTo(ShowFields.DEFAULTS.type());
    }

    @Test
    void shouldRefuseABlankName() {
        assertThatThrownBy(() -> new ShowFields(java.util.List.of(" "), ShowFields.DEFAULTS.ram(), ShowFields.DEFAULTS.disks(),
                ShowFields.DEFAULTS.diskSize(), ShowFields.DEFAULTS.cores())).isInstanceOf(IllegalArgumentException.class);
    }
}
