package com.hostkey.reinstall.deploy;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo an upstream system would be: seals a fresh root password with the handler's public
 * key, publishes one ReinstallServer request on reinstall-requests (the public topic; the step
 * commands on reinstall-steps are the state projector's alone), then follows the server's events
 * and prints each of the nine steps as it happens, until the completion record arrives.
 *
 * <p>Usage: {@code DemoReinstall --bootstrap HOST:PORT --registry URL --public-key FILE --key-id ID
 * [--server 1001] [--os 101] [--tasks a,b] [--timeout-seconds 300]}. Exit code 0 when the
 * reinstall completed, 1 otherwise.
 */
public final class DemoReinstall {

    private static final String PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

    private DemoReinstall() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        String bootstrap = require(opts, "bootstrap");
        long server = Long.parseLong(opts.getOrDefault("server", "1001"));
        long os = Long.parseLong(opts.getOrDefault("os", "101"));
        List<String> tasks = opts.getOrDefault("tasks", "monitoring-agent").isBlank() ? List.of()
                : Arrays.asList(opts.getOrDefault("tasks", "monitoring-agent").split(","));
        Duration timeout = Duration.ofSeconds(Long.parseLong(opts.getOrDefault("timeout-seconds", "300")));
        SecretSealer sealer = SecretSealer.fromPem(require(opts, "key-id"), Files.readString(Path.of(require(opts, "public-key"))));
        ReinstallTopics topics = ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, require(opts, "registry")));

        String requestId = "demo-" + UUID.randomUUID();
        ReinstallRequest request = ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(server)
                .setIssuedAt(Instant.now())
                .setIssuedBy("demo")
                .setPayload(ReinstallServer.newBuilder()
                        .setRequestId(requestId)
                        .setOsId(os)
                        .setHostname("srv" + server + ".demo.example.net")
                        // A random password that meets Hostkey's policy; it exists only sealed from here on.
                        .setRootPassword(sealer.seal(randomPassword()))
                        .setPartitionScheme(PartitionScheme.LVM_RAID1)
                        .setJenkinsTasks(tasks)
                        .build())
                .build();

        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new java.util.ArrayList<>();
            for (String topic : List.of(topics.events.name(), topics.completions.name())) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix the start before submitting

            try (KafkaProducer<String, ReinstallRequest> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                    new StringSerializer(), topics.requests.valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(topics.requests.name(), String.valueOf(server), request)).get();
            }
            Instant start = Instant.now();
            System.out.printf("Submitted ReinstallServer for server %d: OS %d, tasks %s, request %s%n", server, os, tasks, requestId);
            System.out.println("(root password generated and sealed with key " + sealer.keyId() + "; it is never printed)");

            Instant deadline = start.plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (!record.key().equals(String.valueOf(server))) {
                        continue;
                    }
                    String elapsed = String.format("[+%5.1fs]", Duration.between(start, Instant.now()).toMillis() / 1000.0);
                    if (record.topic().equals(topics.events.name())) {
                        ReinstallEvent event = topics.events.valueSerde().deserializer().deserialize(record.topic(), record.value());
                        System.out.println(elapsed + " " + describe(event));
                    } else {
                        ReinstallCompletion completion = topics.completions.valueSerde().deserializer()
                                .deserialize(record.topic(), record.value());
                        if (!completion.getRequestId().equals(requestId)) {
                            continue;
                        }
                        boolean ok = completion.getOutcome() instanceof ReinstallCompleted;
                        System.out.printf("%s Reinstall %s: %s%n", elapsed, ok ? "COMPLETED" : "ENDED",
                                completion.getOutcome());
                        System.exit(ok ? 0 : 1);
                    }
                }
            }
            System.out.println("No completion within " + timeout + "; see the services' logs.");
            System.exit(1);
        }
    }

    static String describe(ReinstallEvent event) {
        return switch (event.getPayload()) {
            case ReinstallValidated v -> "   validated: " + v.getOsName() + " is offered for this server (" + v.getLocation() + ")";
            case ValidationFailed f -> "   rejected: " + f.getReason() + " (" + f.getField() + "): " + f.getMessage();
            case ReinstallKeyCreated k -> "1/9 reinstall key created";
            case ActionAccepted a -> stepOf(a.getAction().name()) + " " + label(a.getAction().name()) + ": requested";
            case ActionCompleted c -> stepOf(c.getAction().name()) + " " + label(c.getAction().name()) + ": done";
            case ActionFailed f -> stepOf(f.getAction().name()) + " " + label(f.getAction().name()) + ": FAILED " + f.getReason();
            case InstallStageReached s -> (s.getStage() == 1 ? "5/9" : "6/9") + " installer stage " + s.getStage() + "/5"
                    + (s.getScope() == null ? "" : ": " + s.getScope()) + (s.getObserved() ? "" : " (inferred)");
            case InstallFailed f -> "6/9 install FAILED after stage " + f.getLastStage() + ": " + f.getReason();
            case HostkeyCallFailed f -> "   Hostkey call " + f.getCall() + " failed (" + f.getErrorClass() + "): " + f.getMessage();
            default -> "   " + event.getPayload().getClass().getSimpleName();
        };
    }

    private static String stepOf(String action) {
        return switch (action) {
            case "CREATE_PXE" -> "2/9";
            case "BOOT_FROM_PXE" -> "3/9";
            case "REBOOT" -> "4/9";
            case "BOOT_FROM_DISK" -> "7/9";
            case "JENKINS_TASK" -> "8/9";
            case "CLEAR_PXE" -> "9/9";
            default -> "   ";
        };
    }

    private static String label(String action) {
        return switch (action) {
            case "CREATE_PXE" -> "PXE config";
            case "BOOT_FROM_PXE" -> "boot from PXE";
            case "REBOOT" -> "reboot";
            case "BOOT_FROM_DISK" -> "boot from disk";
            case "JENKINS_TASK" -> "Jenkins post-install task";
            case "CLEAR_PXE" -> "clear PXE config";
            default -> action;
        };
    }

    static String randomPassword() {
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder("Rz7");
        for (int i = 0; i < 12; i++) {
            password.append(PASSWORD_ALPHABET.charAt(random.nextInt(PASSWORD_ALPHABET.length())));
        }
        return password.append("%q").toString();
    }

    private static Properties consumerProps(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }

    private static String require(Map<String, String> opts, String name) {
        String value = opts.get(name);
        if (value == null) {
            System.err.println("missing --" + name);
            System.exit(2);
        }
        return value;
    }
}
