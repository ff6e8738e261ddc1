package com.hostkey.reinstall.runtime;

import java.util.Map;
import java.util.Properties;

/**
 * SASL/SSL settings of the Kafka clients, from the environment, the same for every service:
 * {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG[_FILE]},
 * {@code KAFKA_SSL_TRUSTSTORE_LOCATION}, {@code KAFKA_SSL_TRUSTSTORE_PASSWORD[_FILE]},
 * {@code KAFKA_SSL_KEYSTORE_LOCATION}, {@code KAFKA_SSL_KEYSTORE_PASSWORD[_FILE]},
 * {@code KAFKA_SSL_KEY_PASSWORD[_FILE]}, {@code KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM}.
 * Unset variables leave Kafka's defaults (PLAINTEXT).
 */
public final class KafkaClientSecurity {

    private static final Map<String, String> SETTINGS = Map.of(
            "KAFKA_SECURITY_PROTOCOL", "security.protocol",
            "KAFKA_SASL_MECHANISM", "sasl.mechanism",
            "KAFKA_SASL_JAAS_CONFIG", "sasl.jaas.config",
            "KAFKA_SSL_TRUSTSTORE_LOCATION", "ssl.truststore.location",
            "KAFKA_SSL_TRUSTSTORE_PASSWORD", "ssl.truststore.password",
            "KAFKA_SSL_KEYSTORE_LOCATION", "ssl.keystore.location",
            "KAFKA_SSL_KEYSTORE_PASSWORD", "ssl.keystore.password",
            "KAFKA_SSL_KEY_PASSWORD", "ssl.key.password",
            "KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "ssl.endpoint.identification.algorithm");

    private KafkaClientSecurity() {}

    /**
     * Consumer group membership from the environment: {@code <instanceVariable>} becomes
     * {@code group.instance.id} (static membership: an instance restarted under the same id gets its
     * partitions back without a rebalance), {@code KAFKA_SESSION_TIMEOUT_MS} the session timeout.
     */
    public static Properties membership(EnvSettings env, String instanceVariable) {
        Properties props = new Properties();
        String instance = env.optional(instanceVariable, null);
        if (instance != null) {
            props.put("group.instance.id", instance);
        }
        String sessionTimeout = env.optional("KAFKA_SESSION_TIMEOUT_MS", null);
        if (sessionTimeout != null) {
            props.put("session.timeout.ms", sessionTimeout);
        }
        return props;
    }

    /** The client properties the environment sets; empty when it sets none. */
    public static Properties fromEnv(EnvSettings env) {
        Properties props = new Properties();
        SETTINGS.forEach((variable, property) -> {
            String value = env.optional(variable, null);
            if (value != null) {
                props.put(property, value);
            }
        });
        return props;
    }
}
