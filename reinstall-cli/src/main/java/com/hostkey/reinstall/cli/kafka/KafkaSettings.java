package com.hostkey.reinstall.cli.kafka;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Where Kafka and the schema registry are, the clients' SASL/SSL settings (from the same
 * {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_*}, {@code KAFKA_SSL_*} variables as the
 * services), the registry's credentials and trust (the services' {@code SCHEMA_REGISTRY_*}), and how long a call may take before the CLI gives up with a clear error.
 */
public record KafkaSettings(String bootstrap, String registryUrl, Duration timeout, Map<String, Object> security,
                            Map<String, String> registryAccess) {

    public KafkaSettings {
        security = Map.copyOf(security);
        registryAccess = Map.copyOf(registryAccess);
    }

    public KafkaSettings(String bootstrap, String registryUrl, Duration timeout) {
        this(bootstrap, registryUrl, timeout, Map.of(), Map.of());
    }

    /** The topics with serdes that reach the registry with its credentials (the SCHEMA_REGISTRY_* variables). */
    public ReinstallTopics topics() {
        Map<String, Object> serde = new HashMap<>(registryAccess);
        serde.put(AvroSerde.SCHEMA_REGISTRY_URL, registryUrl);
        return ReinstallTopics.create(serde);
    }

    /** Secrets left out: which security settings are set, not their values. */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrap=" + bootstrap + ", registryUrl=" + registryUrl + ", timeout=" + timeout
                + ", security=" + security.keySet() + ", registryAccess=" + registryAccess.keySet() + "]";
    }

    /** {@code config} with the security settings added. */
    Map<String, Object> withSecurity(Map<String, Object> config) {
        Map<String, Object> all = new HashMap<>(security);
        all.putAll(config);
        return all;
    }
}
