package com.hostkey.invapi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OsTagNamesTest {

    @Test
    void shouldFileTheFirstOtherNamePresentUnderTheSeedsName() {
        OsTagNames names = OsTagNames.fromEnv(Map.of("HOSTKEY_OS_TAG_MIN_RAM", "ram_min_gb, memory_min"));

        assertThat(names.canonical(Map.of("memory_min", "4", "bm", "1"))).containsEntry(OsTagNames.MIN_RAM, "4").containsEntry("bm", "1");
        assertThat(names.canonical(Map.of("min_ram", "2", "ram_min_gb", "8"))).as("the seed's own name wins")
                .containsEntry(OsTagNames.MIN_RAM, "2");
        assertThat(OsTagNames.SEED.canonical(Map.of("ram_min_gb", "8"))).doesNotContainKey(OsTagNames.MIN_RAM);
    }

    @Test
    void shouldRefuseATagItDoesNotKnow() {
        assertThatThrownBy(() -> OsTagNames.SEED.with("min_cpu", "cpus")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min_ram");
    }
}
