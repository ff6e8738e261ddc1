package com.hostkey.reinstall.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private final String url = SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID();
    private final AvroSerde<ReinstallEvent> serde = AvroSerde.of(ReinstallEvent.class, Map.of(AvroSerde.SCHEMA_REGISTRY_URL, url), false);

    @Test
    void shouldWriteTheConfluentWireFormatAndReadItBack() {
        ReinstallEvent event = event();
        byte[] bytes = serde.serializer().serialize("reinstall-events", event);

        assertThat(bytes[0]).isEqualTo((byte) 0);
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(SchemaRegistryClient.forUrl(url).byId(id)).isEqualTo(ReinstallEvent.getClassSchema());
        assertThat(serde.deserializer().deserialize("reinstall-events", bytes)).isEqualTo(event);
    }

    @Test
    void shouldRegisterEachSchemaOnceAndReuseItsId() {
        byte[] first = serde.serializer().serialize("reinstall-events", event());
        byte[] second = serde.serializer().serialize("reinstall-events", event());
        assertThat(ByteBuffer.wrap(first, 1, 4).getInt()).isEqualTo(ByteBuffer.wrap(second, 1, 4).getInt());
    }

    @Test
    void shouldRefuseBytesThatAreNotTheWireFormat() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("reinstall-events", "{\"json\":true}".getBytes()))
                .isInstanceOf(AvroSerde.NotWireFormatException.class)
                .hasMessageContaining("not in the Confluent wire format");
    }

    @Test
    void shouldRefuseAnUnknownSchemaId() {
        byte[] bytes = ByteBuffer.allocate(9).put((byte) 0).putInt(424242).putInt(0).array();
        assertThatThrownBy(() -> serde.deserializer().deserialize("reinstall-events", bytes))
                .isInstanceOf(SchemaRegistryClient.UnknownSchemaIdException.class)
                .hasMessageContaining("424242");
    }

    @Test
    void shouldRefuseARecordOfAnotherType() {
        Schema other = SchemaBuilder.record("Other").fields().requiredString("x").endRecord();
        int id = SchemaRegistryClient.forUrl(url).register("reinstall-events-value", other);
        byte[] bytes = ByteBuffer.allocate(5 + 2).put((byte) 0).putInt(id).put((byte) 2).put((byte) 'a').array();
        assertThatThrownBy(() -> serde.deserializer().deserialize("reinstall-events", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not a readable ReinstallEvent");
    }

    @Test
    void shouldFailFastWithoutARegistryUrl() {
        assertThatThrownBy(() -> AvroSerde.of(ReinstallEvent.class, Map.of(), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.url");
    }

    private static ReinstallEvent event() {
        return ReinstallEvent.newBuilder()
                .setEventId("e-1")
                .setServerId(1001)
                .setReinstallId("r-1")
                .setCommandId("c-1")
                .setOccurredAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setSource("test")
                .setPayload(ActionAccepted.newBuilder().setAction(AsyncActionKind.REBOOT).setCallbackKey("k".repeat(32)).build())
                .build();
    }
}
