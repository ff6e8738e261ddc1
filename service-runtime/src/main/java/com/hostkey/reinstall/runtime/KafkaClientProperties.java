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

    /**
     * {@code retry.backoff.ms} of a producer that commits transactions back to back (the command
     * handler's loop, a projector stream thread under exactly-once). A commit returns once the
     * coordinator has logged it, before its markers are written; the next transaction's
     * AddOffsetsToTxn (and, with transactions v2, its first produce) meets
     * {@code CONCURRENT_TRANSACTIONS} meanwhile and is retried after the backoff. At the default
     * 100 ms about one commit in a hundred took over 100 ms, the hops' p99 (docs/benchmarks.md,
     * "Issue 19 items 3 and 4: back-to-back transactions, and the validation ahead"). The markers take a few milliseconds, so this retries soon after;
     * retries still double up to {@code retry.backoff.max.ms} (1 s), so an unavailable broker is
     * not hammered.
     */
    public static final int TRANSACTIONAL_RETRY_BACKOFF_MS = 5;

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
