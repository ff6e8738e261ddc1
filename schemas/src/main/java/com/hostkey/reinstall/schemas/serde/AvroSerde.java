package com.hostkey.reinstall.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
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
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    static final byte MAGIC_BYTE = 0;

    private final Class<T> type;
    private final Schema schema;
    private SchemaRegistryClient registry;
    private boolean autoRegister = true;
    private boolean isKey;

    public AvroSerde(Class<T> type) {
        this.type = type;
        this.schema = SpecificData.get().getSchema(type);
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
        this.registry = SchemaRegistryClient.forUrl(url.toString());
        Object auto = config.get(AUTO_REGISTER_SCHEMAS);
        this.autoRegister = auto == null || Boolean.parseBoolean(auto.toString());
        this.isKey = isKey;
    }

    @Override
    public Serializer<T> serializer() {
        return new WireSerializer();
    }

    @Override
    public Deserializer<T> deserializer() {
        return new WireDeserializer();
    }

    private SchemaRegistryClient registry() {
        if (registry == null) {
            throw new IllegalStateException("AvroSerde for " + type.getSimpleName() + " used before configure()");
        }
        return registry;
    }

    private String subject(String topic) {
        return topic + (isKey ? "-key" : "-value");
    }

    private final class WireSerializer implements Serializer<T> {
        private final SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(schema);

        @Override
        public void configure(Map<String, ?> configs, boolean key) {
            AvroSerde.this.configure(configs, key);
        }

        @Override
        public byte[] serialize(String topic, T data) {
            if (data == null) {
                return null;
            }
            int id = autoRegister ? registry().register(subject(topic), schema) : registry().lookup(subject(topic), schema);
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(MAGIC_BYTE);
            out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
            try {
                BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
                writer.write(data, encoder);
                encoder.flush();
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Cannot write " + type.getSimpleName() + " for topic " + topic + ": " + e.getMessage(), e);
            }
            return out.toByteArray();
        }
    }

    private final class WireDeserializer implements Deserializer<T> {
        private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

        @Override
        public void configure(Map<String, ?> configs, boolean key) {
            AvroSerde.this.configure(configs, key);
        }

        @Override
        public T deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            if (data.length < 5 || data[0] != MAGIC_BYTE) {
                throw new NotWireFormatException(topic, data.length);
            }
            int id = ByteBuffer.wrap(data, 1, 4).getInt();
            SpecificDatumReader<T> reader = readers.computeIfAbsent(id,
                    k -> new SpecificDatumReader<>(registry().byId(k), schema, SpecificData.getForClass(type)));
            try {
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null);
                return reader.read(null, decoder);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Record on " + topic + " with schema id " + id
                        + " is not a readable " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        }
    }

    /** The bytes do not start with the Confluent magic byte and a schema id. */
    public static final class NotWireFormatException extends SerializationException {
        public NotWireFormatException(String topic, int length) {
            super("Record on " + topic + " (" + length + " bytes) is not in the Confluent wire format (magic byte 0 + schema id)");
        }
    }
}
