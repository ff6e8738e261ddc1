package com.hostkey.reinstall.containers;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Testcontainers' {@link KafkaContainer} on the host's network, authenticating and authorizing as a
 * production cluster: every listener (clients, inter-broker, controller) speaks SASL_PLAINTEXT with
 * PLAIN on 127.0.0.1, on ports chosen free at run time; {@code StandardAuthorizer} allows nothing
 * without an ACL but to {@link #ADMIN} (the test's admin, also the broker's own login). The users
 * and their random passwords are fixed at start.
 *
 * <p>The stock container waits for a published port, which host networking never publishes, and
 * advertises the container's host name: this subclass publishes none, advertises 127.0.0.1 and
 * writes the start script itself. The image is the apache/kafka contract ({@code /etc/kafka/docker/run},
 * {@code KAFKA_*} variables, {@code CLUSTER_ID}): apache/kafka where it can be pulled, here
 * deploy/docker/Dockerfile.kafka.
 */
final class HostNetworkKafka extends KafkaContainer {

    /** The super user: the test's admin (topics, ACLs) and the broker's inter-broker and controller login. */
    static final String ADMIN = "kafka-admin";

    private static final String PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final String STARTER_SCRIPT = "/tmp/testcontainers_start.sh";
    /**
     * Copied after the script: the stock command runs the script as soon as it exists, which can be
     * before the copy has closed it ("Text file busy", exit 126, seen here under load; later
     * Testcontainers releases wait for a marker the same way).
     */
    private static final String STARTER_SCRIPT_READY = "/tmp/testcontainers_start.ready";

    private final int clientPort = LoopbackPorts.next();
    private final int brokerPort = LoopbackPorts.next();
    private final int controllerPort = LoopbackPorts.next();
    private final Map<String, String> passwords = new LinkedHashMap<>();

    HostNetworkKafka(DockerImageName image, List<String> users) {
        super(image.asCompatibleSubstituteFor("apache/kafka"));
        SecureRandom random = new SecureRandom();
        passwords.put(ADMIN, randomPassword(random));
        users.forEach(user -> passwords.put(user, randomPassword(random)));
        withNetworkMode("host");
        setExposedPorts(List.of());
        withEnv("KAFKA_LISTENERS", "CLIENT://127.0.0.1:" + clientPort + ",BROKER://127.0.0.1:" + brokerPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        withEnv("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CLIENT:SASL_PLAINTEXT,BROKER:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        withEnv("KAFKA_INTER_BROKER_LISTENER_NAME", "BROKER");
        withEnv("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER");
        withEnv("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@127.0.0.1:" + controllerPort);
        withEnv("KAFKA_SASL_ENABLED_MECHANISMS", "PLAIN");
        withEnv("KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL", "PLAIN");
        withEnv("KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL", "PLAIN");
        // Clients may log in as any user; the broker's own listeners accept only the admin.
        withEnv("KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG", listenerJaas(passwords.keySet().stream().toList()));
        withEnv("KAFKA_LISTENER_NAME_BROKER_PLAIN_SASL_JAAS_CONFIG", listenerJaas(List.of(ADMIN)));
        withEnv("KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG", listenerJaas(List.of(ADMIN)));
        withEnv("KAFKA_AUTHORIZER_CLASS_NAME", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        withEnv("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND", "false");
        withEnv("KAFKA_SUPER_USERS", "User:" + ADMIN);
        // One node: the share coordinator's internal topic must have one replica too.
        withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1");
        withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1");
        withEnv("KAFKA_HEAP_OPTS", "-Xmx512m -Xms256m");
        withCommand("sh", "-c", "while [ ! -f " + STARTER_SCRIPT_READY + " ]; do sleep 0.1; done; exec " + STARTER_SCRIPT);
        waitingFor(Wait.forLogMessage(".*Transitioning from RECOVERY to RUNNING.*", 1).withStartupTimeout(Duration.ofMinutes(3)));
    }

    @Override
    protected void containerIsStarting(InspectContainerResponse containerInfo) {
        // The image's contract: the command waits for this script (and its ready marker), which
        // exports the advertised listeners and runs /etc/kafka/docker/run.
        String script = "#!/bin/bash\n"
                + "export KAFKA_ADVERTISED_LISTENERS=CLIENT://127.0.0.1:" + clientPort + ",BROKER://127.0.0.1:" + brokerPort + "\n"
                + "/etc/kafka/docker/run\n";
        copyFileToContainer(Transferable.of(script, 0777), STARTER_SCRIPT);
        copyFileToContainer(Transferable.of(""), STARTER_SCRIPT_READY);
    }

    @Override
    public String getHost() {
        return "127.0.0.1";
    }

    /** On the host's network a container's port is the host's port. */
    @Override
    public Integer getMappedPort(int originalPort) {
        return originalPort;
    }

    @Override
    public String getBootstrapServers() {
        return "127.0.0.1:" + clientPort;
    }

    /** The {@code sasl.jaas.config} of a user: what its {@code KAFKA_SASL_JAAS_CONFIG_FILE} holds. */
    String jaasConfig(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no Kafka login " + user + " (logins: " + passwords.keySet() + ")");
        }
        return PLAIN_LOGIN + " required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /** A Kafka client's settings to reach this broker as {@code user}. */
    Map<String, Object> clientSettings(String user) {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, getBootstrapServers(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(user));
    }

    private String listenerJaas(List<String> users) {
        return PLAIN_LOGIN + " required username=\"" + ADMIN + "\" password=\"" + passwords.get(ADMIN) + "\" "
                + users.stream().map(u -> "user_" + u + "=\"" + passwords.get(u) + "\"").collect(Collectors.joining(" ")) + ";";
    }

    private static String randomPassword(SecureRandom random) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
