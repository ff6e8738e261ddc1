package com.hostkey.reinstall.deploy;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Shows the broker's boundary from one login's side (the local stack's {@code deploy/stack.sh as USER}):
 * what it may do on each reinstall topic (the operations the broker reports as authorized), or what
 * happens when it writes one record to a topic, e.g. a forged step to {@code reinstall-steps} as
 * {@code upstream}: refused by the broker with {@code TopicAuthorizationException}. A record the broker
 * takes is a few bytes of text, not a readable command: the service reading the topic dead-letters it.
 *
 * <p>Usage: {@code KafkaAccessProbe BOOTSTRAP_SERVERS CLIENT_PROPERTIES} (the rights) or
 * {@code KafkaAccessProbe BOOTSTRAP_SERVERS CLIENT_PROPERTIES write TOPIC KEY} (exit 0 written,
 * 1 refused by the broker, 2 any other failure). {@code -} for no client properties (PLAINTEXT).
 */
public final class KafkaAccessProbe {

    static final List<String> TOPICS = List.of(ReinstallTopics.REQUESTS, ReinstallTopics.STEPS, ReinstallTopics.EVENTS,
            ReinstallTopics.ADMISSIONS, ReinstallTopics.INTENTS, ReinstallTopics.POLL_TARGETS, ReinstallTopics.COMPLETIONS,
            ReinstallTopics.DEAD_LETTERS);

    private KafkaAccessProbe() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 2) {
            rights(KafkaClientFile.load(args[0], args[1]));
        } else if (args.length == 5 && args[2].equals("write")) {
            System.exit(write(KafkaClientFile.load(args[0], args[1]), args[3], args[4]));
        } else {
            System.err.println("usage: KafkaAccessProbe BOOTSTRAP_SERVERS CLIENT_PROPERTIES [write TOPIC KEY]");
            System.exit(2);
        }
    }

    private static void rights(Properties props) throws InterruptedException {
        System.out.println(KafkaClientFile.principal(props) + ": what the broker lets it do on each reinstall topic");
        try (Admin admin = Admin.create(props)) {
            Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(TOPICS,
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
            for (String topic : TOPICS) {
                String answer;
                try {
                    Set<AclOperation> operations = described.get(topic).get(30, TimeUnit.SECONDS).authorizedOperations();
                    answer = operations == null ? "(not reported)" : operations.stream()
                            .sorted(Comparator.naturalOrder()).map(KafkaAccessProbe::strimziName).collect(Collectors.joining(", "));
                } catch (ExecutionException e) {
                    answer = e.getCause() instanceof AuthorizationException
                            ? "nothing (not even Describe)"
                            : e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
                } catch (TimeoutException e) {
                    answer = "no answer within 30 s";
                }
                System.out.printf("  %-24s %s%n", topic, answer);
            }
        }
    }

    private static int write(Properties props, String topic, String key) throws InterruptedException {
        String who = KafkaClientFile.principal(props);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        byte[] value = ("forged by KafkaAccessProbe at " + Instant.now()).getBytes(StandardCharsets.UTF_8);
        System.out.printf("%s writes one record (key %s) to %s%n", who, key, topic);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            RecordMetadata written = producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
            System.out.printf("  written: %s-%d@%d (the broker let %s write it)%n", written.topic(), written.partition(),
                    written.offset(), who);
            return 0;
        } catch (ExecutionException e) {
            return failed(e.getCause());
        } catch (TimeoutException e) {
            System.out.println("  no acknowledgement within 30 s");
            return 2;
        } catch (RuntimeException e) {
            return failed(e);
        }
    }

    private static int failed(Throwable failure) {
        boolean refused = failure instanceof AuthorizationException;
        System.out.printf("  %s: %s: %s%n", refused ? "refused by the broker" : "failed", failure.getClass().getSimpleName(),
                failure.getMessage());
        return refused ? 1 : 2;
    }

    /** Kafka's operation in the spelling of the KafkaUsers and the README ({@code IDEMPOTENT_WRITE}: {@code IdempotentWrite}). */
    static String strimziName(AclOperation operation) {
        StringBuilder name = new StringBuilder();
        for (String word : operation.name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }
}
