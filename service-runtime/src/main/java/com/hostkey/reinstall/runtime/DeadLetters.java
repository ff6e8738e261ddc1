package com.hostkey.reinstall.runtime;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead-letter record of a consumed record no service could read: the original key and value
 * bytes, and where it came from and why in headers. Error messages of the project's serdes name the
 * problem, never the record's contents.
 */
public final class DeadLetters {

    private DeadLetters() {}

    public static ProducerRecord<String, byte[]> of(ConsumerRecord<String, byte[]> record, Exception error, String service) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dlq.source.topic", utf8(record.topic()));
        headers.add("dlq.source.partition", utf8(String.valueOf(record.partition())));
        headers.add("dlq.source.offset", utf8(String.valueOf(record.offset())));
        headers.add("dlq.error.class", utf8(error.getClass().getName()));
        headers.add("dlq.error.message", utf8(String.valueOf(error.getMessage())));
        headers.add("dlq.service", utf8(service));
        return new ProducerRecord<>(ReinstallTopics.DEAD_LETTERS, null, record.key(), record.value(), headers);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
