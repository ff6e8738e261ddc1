package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.schemas.serde.AvroSerde;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The projector's Avro serdes: {@link AvroSerde}'s Confluent wire format, byte for byte, with two
 * costs taken off the per-record path that the profile of figure 3 (docs/benchmarks.md) showed:
 *
 * <ul>
 *   <li>{@link AvroSerde}'s serializer looks the schema id up on every record under a key that
 *       includes {@code Schema.toString()}, which renders the whole schema as JSON each time. The
 *       id of a (topic, schema) pair never changes, so {@link SchemaIdOnceSerializer} lets AvroSerde
 *       write the first record of each topic (registering the schema as configured) and writes the
 *       rest with the same 5-byte prefix.</li>
 *   <li>Kafka Streams asks a store's serde for its deserializer on every read, and AvroSerde hands out
 *       a new one each time, whose reader then resolves the writer schema against the reader schema
 *       afresh. {@link #store} keeps one serializer and one deserializer per store.</li>
 * </ul>
 */
final class ProjectorSerdes {

    /** Magic byte and the 4-byte schema id. */
    private static final int PREFIX_LENGTH = 5;

    private ProjectorSerdes() {}

    /** A store's value serde: the same serializer and deserializer instance for every call. */
    static <T extends SpecificRecord> Serde<T> store(Serde<T> avro) {
        return Serdes.serdeFrom(new SchemaIdOnceSerializer<>(avro.serializer()), avro.deserializer());
    }

    /** A sink's value serializer. */
    static <T extends SpecificRecord> Serializer<T> sink(Serde<T> avro) {
        return new SchemaIdOnceSerializer<>(avro.serializer());
    }

    /**
     * Writes the first record of each topic through AvroSerde's serializer and keeps its prefix
     * (magic byte, schema id); later records of the topic get that prefix and the Avro binary
     * encoding, exactly what AvroSerde would write. A record of another schema than the first one's
     * (not expected: one serde serves one generated class) goes to AvroSerde's serializer.
     */
    static final class SchemaIdOnceSerializer<T extends SpecificRecord> implements Serializer<T> {
        private final Serializer<T> avro;
        private final Map<String, byte[]> prefixByTopic = new ConcurrentHashMap<>();
        private volatile Schema schema;
        private volatile SpecificDatumWriter<T> writer;

        SchemaIdOnceSerializer(Serializer<T> avro) {
            this.avro = avro;
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            avro.configure(configs, isKey);
        }

        @Override
        public byte[] serialize(String topic, T data) {
            if (data == null) {
                return null;
            }
            byte[] prefix = prefixByTopic.get(topic);
            if (prefix == null || data.getSchema() != schema) {
                byte[] bytes = avro.serialize(topic, data);
                if (schema == null) {
                    writer = new SpecificDatumWriter<>(data.getSchema());
                    schema = data.getSchema();
                }
                if (data.getSchema() == schema) {
                    prefixByTopic.putIfAbsent(topic, Arrays.copyOf(bytes, PREFIX_LENGTH));
                }
                return bytes;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.writeBytes(prefix);
            try {
                BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
                writer.write(data, encoder);
                encoder.flush();
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Cannot write " + schema.getName() + " for topic " + topic + ": " + e.getMessage(), e);
            }
            return out.toByteArray();
        }

        @Override
        public void close() {
            avro.close();
        }
    }
}
