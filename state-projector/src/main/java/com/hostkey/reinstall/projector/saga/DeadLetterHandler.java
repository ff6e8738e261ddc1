package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.projector.ProjectorMetrics;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
 * dead letter on {@value ReinstallTopics#DEAD_LETTERS} has the original key and value bytes and
 * the original headers, plus the same {@code dlq.*} headers the command handler writes:
 * {@value #SOURCE_TOPIC}, {@value #SOURCE_PARTITION}, {@value #SOURCE_OFFSET}, {@value #ERROR_CLASS},
 * {@value #ERROR_MESSAGE}, {@value #SERVICE} and, for processing failures, {@value #PROCESSOR}.
 *
 * <p>Unlike Kafka's built-in handlers this one writes no stack trace header (a trace carries
 * the messages of every cause, which this class cannot vouch for) and logs no trace either.
 *
 * <p>A schema registry that cannot be reached or answers with an error, or Kafka failing to take
 * an output, is not the record's fault: such a failure stops the stream thread (it is replaced,
 * the stores are restored and processing retries from the last commit) instead of dead-lettering
 * a valid record or committing half of what it caused.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {

    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    public static final String ERROR_CLASS = "dlq.error.class";
    public static final String ERROR_MESSAGE = "dlq.error.message";
    public static final String SERVICE = "dlq.service";
    public static final String PROCESSOR = "dlq.processor";
    static final String SERVICE_NAME = "state-projector";
    private static final int MAX_MESSAGE_LENGTH = 1000;
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
                    record.topic(), record.partition(), record.offset(), exception.getClass().getName(), message(exception));
            return DeserializationExceptionHandler.Response.fail();
        }
        log.warn("dead-lettering unreadable {}-{}@{}: {}: {}", record.topic(), record.partition(), record.offset(),
                exception.getClass().getName(), message(exception));
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
                            + context.partition() + "@" + context.offset(), exception.getClass().getName(), message(exception));
            return ProcessingExceptionHandler.Response.fail();
        }
        if (punctuation) {
            // There is no input record to set aside; the next punctuation tries again.
            log.warn("punctuation of {} in task {} failed: {}: {}", context.processorNodeId(), context.taskId(),
                    exception.getClass().getName(), message(exception));
            return ProcessingExceptionHandler.Response.resume();
        }
        log.warn("dead-lettering {}-{}@{}, processing failed in {}: {}: {}", context.topic(), context.partition(), context.offset(),
                context.processorNodeId(), exception.getClass().getName(), message(exception));
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
            if (t instanceof SerializationException && thrownBySerde(t)) {
                return true;
            }
        }
        return !(exception instanceof KafkaException);
    }

    /**
     * The record's own fault: not the wire format, an unknown schema id, or bytes the serde could
     * not decode into the expected type (the serde itself threw, not the registry client).
     */
    static boolean isPoison(Exception exception) {
        if (exception instanceof AvroSerde.NotWireFormatException || exception instanceof SchemaRegistryClient.UnknownSchemaIdException) {
            return true;
        }
        return exception instanceof SerializationException && thrownBySerde(exception);
    }

    /** Made by {@link AvroSerde} itself (decoding or encoding the data), not by the registry client it calls. */
    private static boolean thrownBySerde(Throwable exception) {
        StackTraceElement[] trace = exception.getStackTrace();
        return trace.length > 0 && trace[0].getClassName().startsWith(AvroSerde.class.getName());
    }

    private ProducerRecord<byte[], byte[]> deadLetter(String sourceTopic, int partition, long offset, long timestamp, byte[] key,
                                                      byte[] value, Headers original, String processor, Exception exception) {
        Headers headers = new RecordHeaders();
        if (original != null) {
            for (Header header : original) {
                if (!header.key().startsWith("dlq.")) {
                    headers.add(header);
                }
            }
        }
        headers.add(SOURCE_TOPIC, utf8(String.valueOf(sourceTopic)));
        headers.add(SOURCE_PARTITION, utf8(String.valueOf(partition)));
        headers.add(SOURCE_OFFSET, utf8(String.valueOf(offset)));
        headers.add(ERROR_CLASS, utf8(exception.getClass().getName()));
        headers.add(ERROR_MESSAGE, utf8(message(exception)));
        headers.add(SERVICE, utf8(SERVICE_NAME));
        if (processor != null) {
            headers.add(PROCESSOR, utf8(processor));
        }
        // Streams creates this handler by reflection: the global registry is what reaches ProjectorMetrics.
        Metrics.counter("reinstall.dead.letters", "source_topic", String.valueOf(sourceTopic)).increment();
        return new ProducerRecord<>(topic, null, timestamp < 0 ? null : timestamp, key, value, headers);
    }

    private static String message(Exception exception) {
        String message = String.valueOf(exception.getMessage());
        return message.length() > MAX_MESSAGE_LENGTH ? message.substring(0, MAX_MESSAGE_LENGTH) + "..." : message;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
