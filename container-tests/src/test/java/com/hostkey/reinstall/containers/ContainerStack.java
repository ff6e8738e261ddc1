package com.hostkey.reinstall.containers;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.hostkey.reinstall.deploy.KafkaUserAcls;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * The whole system as containers from the project's images (deploy/containers/build-images.sh), on
 * the host's network, every listener on 127.0.0.1 on a port free at run time: Kafka (authenticated,
 * {@code StandardAuthorizer}, the topics and the ACLs of deploy/k8s/kafka-users.yaml created by the
 * admin, each service logging in as its own KafkaUser), Apicurio Registry, the Hostkey simulator and
 * the three services.
 *
 * <p>Each service's container gets what its Kubernetes manifest gives it ({@link K8sManifests}): the
 * image, the ConfigMaps and env, the Secrets as read-only files at the manifest's mount paths (the
 * paths its {@code *_FILE}, {@code SEALING_PRIVATE_KEYS} and {@code STEP_AUTH_KEYS} name), a
 * read-only root file system with {@code /tmp} a tmpfs, the projector's state directory a volume of
 * its own, and the manifest's memory limit. Only what differs on this machine is changed, in
 * {@link #machineSettings}: the addresses, SASL_PLAINTEXT with PLAIN instead of SASL_SSL with
 * SCRAM (no TLS here), one replica, fewer partitions, and a poller interval that matches the
 * simulator's fast clock.
 */
final class ContainerStack implements AutoCloseable {

    static final String NAMESPACE = "reinstall";
    static final String HANDLER = "command-handler";
    static final String POLLER = "stage-poller";
    static final String PROJECTOR = "state-projector";
    static final int PARTITIONS = 3;
    /** Simulated seconds per real second: an install's five stages take about 12 s. */
    static final int TIME_SCALE = 60;
    static final int FLEET_SIZE = 8;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    final ContainerImages images = ContainerImages.fromSystemProperties();
    final K8sManifests manifests = new K8sManifests(images.k8sDir());
    final HostNetworkKafka kafka;
    final GenericContainer<?> registry;
    final GenericContainer<?> simulator;
    final Map<String, GenericContainer<?>> services = new LinkedHashMap<>();
    final Map<String, Integer> httpPorts = new HashMap<>();
    /** Each service's manifest as the tier ran it. */
    final Map<String, K8sManifests.PodContainer> pods = new HashMap<>();
    private final Map<String, String> stateVolumes = new HashMap<>();
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final Path secrets;
    private final int registryPort = LoopbackPorts.next();
    private final int simulatorPort = LoopbackPorts.next();
    private final String apiKey = random(24);
    private final String pin = String.valueOf(1000 + new java.security.SecureRandom().nextInt(9000));
    private final String apiToken = random(32);
    private final KeyPair sealingKeys = SealingKeys.generate();
    private final Map<String, byte[]> stepKeys = new HashMap<>();
    private final ObjectMapper json = new ObjectMapper();
    private ReinstallTopics topics;
    private SecretSealer sealer;

    ContainerStack() {
        try {
            secrets = Files.createDirectories(images.logDir().getParent().resolve("container-secrets-" + runId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> logins = new ArrayList<>(KafkaUserAcls.read(images.k8sDir().resolve("kafka-users.yaml")).keySet());
        kafka = new HostNetworkKafka(images.kafka(), logins);
        int registryManagementPort = LoopbackPorts.next();
        registry = new GenericContainer<>(images.registry())
                .withNetworkMode("host")
                .withEnv("QUARKUS_HTTP_HOST", "127.0.0.1")
                .withEnv("QUARKUS_HTTP_PORT", String.valueOf(registryPort))
                .withEnv("QUARKUS_MANAGEMENT_HOST", "127.0.0.1")
                .withEnv("QUARKUS_MANAGEMENT_PORT", String.valueOf(registryManagementPort))
                .withEnv("JAVA_TOOL_OPTIONS", "-Xmx256m")
                .waitingFor(HttpAnswers.okFrom(registryPort, "/apis/ccompat/v7/subjects").withStartupTimeout(START_TIMEOUT));
        simulator = new GenericContainer<>(images.service("hostkey-simulator"))
                .withNetworkMode("host")
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
                .withTmpFs(Map.of("/tmp", "rw,size=64m"))
                .withEnv("JAVA_TOOL_OPTIONS", "-Xmx256m")
                .withCommand("--port", String.valueOf(simulatorPort), "--bind", "127.0.0.1", "--time-scale", String.valueOf(TIME_SCALE),
                        "--fleet", String.valueOf(FLEET_SIZE), "--account", "default:" + apiKey + ":" + pin)
                .waitingFor(HttpAnswers.okFrom(simulatorPort, "/_sim/health").withStartupTimeout(START_TIMEOUT));
    }

    /** Starts everything; the services once the broker has its topics and ACLs. */
    ContainerStack start() {
        Startables.deepStart(kafka, registry, simulator).join();
        try (Admin admin = Admin.create(kafka.clientSettings(HostNetworkKafka.ADMIN))) {
            // Nobody but the admin may create the reinstall topics (kafka-topics.yaml's job in a cluster).
            TopicProvisioner.ensureTopics(admin, PARTITIONS, (short) 1);
            KafkaUserAcls.createAll(admin, KafkaUserAcls.read(images.k8sDir().resolve("kafka-users.yaml")));
        }
        put(registryUrl() + "/config", "{\"compatibility\":\"BACKWARD\"}");
        topics = ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, registryUrl()));
        for (String name : List.of(PROJECTOR, HANDLER, POLLER)) {
            services.put(name, service(name));
        }
        Startables.deepStart(services.values()).join();
        return this;
    }

    /** The Confluent-compatible API of the registry container. */
    String registryUrl() {
        return "http://127.0.0.1:" + registryPort + "/apis/ccompat/v7";
    }

    /** The projector's query API token (what PROJECTOR_API_TOKENS_FILE holds). */
    String apiToken() {
        return apiToken;
    }

    int httpPort(String service) {
        return httpPorts.get(service);
    }

    /**
     * A service's container as its manifest describes it, pod {@code <name>-0}; only the machine's
     * differences ({@link #machineSettings}) and the secrets' contents are the tier's own.
     */
    private GenericContainer<?> service(String name) {
        K8sManifests.PodContainer pod = manifests.container(name, name + "-0", NAMESPACE);
        pods.put(name, pod);
        images.requireBuilt(pod.image());
        int port = LoopbackPorts.next();
        httpPorts.put(name, port);
        Map<String, String> env = new LinkedHashMap<>(pod.environment());
        Map<String, String> machine = machineSettings(name, port);
        // The probes call the port named http: the service must listen there, as its setting says.
        String portVariable = machine.keySet().stream().filter(v -> v.endsWith("_HTTP_PORT")).findFirst().orElseThrow();
        if (!String.valueOf(pod.httpPort()).equals(env.get(portVariable))) {
            throw new IllegalStateException(name + "'s manifest probes port " + pod.httpPort() + " but sets " + portVariable + "="
                    + env.get(portVariable));
        }
        env.putAll(machine);
        env.remove("KAFKA_SSL_TRUSTSTORE_LOCATION");
        env.remove("KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE");

        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(pod.image()))
                .withNetworkMode("host")
                .withEnv(env)
                .waitingFor(HttpAnswers.okFrom(port, pod.readinessPath()).withStartupTimeout(START_TIMEOUT));
        Map<String, Path> volumes = writeSecrets(name, env, pod);
        volumes.forEach((volume, hostDir) -> container.withFileSystemBind(hostDir.toString(), pod.mountPaths().get(volume), BindMode.READ_ONLY));
        String stateDir = env.get("PROJECTOR_STATE_DIR");
        String stateVolume = stateDir == null ? null : "reinstall-ct-" + runId + "-" + name + "-state";
        if (stateVolume != null) {
            stateVolumes.put(name, stateVolume);
        }
        String tmp = pod.mountPaths().getOrDefault("tmp", "/tmp");
        // RocksDB loads its native library from /tmp: the tmpfs must allow exec, as an emptyDir does.
        container.withTmpFs(Map.of(tmp, "rw,exec,nosuid,size=256m"));
        container.withCreateContainerCmdModifier(cmd -> {
            cmd.withName("reinstall-ct-" + runId + "-" + name);
            cmd.getHostConfig().withReadonlyRootfs(true);
            if (pod.memoryLimitBytes() > 0) {
                cmd.getHostConfig().withMemory(pod.memoryLimitBytes());
            }
            if (stateVolume != null) {
                cmd.getHostConfig().withMounts(List.of(new Mount().withType(MountType.VOLUME).withSource(stateVolume).withTarget(stateDir)));
            }
        });
        return container;
    }

    /** What this machine changes in a manifest's environment, and why. */
    private Map<String, String> machineSettings(String name, int port) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.getBootstrapServers());
        // No TLS on this broker: SASL over plaintext, PLAIN instead of SCRAM (the same JAAS file variable).
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        env.put("KAFKA_SASL_MECHANISM", "PLAIN");
        env.put("SCHEMA_REGISTRY_URL", registryUrl());
        switch (name) {
            case HANDLER -> {
                env.put("HOSTKEY_BASE_URL", simulatorUrl());
                env.put("HANDLER_HTTP_PORT", String.valueOf(port));
                // The pod's every interface in Kubernetes; here the host's network, so loopback only.
                env.put("HANDLER_HTTP_HOST", "127.0.0.1");
            }
            case POLLER -> {
                env.put("HOSTKEY_BASE_URL", simulatorUrl());
                env.put("POLLER_HTTP_PORT", String.valueOf(port));
                env.put("POLLER_HTTP_HOST", "127.0.0.1");
                // The simulator's clock runs TIME_SCALE times faster: poll as often relative to it.
                env.put("POLLER_INTERVAL_MS", "300");
            }
            case PROJECTOR -> {
                env.put("PROJECTOR_HTTP_PORT", String.valueOf(port));
                // The pod's DNS name in Kubernetes; here the loopback address it binds and is reached at.
                env.put("PROJECTOR_HTTP_HOST", "127.0.0.1");
                env.put("KAFKA_REPLICATION_FACTOR", "1");
                env.put("TOPIC_PARTITIONS", String.valueOf(PARTITIONS));
            }
            default -> throw new IllegalArgumentException("not a service: " + name);
        }
        return env;
    }

    /**
     * Writes the files the environment names (API key, PIN, sealing and step keys, API tokens, the
     * Kafka login's JAAS line) into one host directory per Secret volume, readable by the
     * containers' user; returns the directories by volume name.
     */
    private Map<String, Path> writeSecrets(String name, Map<String, String> env, K8sManifests.PodContainer pod) {
        Map<String, String> files = new LinkedHashMap<>();
        put(files, env, "HOSTKEY_API_KEY_FILE", apiKey);
        put(files, env, "HOSTKEY_PIN_FILE", pin);
        put(files, env, "PROJECTOR_API_TOKENS_FILE", apiToken);
        // The login of the KafkaUser whose Secret the manifest mounts (Strimzi names it after the user).
        String login = pod.secretOfVolume().get("kafka-user");
        put(files, env, "KAFKA_SASL_JAAS_CONFIG_FILE", kafka.jaasConfig(login));
        keyFiles(env.get("SEALING_PRIVATE_KEYS")).forEach((keyId, path) -> {
            files.put(path, SealingKeys.pem("PRIVATE KEY", sealingKeys.getPrivate().getEncoded()));
            sealer = new SecretSealer(keyId, sealingKeys.getPublic());
        });
        keyFiles(env.get("STEP_AUTH_KEYS")).forEach((keyId, path) -> files.put(path,
                java.util.Base64.getEncoder().encodeToString(stepKeys.computeIfAbsent(keyId, k -> StepAuthenticator.generateKey())) + "\n"));

        Map<String, Path> volumes = new LinkedHashMap<>();
        files.forEach((containerPath, content) -> {
            String volume = pod.mountPaths().entrySet().stream()
                    .filter(m -> containerPath.startsWith(m.getValue() + "/"))
                    .map(Map.Entry::getKey).findFirst()
                    .orElseThrow(() -> new IllegalStateException(name + "'s manifest mounts nothing at " + containerPath));
            Path dir = volumes.computeIfAbsent(volume, v -> secrets.resolve(name).resolve(v));
            Path file = dir.resolve(containerPath.substring(pod.mountPaths().get(volume).length() + 1));
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, content);
                // The containers run as 10001: a Secret volume's defaultMode 0440 with fsGroup 10001
                // in Kubernetes; here readable by all (random, per-run values).
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        for (Path dir : volumes.values()) {
            try (Stream<Path> tree = Files.walk(dir)) {
                for (Path d : tree.filter(Files::isDirectory).toList()) {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return volumes;
    }

    private static void put(Map<String, String> files, Map<String, String> env, String variable, String content) {
        String path = env.get(variable);
        if (path != null) {
            files.put(path, content);
        }
    }

    /** {@code keyId=path,...} as {@code SEALING_PRIVATE_KEYS} and {@code STEP_AUTH_KEYS} list them. */
    private static Map<String, String> keyFiles(String spec) {
        Map<String, String> keys = new LinkedHashMap<>();
        if (spec != null) {
            for (String entry : spec.split(",")) {
                String[] parts = entry.strip().split("=", 2);
                keys.put(parts[0], parts[1]);
            }
        }
        return keys;
    }

    String simulatorUrl() {
        return "http://127.0.0.1:" + simulatorPort;
    }

    /** Publishes a reinstall of {@code server} as the {@code upstream} KafkaUser would; returns its request id. */
    String submitReinstall(long server) {
        String requestId = "ct-" + server + "-" + UUID.randomUUID();
        ReinstallRequest request = ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(server)
                .setIssuedAt(Instant.now())
                .setIssuedBy("container-tier")
                .setPayload(ReinstallServer.newBuilder()
                        .setRequestId(requestId)
                        // The generated fleet cycles bm, bm, vm, gpu: GPU servers take the GPU image.
                        .setOsId((server - 1001) % 4 == 3 ? 301 : 101)
                        .setHostname("srv" + server + ".containers.example.net")
                        .setRootPassword(sealer.seal("Ct7%" + random(8)))
                        .setPartitionScheme(PartitionScheme.LVM_RAID0)
                        .build())
                .build();
        try (KafkaProducer<String, ReinstallRequest> producer = new KafkaProducer<>(kafka.clientSettings("upstream"),
                new StringSerializer(), topics.requests.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(server), request)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish the reinstall of " + server, e);
        }
        return requestId;
    }

    /** The completion records of one server, read_committed, as the {@code billing} KafkaUser reads them. */
    List<ReinstallCompletion> completionsFor(long server) {
        Map<String, Object> billing = new HashMap<>(kafka.clientSettings("billing"));
        billing.put(ConsumerConfig.GROUP_ID_CONFIG, "billing-container-tier-" + UUID.randomUUID());
        return TopicReader.readAll(billing, ReinstallTopics.COMPLETIONS, topics.completions.valueSerde().deserializer())
                .stream().filter(r -> r.key().equals(String.valueOf(server))).map(ConsumerRecord::value).toList();
    }

    /** The events of one server, in order (read as the admin: no KafkaUser but the projector reads them). */
    List<ReinstallEvent> eventsFor(long server) {
        return TopicReader.readAll(kafka.clientSettings(HostNetworkKafka.ADMIN), ReinstallTopics.EVENTS, topics.events.valueSerde().deserializer())
                .stream().filter(r -> r.key().equals(String.valueOf(server))).map(ConsumerRecord::value).toList();
    }

    /** The simulator's admin API: {@code GET /_sim/...} as JSON. */
    JsonNode simulatorAdmin(String path) {
        String body = HttpAnswers.get(simulatorPort, "/_sim/" + path, null)
                .filter(r -> r.statusCode() == 200).map(HttpResponse::body)
                .orElseThrow(() -> new IllegalStateException("the simulator did not answer GET /_sim/" + path));
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the simulator accepted {@code module/action} for the server (audit outcome OK...). */
    boolean simulatorSawCall(long server, String call) {
        for (JsonNode entry : simulatorAdmin("audit")) {
            if (entry.path("serverId").asLong() == server && (entry.path("module").asText() + "/" + entry.path("action").asText()).equals(call)
                    && entry.path("outcome").asText().startsWith("OK")) {
                return true;
            }
        }
        return false;
    }

    /** SIGKILL, as a node failure or the OOM killer would: no shutdown hook runs. */
    void kill(String service) {
        DockerClient docker = DockerClientFactory.instance().client();
        String id = services.get(service).getContainerId();
        docker.killContainerCmd(id).withSignal("KILL").exec();
        await(service + " dead").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> !Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning()));
    }

    /** Starts the same container again (same environment, files and volume), as a pod restart does, and waits until ready. */
    void restart(String service) {
        DockerClient docker = DockerClientFactory.instance().client();
        docker.startContainerCmd(services.get(service).getContainerId()).exec();
        int port = httpPort(service);
        String readiness = pods.get(service).readinessPath();
        await(service + " ready again").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> HttpAnswers.status(port, readiness) == 200);
    }

    /**
     * {@code docker stop} as Kubernetes stops a pod: SIGTERM, then SIGKILL once the manifest's
     * {@code terminationGracePeriodSeconds} are over; returns the exit code.
     */
    long stop(String service) {
        DockerClient docker = DockerClientFactory.instance().client();
        String id = services.get(service).getContainerId();
        docker.stopContainerCmd(id).withTimeout(pods.get(service).terminationGraceSeconds()).exec();
        return docker.inspectContainerCmd(id).exec().getState().getExitCodeLong();
    }

    private void put(String url, String body) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("PUT " + url + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new java.security.SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Keeps every container's log in target/container-logs, then removes the containers, their volumes and the secrets. */
    @Override
    public void close() {
        List<GenericContainer<?>> all = new ArrayList<>(services.values());
        all.addAll(List.of(simulator, registry, kafka));
        Map<String, GenericContainer<?>> named = new LinkedHashMap<>();
        services.forEach(named::put);
        named.put("hostkey-simulator", simulator);
        named.put("apicurio-registry", registry);
        named.put("kafka", kafka);
        try {
            Files.createDirectories(images.logDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        named.forEach((name, container) -> {
            if (container.getContainerId() != null) {
                try {
                    Files.writeString(images.logDir().resolve(name + "-" + runId + ".log"), container.getLogs());
                } catch (IOException | RuntimeException e) {
                    System.err.println("could not keep the log of " + name + ": " + e);
                }
            }
        });
        all.forEach(GenericContainer::stop);
        DockerClient docker = DockerClientFactory.instance().client();
        stateVolumes.values().forEach(volume -> {
            try {
                docker.removeVolumeCmd(volume).exec();
            } catch (RuntimeException e) {
                System.err.println("could not remove the volume " + volume + ": " + e);
            }
        });
        try (Stream<Path> tree = Files.walk(secrets)) {
            for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + secrets + ": " + e);
        }
    }
}
