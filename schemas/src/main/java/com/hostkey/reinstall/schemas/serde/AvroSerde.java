package com.hostkey.reinstall.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for one generated Avro record type in the Confluent wire format: magic byte 0, the 4-byte
 * big-endian schema id, then Avro binary. Subjects follow Confluent's TopicNameStrategy
 * ({@code <topic>-value} or {@code <topic>-key}).
 *
 * <p>Configuration keys are Confluent's: {@code schema.registry.url} (required) and
 * {@code auto.register.schemas} (default true). Records written with an older or newer schema
 * are read through Avro schema resolution into this class's schema.
 *
 * <p>Per-record work is only the Avro encoding or decoding:
 * <ul>
 *   <li>The schema id of each topic is registered (or looked up) once and its 5-byte prefix kept;
 *       every record is written with this class's schema, so the topic fixes the (subject, schema)
 *       pair and the id can never change. A failed registration or lookup is not kept and is tried
 *       again on the next record.</li>
 *   <li>The reader of each writer schema id is made once: the writer schema is fetched and resolved
 *       against this class's schema on the first record with that id.</li>
 *   <li>{@link #serializer()} and {@link #deserializer()} always return the same instance (Kafka
 *       Streams asks a store's serde for them on every access). Both are thread-safe: the caches are
 *       concurrent maps, Avro's datum writers and readers hold no per-record state, and each call
 *       makes its own encoder or decoder.</li>
 * </ul>
 * {@link #configure} (also reached through the serializer's or deserializer's {@code configure})
 * starts with empty caches.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    static final byte MAGIC_BYTE = 0;
    /** Magic byte and the 4-byte schema id. */
    static final int PREFIX_LENGTH = 5;

    private final Class<T> type;
    private final Schema schema;
    /** The generated class's model (its logical-type conversions), for the readers. */
    private final SpecificData data;
    private final SpecificDatumWriter<T> writer;
    private final WireSerializer serializer = new WireSerializer();
    private final WireDeserializer deserializer = new WireDeserializer();
    /** Null until configured; replaced whole by {@link #configure}, so a reconfigure drops every cache at once. */
    private volatile Configured configured;

    public AvroSerde(Class<T> type) {
        this.type = type;
        this.schema = SpecificData.get().getSchema(type);
        this.data = SpecificData.getForClass(type);
        this.writer = new SpecificDatumWriter<>(schema);
    }

    /** A serde configured at once, for use outside Kafka's configure() life cycle. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, Map<String, ?> config, boolean isKey) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(config, isKey);
        return serde;
    }

    @Override
    public void configure(Map<String, ?> config, boolean isKey) {
        Object url = config.get(SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new IllegalArgumentException("Missing required setting " + SCHEMA_REGISTRY_URL);
        }
        Object auto = config.get(AUTO_REGISTER_SCHEMAS);
        configure(SchemaRegistryClient.forAccess(RegistryAccess.fromConfig(url.toString(), config)),
                auto == null || Boolean.parseBoolean(auto.toString()), isKey);
    }

    /** Configures with a given registry client (tests count its calls). */
    void configure(SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
        this.configured = new Configured(Objects.requireNonNull(registry, "registry"), autoRegister, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    private Configured configured() {
        Configured current = configured;
        if (current == null) {
            throw new IllegalStateException("AvroSerde for " + type.getSimpleName() + " used before configure()");
        }
        return current;
    }

    /** One configuration and the caches that depend on it. */
    private final class Configured {
        final SchemaRegistryClient registry;
        final boolean autoRegister;
        final boolean isKey;
        /** Magic byte and schema id of {@link #schema} under each topic's subject. */
        final Map<String, byte[]> prefixByTopic = new ConcurrentHashMap<>();
        /** Reader from each writer schema id into {@link #schema}. */
        final Map<Integer, SpecificDatumReader<T>> readerById = new ConcurrentHashMap<>();

        Configured(SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
            this.registry = registry;
            this.autoRegister = autoRegister;
            this.isKey = isKey;
        }

        byte[] prefix(String topic) {
            byte[] prefix = prefixByTopic.get(topic);
            return prefix != null ? prefix : prefixByTopic.computeIfAbsent(topic, this::registerOrLookUp);
        }

        private byte[] registerOrLookUp(String topic) {
            String subject = topic + (isKey ? "-key" : "-value");
            int id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
            return new byte[] {MAGIC_BYTE, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
        }

        SpecificDatumReader<T> reader(int id) {
            SpecificDatumReader<T> reader = readerById.get(id);
            return reader != null ? reader
                    : readerById.computeIfAbsent(id, k -> new SpecificDatumReader<>(registry.byId(k), schema, data));
        }
    }

    private final class WireSerializer implements Serializer<T> {

        @Override
        public void configure(Map<String, ?> configs, boolean key) {
            AvroSerde.this.configure(configs, key);
        }

        @Override
        public byte[] serialize(String topic, T record) {
            if (record == null) {
                return null;
            }
            byte[] prefix = configured().prefix(topic);
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(prefix, 0, PREFIX_LENGTH);
            try {
                BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
                writer.write(record, encoder);
                encoder.flush();
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Cannot write " + type.getSimpleName() + " for topic " + topic + ": " + e.getMessage(), e);
            }
            return out.toByteArray();
        }
    }

    private final class WireDeserializer implements Deserializer<T> {

        @Override
        public void configure(Map<String, ?> configs, boolean key) {
            AvroSerde.this.configure(configs, key);
        }

        @Override
        public T deserialize(String topic, byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            if (bytes.length < PREFIX_LENGTH || bytes[0] != MAGIC_BYTE) {
                throw new NotWireFormatException(topic, bytes.length);
            }
            int id = ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
            SpecificDatumReader<T> reader = configured().reader(id);
            try {
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, PREFIX_LENGTH, bytes.length - PREFIX_LENGTH, null);
                return reader.read(null, decoder);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Record on " + topic + " with schema id " + id
                        + " is not a readable " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Whether reading a record failed because of the record itself: not the wire format, a schema id
     * the registry does not know, or bytes this serde could not decode into the expected type (it
     * threw, not the registry client). A registry that cannot be reached or answers with an error
     * is not the record's fault: reading it again later may succeed, so it must not be dead-lettered.
     */
    public static boolean blamesTheRecord(Throwable failure) {
        if (failure instanceof NotWireFormatException || failure instanceof SchemaRegistryClient.UnknownSchemaIdException) {
            return true;
        }
        return failure instanceof SerializationException && thrownByThisSerde(failure);
    }

    /** Made by this serde itself (decoding or encoding the data), not by the registry client it calls. */
    public static boolean thrownByThisSerde(Throwable failure) {
        StackTraceElement[] trace = failure.getStackTrace();
        return trace.length > 0 && trace[0].getClassName().startsWith(AvroSerde.class.getName());
    }

    /** The bytes do not start with the Confluent magic byte and a schema id. */
    public static final class NotWireFormatException extends SerializationException {
        public NotWireFormatException(String topic, int length) {
            super("Record on " + topic + " (" + length + " bytes) is not in the Confluent wire format (magic byte 0 + schema id)");
        }
    }
}
