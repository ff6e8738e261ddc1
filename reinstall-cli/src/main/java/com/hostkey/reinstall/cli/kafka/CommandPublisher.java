package com.hostkey.reinstall.cli.kafka;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.schemas.Topic;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes upstream commands to reinstall-requests (key: server id as a decimal string, value:
 * {@link ReinstallRequest} in the Confluent wire format) and waits for each acknowledgement.
 */
public final class CommandPublisher implements CommandSink {

    private final Producer<String, ReinstallRequest> producer;
    private final Topic<String, ReinstallRequest> topic;
    private final KafkaSettings settings;

    CommandPublisher(Producer<String, ReinstallRequest> producer, Topic<String, ReinstallRequest> topic, KafkaSettings settings) {
        this.producer = producer;
        this.topic = topic;
        this.settings = settings;
    }

    public static CommandPublisher connect(KafkaSettings settings) {
        Topic<String, ReinstallRequest> topic = settings.topics().requests;
        int timeoutMs = (int) settings.timeout().toMillis();
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap(),
                // A command must not be lost nor doubled by a retry: requestId makes repeats harmless,
                // idempotence keeps them from happening at all.
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                // An unreachable broker fails the CLI within its timeout instead of the 60 s default.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs + Math.min(timeoutMs, 30_000),
                ProducerConfig.CLIENT_ID_CONFIG, "reinstall-cli");
        try {
            return new CommandPublisher(new KafkaProducer<>(settings.withSecurity(config), topic.keySerde().serializer(), topic.valueSerde().serializer()),
                    topic, settings);
        } catch (RuntimeException e) {
            throw KafkaErrors.of(e, settings, "connecting");
        }
    }

    @Override
    public Published publish(ReinstallRequest command) {
        ProducerRecord<String, ReinstallRequest> record =
                new ProducerRecord<>(topic.name(), String.valueOf(command.getServerId()), command);
        try {
            RecordMetadata metadata = producer.send(record).get(settings.timeout().toMillis() * 2, TimeUnit.MILLISECONDS);
            return new Published(metadata.topic(), metadata.partition(), metadata.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.INTERNAL, null, "interrupted while publishing", null, e);
        } catch (ExecutionException e) {
            throw KafkaErrors.of(e.getCause(), settings, "publishing to " + topic.name());
        } catch (TimeoutException e) {
            throw KafkaErrors.of(new org.apache.kafka.common.errors.TimeoutException("no acknowledgement", e), settings,
                    "publishing to " + topic.name());
        } catch (RuntimeException e) {
            throw KafkaErrors.of(e, settings, "publishing to " + topic.name());
        }
    }

    @Override
    public void close() {
        producer.close(settings.timeout());
    }
}
