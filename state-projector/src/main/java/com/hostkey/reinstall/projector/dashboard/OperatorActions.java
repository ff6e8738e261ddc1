package com.hostkey.reinstall.projector.dashboard;

import com.hostkey.reinstall.projector.ProjectorConfig;
import com.hostkey.reinstall.runtime.KafkaClientProperties;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReleaseServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator may do from the dashboard: publish {@link CancelReinstall} and
 * {@link ReleaseServer} on reinstall-requests (key: server id), issued by
 * {@code dashboard:<operator>}, exactly as an upstream system would. The saga decides what the
 * command does; every action is thereby recorded as a command naming the operator. A plain
 * producer owned by the projector process, outside Kafka Streams: idempotent, {@code acks=all}.
 */
public final class OperatorActions implements AutoCloseable {

    static final String ISSUER_PREFIX = "dashboard:";
    private static final Logger log = LoggerFactory.getLogger(OperatorActions.class);
    /** An HTTP request waits at most this long for the broker's acknowledgement. */
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);

    private final Producer<String, ReinstallRequest> producer;
    private final Clock clock;

    OperatorActions(Producer<String, ReinstallRequest> producer, Clock clock) {
        this.producer = producer;
        this.clock = clock;
    }

    /** A producer of the projector's cluster, with its credentials. */
    public static OperatorActions start(ProjectorConfig config, ReinstallTopics topics) {
        Properties props = KafkaClientProperties.base(config.bootstrapServers(), config.applicationId() + "-operator-actions",
                config.clientSecurity());
        // An operator's cancel must neither be lost nor written twice by a producer retry.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Bounds of one HTTP request: a broker that cannot be reached becomes a 503, not a hung page.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        // Each action is one record sent on its own: nothing to batch for.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new OperatorActions(new KafkaProducer<>(props, new StringSerializer(), topics.requests.valueSerde().serializer()),
                Clock.systemUTC());
    }

    /** Publishes a CancelReinstall for {@code serverId}; answers its command id once the broker has it. */
    String cancel(long serverId, String operator, String reason) throws ActionFailedException {
        return publish(serverId, operator, CancelReinstall.newBuilder().setReason(reason).build());
    }

    /** Publishes a ReleaseServer for {@code serverId}; answers its command id once the broker has it. */
    String release(long serverId, String operator, String reason) throws ActionFailedException {
        return publish(serverId, operator, ReleaseServer.newBuilder().setReason(reason).build());
    }

    private String publish(long serverId, String operator, Object payload) throws ActionFailedException {
        ReinstallRequest command = ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(serverId)
                .setIssuedAt(clock.instant())
                .setIssuedBy(ISSUER_PREFIX + operator)
                .setPayload(payload)
                .build();
        String kind = payload.getClass().getSimpleName();
        try {
            producer.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(serverId), command))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            log.warn("operator {} could not publish {} for server={}: {}", operator, kind, serverId, cause.toString());
            throw new ActionFailedException("the command could not be published, retry shortly", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActionFailedException("interrupted, retry shortly", e);
        }
        log.info("operator {} published {} for server={} command={}", operator, kind, serverId, command.getCommandId());
        return command.getCommandId();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /** The command did not reach Kafka; the caller may retry. */
    static final class ActionFailedException extends Exception {
        ActionFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
