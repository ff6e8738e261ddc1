package com.hostkey.reinstall.cli.kafka;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Where Kafka and the schema registry are, the clients' SASL/SSL settings (from the same
 * {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_*}, {@code KAFKA_SSL_*} variables as the
 * services), and how long a call may take before the CLI gives up with a clear error.
 */
public record KafkaSettings(String bootstrap, String registryUrl, Duration timeout, Map<String, Object> security) {

    public KafkaSettings {
        security = Map.copyOf(security);
    }

    public KafkaSettings(String bootstrap, String registryUrl, Duration timeout) {
        this(bootstrap, registryUrl, timeout, Map.of());
    }

    public ReinstallTopics topics() {
        return ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, registryUrl));
    }

    /** {@code config} with the security settings added. */
    Map<String, Object> withSecurity(Map<String, Object> config) {
        Map<String, Object> all = new HashMap<>(security);
        all.putAll(config);
        return all;
    }
}
