package com.hostkey.reinstall.runtime;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The one dead-letter format of {@value ReinstallTopics#DEAD_LETTERS}, whoever writes it (the command
 * handler and the stage poller with {@link #of}, the projector's Kafka Streams handler with
 * {@link #headers}): the original key, value bytes and timestamp, the original headers, and where it
 * came from and why in {@code dlq.*} headers: {@value #SOURCE_TOPIC}, {@value #SOURCE_PARTITION},
 * {@value #SOURCE_OFFSET}, {@value #ERROR_CLASS}, {@value #ERROR_MESSAGE} (at most
 * {@value #MAX_MESSAGE_LENGTH} characters), {@value #SERVICE} and, for a failure inside a Streams
 * processor, {@value #PROCESSOR}. Error messages of the project's serdes name the problem, never the
 * record's contents; no stack trace is written (a trace carries the messages of every cause, which
 * no writer can vouch for).
 */
public final class DeadLetters {

    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    public static final String ERROR_CLASS = "dlq.error.class";
    public static final String ERROR_MESSAGE = "dlq.error.message";
    public static final String SERVICE = "dlq.service";
    public static final String PROCESSOR = "dlq.processor";
    static final int MAX_MESSAGE_LENGTH = 1000;
    private static final String PREFIX = "dlq.";

    private DeadLetters() {}

    /** The dead letter of a consumed record {@code service} could not use. */
    public static ProducerRecord<String, byte[]> of(ConsumerRecord<String, byte[]> record, Exception error, String service) {
        Headers headers = headers(record.topic(), record.partition(), record.offset(), record.headers(), error, service, null);
        return new ProducerRecord<>(ReinstallTopics.DEAD_LETTERS, null, record.timestamp() < 0 ? null : record.timestamp(),
                record.key(), record.value(), headers);
    }

    /**
     * The dead letter's headers: the original ones (minus any {@code dlq.*} of an earlier dead
     * letter) and the origin and reason.
     *
     * @param processor the Streams processor that failed, or null
     */
    public static Headers headers(String sourceTopic, int partition, long offset, Headers original, Exception error,
                                  String service, String processor) {
        Headers headers = new RecordHeaders();
        if (original != null) {
            for (Header header : original) {
                if (!header.key().startsWith(PREFIX)) {
                    headers.add(header);
                }
            }
        }
        headers.add(SOURCE_TOPIC, utf8(String.valueOf(sourceTopic)));
        headers.add(SOURCE_PARTITION, utf8(String.valueOf(partition)));
        headers.add(SOURCE_OFFSET, utf8(String.valueOf(offset)));
        headers.add(ERROR_CLASS, utf8(error.getClass().getName()));
        headers.add(ERROR_MESSAGE, utf8(message(error)));
        headers.add(SERVICE, utf8(service));
        if (processor != null) {
            headers.add(PROCESSOR, utf8(processor));
        }
        return headers;
    }

    /** The error's message, bounded to {@value #MAX_MESSAGE_LENGTH} characters: for the dead letter and for log lines. */
    public static String message(Exception error) {
        String message = String.valueOf(error.getMessage());
        return message.length() > MAX_MESSAGE_LENGTH ? message.substring(0, MAX_MESSAGE_LENGTH) + "..." : message;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
