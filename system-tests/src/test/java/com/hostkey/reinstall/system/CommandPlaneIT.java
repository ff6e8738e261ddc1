package com.hostkey.reinstall.system;

import com.hostkey.reinstall.testkit.TopicReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.invapi.simulator.InvariantReport;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.RequestDuplicate;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The command plane against a real broker (invariants 1, 4 and 9): an upstream request reaches its
 * server's saga whatever partition or partitioner its producer chose, and a request id a server has
 * seen before starts nothing, even when it comes back after a newer request.
 */
class CommandPlaneIT {

    /** Each of these is published on an explicit partition that is not the one murmur2 picks for its key. */
    private static final List<Long> MISPLACED_SERVERS = List.of(1001L, 1002L, 1003L, 1004L, 1005L, 1006L);
    /** Candidates for the server requested by two producers with different partitioners (1008 is the redelivery test's). */
    private static final List<Long> TWO_PARTITIONER_CANDIDATES = List.of(1007L, 1009L, 1010L);
    private static final long REDELIVERY_SERVER = 1008;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ReinstallStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        stack = new ReinstallStack(100.0, SagaSettings.defaults(), AdmissionSettings.defaults(),
                ReinstallStack.API_KEY, ReinstallStack.PIN, 10);
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    /**
     * Requests published on every partition, none on the one Java's default partitioner would pick,
     * and one server requested by a Java producer and by a producer partitioning as librdkafka does
     * (CRC32): every server still gets exactly one saga, one state and one install, and the second
     * request of the doubly requested server is refused as ALREADY_IN_PROGRESS by that same saga.
     */
    @Test
    void shouldRunOneReinstallPerServerWhateverPartitionOrPartitionerTheProducerUsed() throws Exception {
        Map<Long, String> accepted = new LinkedHashMap<>();
        Map<Long, Integer> partitionOf = new LinkedHashMap<>();
        int partitions;
        try (KafkaProducer<String, ReinstallRequest> producer = producer(Map.of())) {
            partitions = producer.partitionsFor(ReinstallTopics.REQUESTS).size();
            assertThat(partitions).as("partitions of %s", ReinstallTopics.REQUESTS).isGreaterThan(1);
            int[] load = new int[partitions];
            for (long server : MISPLACED_SERVERS) {
                int murmur = murmur2Partition(server, partitions);
                // The least loaded partition that is not murmur2's: every partition gets some.
                int chosen = -1;
                for (int p = 0; p < partitions; p++) {
                    if (p != murmur && (chosen < 0 || load[p] < load[chosen])) {
                        chosen = p;
                    }
                }
                load[chosen]++;
                String requestId = "plane-misplaced-" + server + "-" + UUID.randomUUID();
                RecordMetadata sent = producer.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, chosen, String.valueOf(server),
                        reinstall(server, requestId))).get();
                assertThat(sent.partition()).isEqualTo(chosen).isNotEqualTo(murmur);
                accepted.put(server, requestId);
                partitionOf.put(server, chosen);
            }
        }
        assertThat(partitionOf.values().stream().distinct().count()).as("a request on every partition: %s", partitionOf)
                .isEqualTo(partitions);

        // One server, two producers: Java's default partitioner (murmur2) and librdkafka's (CRC32).
        final int partitionCount = partitions;
        long twice = TWO_PARTITIONER_CANDIDATES.stream()
                .filter(s -> crc32Partition(s, partitionCount) != murmur2Partition(s, partitionCount))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no candidate server whose CRC32 and murmur2 partitions differ"));
        String first = "plane-java-" + UUID.randomUUID();
        String second = "plane-librdkafka-" + UUID.randomUUID();
        RecordMetadata viaMurmur;
        RecordMetadata viaCrc;
        try (KafkaProducer<String, ReinstallRequest> java = producer(Map.of());
             KafkaProducer<String, ReinstallRequest> librdkafkaLike = producer(
                     Map.of(ProducerConfig.PARTITIONER_CLASS_CONFIG, LibrdkafkaConsistentRandomPartitioner.class.getName()))) {
            viaMurmur = java.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(twice), reinstall(twice, first))).get();
            // The second request must find the first one's reinstall running: wait until the saga holds it.
            await("the first request of server " + twice + " in the projector's state").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> first.equals(stateOf(twice).path("requestId").asText()));
            viaCrc = librdkafkaLike.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(twice), reinstall(twice, second))).get();
        }
        assertThat(viaMurmur.partition()).isEqualTo(murmur2Partition(twice, partitions));
        assertThat(viaCrc.partition()).as("the two producers put server %d on different partitions", twice)
                .isEqualTo(crc32Partition(twice, partitions))
                .isNotEqualTo(viaMurmur.partition());
        accepted.put(twice, first);

        List<String> expected = new java.util.ArrayList<>(accepted.values());
        expected.add(second);
        await("a completion for every accepted request and the refusal").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(completionCountsByRequest().keySet()).as("requests with a completion")
                        .containsAll(expected));

        List<ReinstallCompletion> completions = completions();
        for (Map.Entry<Long, String> entry : accepted.entrySet()) {
            long server = entry.getKey();
            List<ReinstallCompletion> ofRequest = completions.stream()
                    .filter(c -> c.getRequestId().equals(entry.getValue())).toList();
            assertThat(ofRequest).as("completions of server %d's request", server).hasSize(1);
            assertThat(ofRequest.get(0).getServerId()).isEqualTo(server);
            assertThat(ofRequest.get(0).getOutcome()).as("outcome of server %d", server).isInstanceOf(ReinstallCompleted.class);
        }
        List<ReinstallCompletion> refusals = completions.stream().filter(c -> c.getRequestId().equals(second)).toList();
        assertThat(refusals).as("completions of the second request of server %d", twice).hasSize(1);
        assertThat(refusals.get(0).getOutcome()).isInstanceOfSatisfying(ReinstallRejected.class,
                rejected -> assertThat(rejected.getReason()).isEqualTo(RejectionReason.ALREADY_IN_PROGRESS));
        assertThat(stack.completionsFor(twice)).as("server %d: one completion per request", twice).hasSize(2);

        // One state per server in the projector's store (two tasks each holding the server would list it twice).
        JsonNode all = JSON.readTree(get("/reinstalls?limit=1000").body());
        Map<Long, Long> statesPerServer = new HashMap<>();
        all.path("reinstalls").forEach(r -> statesPerServer.merge(r.path("serverId").asLong(), 1L, Long::sum));
        for (Map.Entry<Long, String> entry : accepted.entrySet()) {
            assertThat(statesPerServer.get(entry.getKey())).as("states of server %d", entry.getKey()).isEqualTo(1L);
            JsonNode state = stateOf(entry.getKey());
            assertThat(state.path("requestId").asText()).isEqualTo(entry.getValue());
            assertThat(state.path("phase").asText()).isEqualTo("COMPLETED");
        }

        // Hostkey saw one reinstall per server.
        InvariantReport report = stack.simulator.invariantReport();
        for (long server : accepted.keySet()) {
            assertThat(report.reinstallCounts().get(server)).as("installs on server %d", server).isEqualTo(1);
            assertThat(calls(server, "eq/reinstall")).as("eq/reinstall calls for server %d", server).isEqualTo(1);
        }
        assertThat(report.clean()).as("invariant report %s", report).isTrue();
    }

    /**
     * Request A ends, request B for the same server ends, then A is delivered again (a producer's
     * retry, a replay from an old offset): the projector acknowledges it with RequestDuplicate and
     * starts nothing: no step, no validation read, no eq/reinstall, and no second completion.
     */
    @Test
    void shouldStartNothingWhenAnOlderRequestIsRedeliveredAfterANewerOne() throws Exception {
        long server = REDELIVERY_SERVER;
        String idA = "plane-a-" + UUID.randomUUID();
        String idB = "plane-b-" + UUID.randomUUID();
        ReinstallRequest requestA = reinstall(server, idA);

        stack.submit(requestA);
        assertThat(awaitCompletion(server, idA).getOutcome()).isInstanceOf(ReinstallCompleted.class);
        stack.submit(reinstall(server, idB));
        assertThat(awaitCompletion(server, idB).getOutcome()).isInstanceOf(ReinstallCompleted.class);

        int stepsBefore = stepsFor(server).size();
        int showsBefore = calls(server, "eq/show");
        int reinstallsBefore = calls(server, "eq/reinstall");
        assertThat(reinstallsBefore).isEqualTo(2);

        stack.submit(requestA); // the very same record, once more
        await("the projector's answer to the redelivered request " + idA).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> duplicateOf(server, idA).isPresent() || stepsFor(server).size() > stepsBefore);
        // The projector decides and publishes atomically (exactly_once_v2): a step it issued for the
        // redelivered request would be visible now, in the transaction of the RequestDuplicate.
        List<StepCommand> stepsAfter = stepsFor(server);
        assertThat(stepsAfter.subList(stepsBefore, stepsAfter.size()))
                .as("steps of server %d issued after the redelivery", server).isEmpty();
        RequestDuplicate duplicate = duplicateOf(server, idA).orElseThrow();
        assertThat(duplicate.getMessage()).contains(idA);
        assertThat(calls(server, "eq/show")).as("validation reads").isEqualTo(showsBefore);
        assertThat(calls(server, "eq/reinstall")).as("eq/reinstall calls").isEqualTo(reinstallsBefore);
        assertThat(stack.simulator.server(server).installsStarted()).isEqualTo(2);

        Map<String, Long> perRequest = stack.completionsFor(server).stream()
                .collect(Collectors.groupingBy(ReinstallCompletion::getRequestId, Collectors.counting()));
        assertThat(perRequest).as("terminal records per request of server %d", server).containsExactlyInAnyOrderEntriesOf(
                Map.of(idA, 1L, idB, 1L));
        JsonNode state = stateOf(server);
        assertThat(state.path("requestId").asText()).as("the newer request stays the server's latest").isEqualTo(idB);
        assertThat(state.path("phase").asText()).isEqualTo("COMPLETED");
    }

    // ------------------------------------------------------------------ helpers

    /**
     * librdkafka's default partitioner, {@code consistent_random}: CRC32 of the key bytes modulo the
     * partition count (a random partition for a key-less record), as a Go, Python or C producer
     * built on librdkafka places records.
     */
    public static final class LibrdkafkaConsistentRandomPartitioner implements Partitioner {

        public LibrdkafkaConsistentRandomPartitioner() {}

        @Override
        public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
            int count = cluster.partitionsForTopic(topic).size();
            if (keyBytes == null || keyBytes.length == 0) {
                return ThreadLocalRandom.current().nextInt(count);
            }
            return crc32Partition(keyBytes, count);
        }

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }

    private static int murmur2Partition(long server, int partitions) {
        return Utils.toPositive(Utils.murmur2(key(server))) % partitions;
    }

    private static int crc32Partition(long server, int partitions) {
        return crc32Partition(key(server), partitions);
    }

    private static int crc32Partition(byte[] key, int partitions) {
        CRC32 crc = new CRC32();
        crc.update(key);
        return (int) (crc.getValue() % partitions);
    }

    private static byte[] key(long server) {
        return new StringSerializer().serialize(ReinstallTopics.REQUESTS, String.valueOf(server));
    }

    private static KafkaProducer<String, ReinstallRequest> producer(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(extra);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers());
        return new KafkaProducer<>(config, new StringSerializer(), stack.topics.requests.valueSerde().serializer());
    }

    private static ReinstallRequest reinstall(long server, String requestId) {
        return stack.upstream(server, ReinstallServer.newBuilder()
                .setRequestId(requestId)
                // The generated fleet cycles bm, bm, vm, gpu: GPU servers take the GPU image.
                .setOsId((server - 1001) % 4 == 3 ? 301 : 101)
                .setHostname("srv" + server + ".plane.example.net")
                .setRootPassword(stack.sealer.seal("Plane7%Password"))
                .build());
    }

    private static List<ReinstallCompletion> completions() {
        return TopicReader.readAll(stack.kafka.bootstrapServers(), ReinstallTopics.COMPLETIONS,
                stack.topics.completions.valueSerde().deserializer()).stream().map(ConsumerRecord::value).toList();
    }

    private static Map<String, Long> completionCountsByRequest() {
        return completions().stream().collect(Collectors.groupingBy(ReinstallCompletion::getRequestId, Collectors.counting()));
    }

    private static ReinstallCompletion awaitCompletion(long server, String requestId) {
        return await("the completion of " + requestId).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.completionsFor(server).stream().filter(c -> c.getRequestId().equals(requestId)).toList(),
                        list -> !list.isEmpty())
                .get(0);
    }

    private static java.util.Optional<RequestDuplicate> duplicateOf(long server, String requestId) {
        return stack.eventsFor(server).stream()
                .map(ReinstallEvent::getPayload)
                .filter(p -> p instanceof RequestDuplicate d && d.getRequestId().equals(requestId))
                .map(RequestDuplicate.class::cast)
                .findFirst();
    }

    private static List<StepCommand> stepsFor(long server) {
        return TopicReader.readAll(stack.kafka.bootstrapServers(), ReinstallTopics.STEPS, stack.topics.steps.valueSerde().deserializer())
                .stream()
                .filter(r -> String.valueOf(server).equals(r.key()))
                .map(ConsumerRecord::value)
                .toList();
    }

    private static int calls(long server, String call) {
        return (int) stack.simulator.audit().stream()
                .filter(a -> Long.valueOf(server).equals(a.serverId()) && a.call().equals(call))
                .count();
    }

    private static JsonNode stateOf(long server) throws Exception {
        HttpResponse<String> response = get("/reinstalls/" + server);
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stack.queryUrl(path)))
                        .header("Authorization", "Bearer " + stack.queryToken()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
