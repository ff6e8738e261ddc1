package com.hostkey.reinstall.projector;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.avro.AdmissionEntry;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

class ProjectorSerdesTest {

    private final Map<String, String> registry = Map.of(AvroSerde.SCHEMA_REGISTRY_URL, SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID());

    private static AdmissionEntry entry(long server, String location) {
        return AdmissionEntry.newBuilder().setServerId(server).setReinstallId("r-" + server).setLocation(location)
                .setRequestedAt(Instant.parse("2026-11-24T10:00:00Z").plusSeconds(server)).build();
    }

    @Test
    void shouldWriteExactlyWhatAvroSerdeWritesOnEveryTopicAfterTheFirstRecord() {
        Serializer<AdmissionEntry> avro = AvroSerde.of(AdmissionEntry.class, registry, false).serializer();
        Serializer<AdmissionEntry> projector = ProjectorSerdes.sink(AvroSerde.of(AdmissionEntry.class, registry, false));

        for (String topic : new String[] {"topic-a", "topic-b", "topic-a"}) {
            for (long server = 1; server <= 3; server++) {
                AdmissionEntry value = entry(server, server % 2 == 0 ? null : "NL");
                assertThat(projector.serialize(topic, value)).as("%s, server %d", topic, server).isEqualTo(avro.serialize(topic, value));
            }
        }
        assertThat(projector.serialize("topic-a", null)).isNull();
    }

    @Test
    void shouldReadBackWhatTheStoreSerdeWrote() {
        Serde<AdmissionEntry> store = ProjectorSerdes.store(AvroSerde.of(AdmissionEntry.class, registry, false));

        assertThat(store.serializer()).isSameAs(store.serializer());
        assertThat(store.deserializer()).isSameAs(store.deserializer());
        for (long server = 1; server <= 3; server++) {
            byte[] bytes = store.serializer().serialize("reinstall-admission-changelog", entry(server, "DE"));
            assertThat(store.deserializer().deserialize("reinstall-admission-changelog", bytes)).isEqualTo(entry(server, "DE"));
        }
    }
}
