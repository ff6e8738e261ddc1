package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.projector.ProjectorMetrics;
import com.hostkey.reinstall.runtime.DeadLetters;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.Metrics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-letters poison records through Kafka Streams' own dead-letter mechanism (KIP-1034: the
 * handler's response carries the records, written by the task inside its transaction) and lets
 * processing go on.
 *
 * <p>A record is poison when its bytes are not the Confluent wire format, name a schema id the
 * registry does not know, or do not read as the topic's type; or when processing it throws. Its
 * dead letter on {@value ReinstallTopics#DEAD_LETTERS} is in the one format every service writes
 * ({@link DeadLetters}), with the failed processor's name for processing failures. Unlike Kafka's
 * built-in handlers this one writes no stack trace header and logs no trace either.
 *
 * <p>A schema registry that cannot be reached or answers with an error, or Kafka failing to take
 * an output, is not the record's fault: such a failure stops the stream thread (it is replaced,
 * the stores are restored and processing retries from the last commit) instead of dead-lettering
 * a valid record or committing half of what it caused.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {

    static final String SERVICE_NAME = "state-projector";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);

    private String topic = ReinstallTopics.DEAD_LETTERS;

    @Override
    public void configure(Map<String, ?> configs) {
        Object configured = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (configured != null && !configured.toString().isBlank()) {
            topic = configured.toString();
        }
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                               Exception exception) {
        if (!isPoison(exception)) {
            log.error("cannot read {}-{}@{} for a reason outside the record ({}: {}); stopping the stream thread to retry",
                    record.topic(), record.partition(), record.offset(), exception.getClass().getName(), DeadLetters.message(exception));
            return DeserializationExceptionHandler.Response.fail();
        }
        log.warn("dead-lettering unreadable {}-{}@{}: {}: {}", record.topic(), record.partition(), record.offset(),
                exception.getClass().getName(), DeadLetters.message(exception));
        return DeserializationExceptionHandler.Response.resume(List.of(deadLetter(record.topic(), record.partition(), record.offset(),
                record.timestamp(), record.key(), record.value(), record.headers(), null, exception)));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        boolean punctuation = context.topic() == null && context.sourceRawKey() == null && context.sourceRawValue() == null;
        if (!isRecordsFault(exception)) {
            // Kafka or the registry failed (writing an output, say): retrying from the last commit
            // restores the stores and loses nothing, where skipping would drop a valid record.
            log.error("{} failed for a reason outside the record ({}: {}); stopping the stream thread to retry",
                    punctuation ? "punctuation of " + context.processorNodeId() : "processing " + context.topic() + "-"
                            + context.partition() + "@" + context.offset(), exception.getClass().getName(), DeadLetters.message(exception));
            return ProcessingExceptionHandler.Response.fail();
        }
        if (punctuation) {
            // There is no input record to set aside; the next punctuation tries again.
            log.warn("punctuation of {} in task {} failed: {}: {}", context.processorNodeId(), context.taskId(),
                    exception.getClass().getName(), DeadLetters.message(exception));
            return ProcessingExceptionHandler.Response.resume();
        }
        log.warn("dead-lettering {}-{}@{}, processing failed in {}: {}: {}", context.topic(), context.partition(), context.offset(),
                context.processorNodeId(), exception.getClass().getName(), DeadLetters.message(exception));
        return ProcessingExceptionHandler.Response.resume(List.of(deadLetter(context.topic(), context.partition(), context.offset(),
                context.timestamp(), context.sourceRawKey(), context.sourceRawValue(), context.headers(), context.processorNodeId(),
                exception)));
    }

    /**
     * Whether processing failed because of the record itself: the projector's own code threw, or
     * our serde refused to write what it made of the record. A Kafka or registry failure (a
     * {@link KafkaException} not caused by the serde refusing the data) is not the record's fault.
     */
    static boolean isRecordsFault(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SerializationException && AvroSerde.thrownByThisSerde(t)) {
                return true;
            }
        }
        return !(exception instanceof KafkaException);
    }

    /** The record's own fault ({@link AvroSerde#blamesTheRecord}). */
    static boolean isPoison(Exception exception) {
        return AvroSerde.blamesTheRecord(exception);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(String sourceTopic, int partition, long offset, long timestamp, byte[] key,
                                                      byte[] value, Headers original, String processor, Exception exception) {
        Headers headers = DeadLetters.headers(sourceTopic, partition, offset, original, exception, SERVICE_NAME, processor);
        // Streams creates this handler by reflection: the global registry is what reaches ProjectorMetrics.
        Metrics.counter("reinstall.dead.letters", "source_topic", String.valueOf(sourceTopic)).increment();
        return new ProducerRecord<>(topic, null, timestamp < 0 ? null : timestamp, key, value, headers);
    }
}
