package com.hostkey.reinstall.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.AdmissionEntry;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
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

    @Test
    void shouldRefuseUseBeforeConfigure() {
        AvroSerde<ReinstallEvent> unconfigured = new AvroSerde<>(ReinstallEvent.class);
        assertThatThrownBy(() -> unconfigured.serializer().serialize("reinstall-events", event()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before configure()");
    }

    // ------------------------------------------------------------------ caching

    @Test
    void shouldHandOutOneSerializerAndOneDeserializer() {
        assertThat(serde.serializer()).isSameAs(serde.serializer());
        assertThat(serde.deserializer()).isSameAs(serde.deserializer());
    }

    @Test
    void shouldWriteExactlyTheWireFormatOnEveryRecordOfEveryTopic() throws Exception {
        CountingRegistry registry = new CountingRegistry();
        AvroSerde<AdmissionEntry> entries = configured(AdmissionEntry.class, registry, true, false);

        for (String topic : new String[] {"topic-a", "topic-b", "topic-a", "topic-b"}) {
            for (long server = 1; server <= 3; server++) {
                AdmissionEntry value = entry(server, server % 2 == 0 ? null : "NL");
                byte[] bytes = entries.serializer().serialize(topic, value);
                int id = registry.delegate.lookup(topic + "-value", AdmissionEntry.getClassSchema());
                assertThat(bytes).as("%s, server %d", topic, server).isEqualTo(wireFormat(id, value));
            }
        }
        assertThat(entries.serializer().serialize("topic-a", null)).isNull();
        assertThat(entries.deserializer().deserialize("topic-a", null)).isNull();
    }

    @Test
    void shouldAskTheRegistryOncePerTopicForManyRecords() {
        CountingRegistry registry = new CountingRegistry();
        AvroSerde<AdmissionEntry> entries = configured(AdmissionEntry.class, registry, true, false);
        int records = 500;

        List<AdmissionEntry> expected = new ArrayList<>();
        List<byte[]> written = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            expected.add(entry(i, "DE"));
            written.add(entries.serializer().serialize("reinstall-admission-changelog", expected.getLast()));
            expected.add(entry(i, null));
            written.add(entries.serializer().serialize("other-changelog", expected.getLast()));
        }
        List<AdmissionEntry> readBack = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            readBack.add(entries.deserializer().deserialize(i % 2 == 0 ? "reinstall-admission-changelog" : "other-changelog", written.get(i)));
        }

        assertThat(readBack).isEqualTo(expected);

        assertThat(registry.registered).containsExactly("reinstall-admission-changelog-value", "other-changelog-value");
        assertThat(registry.lookups.get()).isZero();
        assertThat(registry.byIds.get()).as("one writer schema id, fetched once").isEqualTo(1);
    }

    @Test
    void shouldRegisterUnderTheKeySubjectForAKeySerde() {
        CountingRegistry registry = new CountingRegistry();
        AvroSerde<AdmissionEntry> keys = configured(AdmissionEntry.class, registry, true, true);
        keys.serializer().serialize("t", entry(1, "DE"));
        keys.serializer().serialize("t", entry(2, "DE"));
        assertThat(registry.registered).containsExactly("t-key");
    }

    @Test
    void shouldOnlyLookUpWhenAutoRegisterIsOffAndRetryAFailedLookup() {
        CountingRegistry registry = new CountingRegistry();
        AvroSerde<AdmissionEntry> entries = configured(AdmissionEntry.class, registry, false, false);

        assertThatThrownBy(() -> entries.serializer().serialize("t", entry(1, "DE")))
                .isInstanceOf(SerializationException.class)
                .satisfies(e -> assertThat(thrownByAvroSerde(e)).as("a registry failure, not the record's").isFalse());
        int id = registry.delegate.register("t-value", AdmissionEntry.getClassSchema());
        for (int i = 0; i < 100; i++) {
            byte[] bytes = entries.serializer().serialize("t", entry(i, "DE"));
            assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        }

        assertThat(registry.registered).isEmpty();
        assertThat(registry.lookups.get()).as("the failed lookup, then one that found the id").isEqualTo(2);
    }

    @Test
    void shouldMakeOneReaderPerWriterSchemaIdAndResolveOlderSchemas() throws Exception {
        CountingRegistry registry = new CountingRegistry();
        AvroSerde<AdmissionEntry> entries = configured(AdmissionEntry.class, registry, true, false);
        Schema older = SchemaBuilder.record("AdmissionEntry").namespace("com.hostkey.reinstall.schemas.avro").fields()
                .requiredLong("serverId").requiredString("reinstallId").requiredLong("requestedAt").endRecord();
        int olderId = registry.delegate.register("t-value", older);
        GenericRecord old = new GenericData.Record(older);
        old.put("serverId", 7L);
        old.put("reinstallId", "r-7");
        old.put("requestedAt", Instant.parse("2026-11-24T10:00:07Z").toEpochMilli());
        byte[] oldBytes = genericWireFormat(olderId, old);
        byte[] newBytes = entries.serializer().serialize("t", entry(8, "NL"));

        for (int i = 0; i < 50; i++) {
            assertThat(entries.deserializer().deserialize("t", oldBytes)).isEqualTo(entry(7, null));
            assertThat(entries.deserializer().deserialize("t", newBytes)).isEqualTo(entry(8, "NL"));
        }
        assertThat(registry.byIds.get()).as("each of the two writer schemas fetched once").isEqualTo(2);
    }

    @Test
    void shouldReadAStateWrittenBeforePhaseTimesWasRenamedFromStepTimes() throws Exception {
        CountingRegistry registry = new CountingRegistry();
        AvroSerde<ReinstallState> states = configured(ReinstallState.class, registry, true, false);
        // The state's schema as it was: the same, with the field under its old name and without the alias.
        Schema current = ReinstallState.getClassSchema();
        Schema older = Schema.createRecord(current.getName(), null, current.getNamespace(), false, current.getFields().stream()
                .map(f -> new Schema.Field(f.name().equals("phaseTimes") ? "stepTimes" : f.name(), f.schema(), null, f.defaultVal()))
                .toList());
        assertThat(older.getField("stepTimes").aliases()).isEmpty();
        int olderId = registry.delegate.register("t-value", older);
        ReinstallState state = ReinstallState.newBuilder().setServerId(7).setReinstallId("r-7").setRequestId("q-7")
                .setAccount("acme").setRequestedBy("upstream").setPhase(ReinstallPhase.INSTALLING).setOsId(101)
                .setHostname("h.example.net").setRequestedAt(Instant.parse("2026-11-24T10:00:00Z"))
                .setUpdatedAt(Instant.parse("2026-11-24T10:05:00Z")).setPhaseTimes(Map.of("VALIDATING", 1L, "INSTALLING", 2L)).build();
        // Avro's binary form carries no field names: these are the bytes an older projector wrote.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(olderId).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<ReinstallState>(ReinstallState.getClassSchema(), state.getSpecificData()).write(state, encoder);
        encoder.flush();

        assertThat(states.deserializer().deserialize("t", out.toByteArray()).getPhaseTimes())
                .isEqualTo(Map.of("VALIDATING", 1L, "INSTALLING", 2L));
    }

    @Test
    void shouldStartWithEmptyCachesWhenReconfigured() {
        AvroSerde<AdmissionEntry> entries = AvroSerde.of(AdmissionEntry.class, Map.of(AvroSerde.SCHEMA_REGISTRY_URL, url), false);
        SchemaRegistryClient.forUrl(url).register("filler-value", SchemaBuilder.record("Filler").fields().requiredInt("x").endRecord());
        byte[] before = entries.serializer().serialize("t", entry(1, "DE"));

        String otherUrl = SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID();
        entries.serializer().configure(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, otherUrl), false);
        byte[] after = entries.serializer().serialize("t", entry(1, "DE"));

        assertThat(ByteBuffer.wrap(before, 1, 4).getInt()).isEqualTo(2);
        assertThat(ByteBuffer.wrap(after, 1, 4).getInt()).as("the id the new registry gave").isEqualTo(1);
        assertThat(entries.deserializer().deserialize("t", after)).isEqualTo(entry(1, "DE"));
        assertThat(SchemaRegistryClient.forUrl(otherUrl).byId(1)).isEqualTo(AdmissionEntry.getClassSchema());
    }

    @Test
    void shouldLeaveARecordItCannotWriteToAvroSerdeAfterTheIdIsCached() {
        AvroSerde<AdmissionEntry> entries = AvroSerde.of(AdmissionEntry.class, Map.of(AvroSerde.SCHEMA_REGISTRY_URL, url), false);
        entries.serializer().serialize("t", entry(1, "DE"));
        AdmissionEntry incomplete = entry(2, "DE");
        incomplete.setReinstallId(null);

        // The projector's dead-letter handler tells the record's fault from the registry's by this top frame.
        assertThatThrownBy(() -> entries.serializer().serialize("t", incomplete))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Cannot write AdmissionEntry for topic t")
                .satisfies(e -> assertThat(thrownByAvroSerde(e)).isTrue());
    }

    @Test
    void shouldRegisterOnceWhileSeveralThreadsWriteAndReadTheSameTopic() throws Exception {
        CountingRegistry registry = new CountingRegistry();
        registry.registerDelayMillis = 100; // every thread reaches the first record before the id is known
        AvroSerde<AdmissionEntry> entries = configured(AdmissionEntry.class, registry, true, false);
        int threads = 8;
        int perThread = 500;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<byte[]>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    List<byte[]> written = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        AdmissionEntry value = entry(thread * 100_000L + i, i % 3 == 0 ? null : "T" + thread);
                        byte[] bytes = entries.serializer().serialize("shared", value);
                        // read back at once, on this thread, through the shared deserializer
                        assertThat(entries.deserializer().deserialize("shared", bytes)).isEqualTo(value);
                        written.add(bytes);
                    }
                    return written;
                }));
            }
            int id = -1;
            for (int t = 0; t < threads; t++) {
                List<byte[]> written = results.get(t).get(60, TimeUnit.SECONDS);
                id = id < 0 ? registry.delegate.lookup("shared-value", AdmissionEntry.getClassSchema()) : id;
                for (int i = 0; i < perThread; i++) {
                    AdmissionEntry expected = entry(t * 100_000L + i, i % 3 == 0 ? null : "T" + t);
                    assertThat(written.get(i)).isEqualTo(wireFormat(id, expected));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.registered).containsExactly("shared-value");
        assertThat(registry.byIds.get()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ helpers

    /** A registry client that counts what the serde asks, answering from an in-memory registry. */
    static final class CountingRegistry extends SchemaRegistryClient {
        final SchemaRegistryClient delegate = SchemaRegistryClient.forUrl(MOCK_SCHEME + UUID.randomUUID());
        final List<String> registered = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger lookups = new AtomicInteger();
        final AtomicInteger byIds = new AtomicInteger();
        volatile long registerDelayMillis;

        CountingRegistry() {
            super("http://counting.invalid");
        }

        @Override
        public int register(String subject, Schema schema) {
            registered.add(subject);
            if (registerDelayMillis > 0) {
                try {
                    Thread.sleep(registerDelayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return delegate.register(subject, schema);
        }

        @Override
        public int lookup(String subject, Schema schema) {
            lookups.incrementAndGet();
            return delegate.lookup(subject, schema);
        }

        @Override
        public Schema byId(int id) {
            byIds.incrementAndGet();
            return delegate.byId(id);
        }
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> AvroSerde<T> configured(
            Class<T> type, SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(registry, autoRegister, isKey);
        return serde;
    }

    /** Magic byte, the id big-endian, then the record in Avro binary: written here without AvroSerde. */
    private static byte[] wireFormat(int id, AdmissionEntry value) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(AdmissionEntry.class).write(value, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static byte[] genericWireFormat(int id, GenericRecord value) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(value.getSchema()).write(value, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static boolean thrownByAvroSerde(Throwable e) {
        return e.getStackTrace().length > 0 && e.getStackTrace()[0].getClassName().startsWith(AvroSerde.class.getName());
    }

    private static AdmissionEntry entry(long server, String location) {
        return AdmissionEntry.newBuilder().setServerId(server).setReinstallId("r-" + server).setLocation(location)
                .setRequestedAt(Instant.parse("2026-11-24T10:00:00Z").plusSeconds(server)).build();
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
