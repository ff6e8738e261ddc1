package com.hostkey.reinstall.system;

import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.ApicurioRegistry;
import com.hostkey.reinstall.testkit.KafkaTestCluster;
import com.hostkey.reinstall.testkit.ServiceProcess;
import com.hostkey.reinstall.testkit.TopicReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The three services as separate JVM processes ({@link ServiceProcess}), {@code instances} of each,
 * against a test cluster, the registry and a simulator: the set-up the tests that SIGKILL services
 * share (ChaosIT, AdmissionFloodIT). Every identity (application id, instance and transactional
 * ids, key ids, request ids) starts with the test's {@code name}. The projector runs with short saga
 * deadlines fit for a simulator at a high time scale; a test adds its own settings (e.g. admission
 * caps) on top.
 */
final class ProcessStack implements AutoCloseable {

    final List<ServiceProcess> services = new ArrayList<>();
    final SecretSealer sealer;
    final ReinstallTopics topics;
    private final String name;
    private final KafkaTestCluster kafka;

    private ProcessStack(String name, KafkaTestCluster kafka, SecretSealer sealer, ReinstallTopics topics) {
        this.name = name;
        this.kafka = kafka;
        this.sealer = sealer;
        this.topics = topics;
    }

    /**
     * Writes the keys and credentials into {@code work}, then starts {@code instances} projectors,
     * command handlers and stage pollers (logs in {@code logs}); the topics must exist already.
     */
    static ProcessStack start(String name, int instances, KafkaTestCluster kafka, ApicurioRegistry registry,
                              HostkeySimulator simulator, String apiKey, String pin, Map<String, String> projectorSettings,
                              Path work, Path logs) throws IOException {
        String keyId = name + "-key";
        KeyPair keys = SealingKeys.generate();
        SealingKeys.writePair(keys, work, keyId);
        String stepKeys = name + "-step=" + StepAuthenticator.writeKey(StepAuthenticator.generateKey(), work, name + "-step");
        Files.writeString(work.resolve("api-key"), apiKey);
        Files.writeString(work.resolve("pin"), pin);
        String apiToken = name + "-" + UUID.randomUUID() + UUID.randomUUID();
        Files.writeString(work.resolve("api-token"), apiToken);

        Map<String, String> common = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "SCHEMA_REGISTRY_URL", registry.url(),
                "HOSTKEY_BASE_URL", simulator.baseUrl(),
                "HOSTKEY_API_KEY_FILE", work.resolve("api-key").toString(),
                "HOSTKEY_PIN_FILE", work.resolve("pin").toString(),
                "KAFKA_REPLICATION_FACTOR", "3",
                "TOPIC_PARTITIONS", "6",
                "KAFKA_SESSION_TIMEOUT_MS", "10000",
                // Several instances on one host: each operations port is picked free.
                "HANDLER_HTTP_PORT", "0",
                "POLLER_HTTP_PORT", "0");
        ProcessStack stack = new ProcessStack(name, kafka, new SecretSealer(keyId, keys.getPublic()),
                ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, registry.url())));
        for (int i = 0; i < instances; i++) {
            stack.services.add(ServiceProcess.ofModule("projector-" + i, "state-projector", with(common, with(Map.ofEntries(
                    Map.entry("PROJECTOR_APPLICATION_ID", name + "-projector"),
                    Map.entry("STEP_AUTH_KEYS", stepKeys),
                    Map.entry("PROJECTOR_INSTANCE_ID", name + "-projector-" + i),
                    Map.entry("PROJECTOR_STATE_DIR", work.resolve("projector-state-" + i).toString()),
                    Map.entry("PROJECTOR_HTTP_PORT", String.valueOf(freePort())),
                    Map.entry("PROJECTOR_API_TOKENS_FILE", work.resolve("api-token").toString()),
                    Map.entry("PROJECTOR_TIMER_INTERVAL_MS", "500"),
                    Map.entry("SAGA_COMMAND_ANSWER_SECONDS", "120"),
                    Map.entry("SAGA_ACTION_CALLBACK_SECONDS", "60"),
                    Map.entry("SAGA_FIRST_STAGE_SECONDS", "45"),
                    Map.entry("SAGA_NEXT_STAGE_SECONDS", "45"),
                    Map.entry("SAGA_WHOLE_REINSTALL_SECONDS", "600"),
                    Map.entry("SAGA_RETRY_BACKOFF_SECONDS", "1"),
                    Map.entry("SAGA_MAX_RETRY_BACKOFF_SECONDS", "5")), projectorSettings)), logs, work));
            stack.services.add(ServiceProcess.ofModule("handler-" + i, "command-handler", with(common, Map.of(
                    "SEALING_PRIVATE_KEYS", keyId + "=" + work.resolve(keyId + ".key.pem"),
                    "STEP_AUTH_KEYS", stepKeys,
                    "HANDLER_TRANSACTIONAL_ID", name + "-handler-" + i,
                    "HANDLER_INSTANCE_ID", name + "-handler-" + i,
                    // The account's request budget bounds throughput: 200 validations of 3 reads each at
                    // the default 10 req/s would take a minute, and deadlines would end them.
                    "HOSTKEY_RATE_LIMIT_RPS", "100",
                    "HOSTKEY_ACTION_TIMEOUT_MS", "3000",
                    "HOSTKEY_READ_TIMEOUT_MS", "3000")), logs, work));
            stack.services.add(ServiceProcess.ofModule("poller-" + i, "stage-poller", with(common, Map.of(
                    "POLLER_INTERVAL_MS", "300",
                    "POLLER_INSTANCE_ID", name + "-poller-" + i,
                    "POLLER_MAX_REQUESTS_PER_SECOND", "200",
                    "HOSTKEY_RATE_LIMIT_RPS", "200",
                    "HOSTKEY_CALLBACK_TIMEOUT_MS", "3000")), logs, work));
        }
        stack.services.forEach(ServiceProcess::start);
        return stack;
    }

    /** Publishes one reinstall request per server, all at once; answers server id to request id, in order. */
    Map<Long, String> publishReinstalls(List<Long> servers) {
        Map<Long, String> requests = new LinkedHashMap<>();
        try (KafkaProducer<String, ReinstallRequest> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                topics.requests.valueSerde().serializer())) {
            for (long server : servers) {
                String requestId = name + "-" + server + "-" + UUID.randomUUID();
                requests.put(server, requestId);
                producer.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(server), reinstall(server, requestId)));
            }
            producer.flush();
        }
        return requests;
    }

    /** How many of {@code requests} (server id to request id) have a completion (read_committed). */
    long completedRequests(Map<Long, String> requests) {
        Set<String> ids = new HashSet<>(requests.values());
        return TopicReader.readAll(kafka.bootstrapServers(), ReinstallTopics.COMPLETIONS, topics.completions.valueSerde().deserializer())
                .stream().map(r -> r.value().getRequestId()).filter(ids::contains).distinct().count();
    }

    private ReinstallRequest reinstall(long server, String requestId) {
        return ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(server)
                .setIssuedAt(Instant.now())
                .setIssuedBy(name)
                .setPayload(ReinstallServer.newBuilder()
                        .setRequestId(requestId)
                        // The generated fleet cycles bm, bm, vm, gpu: GPU servers take the GPU image.
                        .setOsId((server - 1001) % 4 == 3 ? 301 : 101)
                        .setHostname("srv" + server + "." + name + ".example.net")
                        .setRootPassword(sealer.seal("Chaos7%Password"))
                        .setPartitionScheme(PartitionScheme.LVM_RAID0)
                        .build())
                .build();
    }

    /** SIGTERM to every instance (SIGKILL after 15 s). */
    @Override
    public void close() {
        services.forEach(ServiceProcess::close);
    }

    static Map<String, String> with(Map<String, String> base, Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(base);
        all.putAll(extra);
        return all;
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
