package com.hostkey.reinstall.runtime;

import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The one way a service starts a Kafka client's settings: the bootstrap servers, a {@code client.id}
 * that names the service and the client's role (what the brokers' request logs, quotas and the
 * clients' own metrics show, instead of {@code consumer-3}), and the SASL/SSL settings of
 * {@link KafkaClientSecurity}. The caller then adds what is its own, each with the reason it needs
 * it; group membership ({@link KafkaClientSecurity#membership}) goes last, on consumers only.
 */
public final class KafkaClientProperties {

    private KafkaClientProperties() {}

    /** Bootstrap servers, client id and security: the base every client of a service starts from. */
    public static Properties base(String bootstrapServers, String clientId, Properties security) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        props.putAll(security);
        return props;
    }
}
