package com.hostkey.reinstall.system;

import com.hostkey.reinstall.testkit.TopicReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.CallIntent;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bad-input corpus: every kind of bad record on the input topics gets a typed rejection or a
 * dead-letter record naming its original coordinates, and a valid reinstall after all of them still
 * completes.
 */
class BadInputCorpusIT {

    private static ReinstallStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        // Every other server (1002, 1004, ...) belongs to an account the services do not hold.
        stack = new ReinstallStack(200.0, SagaSettings.defaults(), AdmissionSettings.defaults(),
                ReinstallStack.API_KEY, ReinstallStack.PIN, 12, true);
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldDeadLetterEveryUnreadableRecordWithItsCoordinates() throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClient.forUrl(stack.registry.url());
        int otherTypeId = registry.register("corpus-wrong-type-value", CallIntent.getClassSchema());
        Schema truncated = SchemaBuilder.record("ReinstallRequest").namespace("com.hostkey.reinstall.schemas.avro")
                .fields().requiredString("commandId").endRecord();
        int truncatedId = registry.register("corpus-missing-fields-value", truncated);
        GenericRecord missingFields = new GenericData.Record(truncated);
        missingFields.put("commandId", "c-missing");

        Map<String, byte[]> corpus = Map.of(
                "not the wire format", "{\"serverId\":1001}".getBytes(StandardCharsets.UTF_8),
                "unknown schema id", ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).putInt(0).array(),
                "a record of another type", wire(otherTypeId, new SpecificDatumWriter<>(CallIntent.class), CallIntent.newBuilder()
                        .setCommandId("c").setServerId(1001).setCall("eq/reboot").setStartedAt(Instant.EPOCH).build()),
                "missing fields", wire(truncatedId, new GenericDatumWriter<>(truncated), missingFields));

        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] bad : corpus.values()) {
                for (String topic : List.of(ReinstallTopics.REQUESTS, ReinstallTopics.STEPS, ReinstallTopics.EVENTS,
                        ReinstallTopics.POLL_TARGETS)) {
                    sent.add(raw.send(new ProducerRecord<>(topic, "1001", bad)).get());
                }
                // A step without a key (the compacted intents topic would refuse a record keyed by it).
                sent.add(raw.send(new ProducerRecord<>(ReinstallTopics.STEPS, null, bad)).get());
            }
        }

        await("a dead letter for each bad record").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    List<String> coordinates = deadLetterCoordinates();
                    for (RecordMetadata original : sent) {
                        assertThat(coordinates).as("dead letter of %s", original)
                                .contains(original.topic() + "/" + original.partition() + "/" + original.offset());
                    }
                    // Each topic has one reader that dead-letters: the projector its inputs, the handler the steps.
                    assertThat(coordinates).as("one dead letter per bad record").doesNotHaveDuplicates();
                });
        // And nothing stopped: a valid reinstall still runs to its end.
        assertThat(reinstallAndWait(1011, "srv1011.example.net", null).getOutcome()).isInstanceOf(ReinstallCompleted.class);
    }

    @Test
    void shouldRejectEachImpossibleRequestWithATypedReason() throws Exception {
        assertRejected(1001, "sërver\u202E.example.net", null, RejectionReason.INVALID_HOSTNAME);
        assertRejected(1003, "a".repeat(64) + ".example.net", null, RejectionReason.INVALID_HOSTNAME);
        assertRejected(1005, "big.example.net", "#!/bin/sh\n" + "x".repeat(100_000), RejectionReason.SCRIPT_TOO_LARGE);
        assertRejected(-7, "neg.example.net", null, RejectionReason.SERVER_NOT_FOUND);
        assertRejected(424_242, "nobody.example.net", null, RejectionReason.SERVER_NOT_FOUND);
        assertRejected(1002, "foreign.example.net", null, RejectionReason.SERVER_NOT_FOUND);

        // A root password that does not open: a plaintext sent by mistake, a JWE whose header was
        // edited to alg dir (the attacker's own content key), one sealed to a key the handler does not hold.
        String sealed = stack.sealer.seal("Corpus7%Password");
        String[] parts = sealed.split("\\.");
        String dirHeader = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"" + ReinstallStack.SEALING_KEY_ID + "\"}").getBytes(StandardCharsets.UTF_8));
        String strangerKey = new com.hostkey.reinstall.schemas.secrets.SecretSealer("retired-key",
                com.hostkey.reinstall.schemas.secrets.SealingKeys.generate().getPublic()).seal("Corpus7%Password");
        assertUnsealable(1013, "Corpus7%Password", RejectionReason.PLAINTEXT_PASSWORD);
        assertUnsealable(1015, dirHeader + sealed.substring(parts[0].length()), RejectionReason.UNSEALABLE_SECRET);
        assertUnsealable(1017, strangerKey, RejectionReason.UNSEALABLE_SECRET);

        // A request published under another server's key is refused, not applied to that server.
        String requestId = "corpus-" + UUID.randomUUID();
        ReinstallRequest misaddressed = request(1009, "srv1009.example.net", null, requestId);
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers());
        try (KafkaProducer<String, ReinstallRequest> producer = new KafkaProducer<>(config, new StringSerializer(),
                stack.topics.requests.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, "1007", misaddressed)).get();
        }
        ReinstallCompletion refused = awaitCompletion(1009, requestId);
        assertThat(((ReinstallRejected) refused.getOutcome()).getReason()).isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(stack.completionsFor(1007)).isEmpty();

        Set<String> sideEffects = Set.of("eq/reinstall", "eq/create_pxe", "eq/boot_dev", "eq/reboot", "eq/clear_pxe");
        Set<Long> refusedServers = Set.of(1001L, 1002L, 1003L, 1005L, -7L, 424_242L, 1009L, 1013L, 1015L, 1017L);
        assertThat(stack.simulator.audit())
                .noneMatch(a -> a.serverId() != null && refusedServers.contains(a.serverId()) && sideEffects.contains(a.call()));
        assertThat(reinstallAndWait(1009, "srv1009.example.net", null).getOutcome()).isInstanceOf(ReinstallCompleted.class);
    }

    // ------------------------------------------------------------------ helpers

    private static void assertRejected(long server, String hostname, String script, RejectionReason reason) throws Exception {
        String requestId = "corpus-" + UUID.randomUUID();
        stack.submit(request(server, hostname, script, requestId));
        ReinstallCompletion completion = awaitCompletion(server, requestId);
        assertThat(completion.getOutcome()).as("server %d, %s", server, reason).isInstanceOfSatisfying(ReinstallRejected.class,
                rejected -> {
                    assertThat(rejected.getReason()).isEqualTo(reason);
                    assertThat(rejected.getMessage()).isNotBlank();
                });
    }

    /** The plaintext is refused by the projector (never stored), the others by the handler that cannot open them. */
    private static void assertUnsealable(long server, String rootPassword, RejectionReason reason) throws Exception {
        String requestId = "corpus-" + UUID.randomUUID();
        // Servers beyond the fleet: the secret is opened before Hostkey is asked anything about the server.
        stack.submit(stack.upstream(server, ReinstallServer.newBuilder().setRequestId(requestId).setOsId(101)
                .setHostname("srv" + server + ".example.net").setRootPassword(rootPassword).build()));
        ReinstallCompletion completion = awaitCompletion(server, requestId);
        assertThat(completion.getOutcome()).as("server %d", server).isInstanceOfSatisfying(ReinstallRejected.class, rejected -> {
            assertThat(rejected.getReason()).isEqualTo(reason);
            assertThat(rejected.getMessage()).contains("rootPassword").doesNotContain("Corpus7%Password");
        });
    }

    private static ReinstallCompletion reinstallAndWait(long server, String hostname, String script) throws Exception {
        String requestId = "corpus-" + UUID.randomUUID();
        stack.submit(request(server, hostname, script, requestId));
        return awaitCompletion(server, requestId);
    }

    private static ReinstallRequest request(long server, String hostname, String script, String requestId) {
        return stack.upstream(server, ReinstallServer.newBuilder()
                .setRequestId(requestId)
                .setOsId(101)
                .setHostname(hostname)
                .setRootPassword(stack.sealer.seal("Corpus7%Password"))
                .setPostInstallScript(script == null ? null : stack.sealer.seal(script))
                .build());
    }

    private static ReinstallCompletion awaitCompletion(long server, String requestId) {
        return await("the completion of " + requestId).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.completionsFor(server).stream().filter(c -> c.getRequestId().equals(requestId)).toList(),
                        list -> !list.isEmpty())
                .get(0);
    }

    private static List<String> deadLetterCoordinates() {
        List<String> coordinates = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> letter : TopicReader.readAll(stack.kafka.bootstrapServers(), ReinstallTopics.DEAD_LETTERS,
                new ByteArrayDeserializer())) {
            assertThat(header(letter, "dlq.error.class")).isNotBlank();
            coordinates.add(header(letter, "dlq.source.topic") + "/" + header(letter, "dlq.source.partition") + "/"
                    + header(letter, "dlq.source.offset"));
        }
        return coordinates;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static <T> byte[] wire(int schemaId, org.apache.avro.io.DatumWriter<T> writer, T value) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(value, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
