package com.hostkey.reinstall.schemas.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A registry held in memory, reached through {@code mock://<name>} URLs: same ids for the same
 * schema, ids by registration order. For unit tests that must not need a registry process.
 */
final class InMemorySchemaRegistry extends SchemaRegistryClient {

    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<String, Integer> idBySchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();

    InMemorySchemaRegistry(String url) {
        super(url);
    }

    @Override
    public int register(String subject, Schema schema) {
        return idBySchema.computeIfAbsent(schema.toString(), k -> {
            int id = nextId.getAndIncrement();
            schemaById.put(id, schema);
            return id;
        });
    }

    @Override
    public int lookup(String subject, Schema schema) {
        Integer id = idBySchema.get(schema.toString());
        if (id == null) {
            throw new org.apache.kafka.common.errors.SerializationException("Schema not registered under subject " + subject);
        }
        return id;
    }

    @Override
    public Schema byId(int id) {
        Schema schema = schemaById.get(id);
        if (schema == null) {
            throw new UnknownSchemaIdException(id, "not in the in-memory registry");
        }
        return schema;
    }
}
