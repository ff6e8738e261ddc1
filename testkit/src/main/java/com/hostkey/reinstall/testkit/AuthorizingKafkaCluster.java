package com.hostkey.reinstall.testkit;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.security.auth.login.Configuration;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A one-node KRaft cluster inside the test JVM (Kafka's KafkaClusterTestKit) that authenticates and
 * authorizes like a production cluster: both listeners speak SASL_PLAINTEXT with the PLAIN mechanism,
 * the broker runs {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}, and
 * only {@link #SUPER_USER} (the test's admin, which is also the principal the broker and controller use
 * among themselves) may do anything without an ACL. Every other principal has exactly the ACLs a test
 * creates for it (e.g. the KafkaUsers of {@code deploy/k8s/kafka-users.yaml}, through the deploy module's
 * {@code KafkaUserAcls}).
 *
 * <p>The users are fixed at start: a PLAIN user list in the listeners' JAAS settings
 * ({@code listener.name.<listener>.plain.sasl.jaas.config} with {@code user_<name>="<password>"}
 * entries). Passwords are random per cluster. There is no plaintext listener a client could use
 * instead: the controller listener is SASL too and accepts only the super user.
 */
public final class AuthorizingKafkaCluster implements AutoCloseable {

    /** The super user: the test's admin, and the broker's own inter-broker and controller principal. */
    public static final String SUPER_USER = "kafka-admin";

    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String PLAIN_LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";

    private static final String JAAS_PROPERTY = "java.security.auth.login.config";

    private final KafkaClusterTestKit cluster;
    private final Map<String, String> passwords;
    private final String previousJaasProperty;

    private AuthorizingKafkaCluster(KafkaClusterTestKit cluster, Map<String, String> passwords, String previousJaasProperty) {
        this.cluster = cluster;
        this.passwords = passwords;
        this.previousJaasProperty = previousJaasProperty;
    }

    /**
     * Starts the cluster with one PLAIN user per name (random passwords) besides {@link #SUPER_USER}.
     *
     * @param users principal names ({@code User:<name>}), letters, digits, {@code .}, {@code _} and {@code -}
     */
    public static AuthorizingKafkaCluster start(Iterable<String> users) {
        Map<String, String> passwords = new LinkedHashMap<>();
        passwords.put(SUPER_USER, randomPassword());
        for (String user : users) {
            if (!USER_NAME.matcher(user).matches()) {
                throw new IllegalArgumentException("Not a user name this cluster accepts: '" + user + "'");
            }
            if (passwords.putIfAbsent(user, randomPassword()) != null) {
                throw new IllegalArgumentException("User " + user + " given twice (or is the super user)");
            }
        }
        // The test kit points this JVM-wide property at a JAAS file of its own; close() puts it back.
        String previousJaasProperty = System.getProperty(JAAS_PROPERTY);
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .build();
            String brokerListener = nodes.brokerListenerName().value().toLowerCase(Locale.ROOT);
            String controllerListener = nodes.controllerListenerName().value().toLowerCase(Locale.ROOT);
            // The test kit writes a JVM-wide JAAS file with its own PLAIN users (plain-admin, plain-user1)
            // for SASL clusters; the per-listener settings below take precedence over it on both listeners,
            // so only the users given here (and the super user) can log in.
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("sasl.enabled.mechanisms", "PLAIN")
                    .setConfigProp("sasl.mechanism.inter.broker.protocol", "PLAIN")
                    .setConfigProp("sasl.mechanism.controller.protocol", "PLAIN")
                    .setConfigProp("listener.name." + brokerListener + ".plain.sasl.jaas.config", serverJaas(passwords))
                    .setConfigProp("listener.name." + controllerListener + ".plain.sasl.jaas.config",
                            serverJaas(Map.of(SUPER_USER, passwords.get(SUPER_USER))))
                    .setConfigProp("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                    .setConfigProp("allow.everyone.if.no.acl.found", "false")
                    .setConfigProp("super.users", "User:" + SUPER_USER)
                    // As KafkaTestCluster: internal topics that fit one node, groups that join at once.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "4")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new AuthorizingKafkaCluster(kit, Map.copyOf(passwords), previousJaasProperty);
        } catch (Exception e) {
            restoreJaasProperty(previousJaasProperty);
            throw new IllegalStateException("Cannot start the in-JVM SASL Kafka cluster: " + e.getMessage(), e);
        }
    }

    /** The SASL_PLAINTEXT listener, the only one clients can use. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * The SASL settings of a client logging in as {@code user}, without bootstrap servers: what a service
     * gets from {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM} and {@code KAFKA_SASL_JAAS_CONFIG}.
     */
    public Properties clientSecurity(String user) {
        return clientSecurity(user, password(user));
    }

    /** The SASL settings of a client logging in as {@code user} with the given (perhaps wrong) password. */
    public static Properties clientSecurity(String user, String password) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_PLAINTEXT.name);
        props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        props.put(SaslConfigs.SASL_JAAS_CONFIG,
                PLAIN_LOGIN_MODULE + " required username=\"" + user + "\" password=\"" + password + "\";");
        return props;
    }

    /** {@link #clientSecurity(String)} plus {@code bootstrap.servers}: a complete client configuration to add to. */
    public Properties clientConfig(String user) {
        Properties props = clientSecurity(user);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** An Admin client of {@link #SUPER_USER}: creates topics and ACLs. */
    public Admin superUserAdmin() {
        return Admin.create(clientConfig(SUPER_USER));
    }

    /** An Admin client logged in as {@code user}, with only that user's rights. */
    public Admin admin(String user) {
        return Admin.create(clientConfig(user));
    }

    /** {@code user}'s password. */
    public String password(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("No user " + user + " on this cluster (users: " + passwords.keySet() + ")");
        }
        return password;
    }

    public KafkaClusterTestKit kit() {
        return cluster;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop the in-JVM SASL Kafka cluster", e);
        } finally {
            restoreJaasProperty(previousJaasProperty);
        }
    }

    private static void restoreJaasProperty(String previous) {
        if (previous == null) {
            System.clearProperty(JAAS_PROPERTY);
        } else {
            System.setProperty(JAAS_PROPERTY, previous);
        }
        Configuration.setConfiguration(null);
    }

    /** A PLAIN server login: the node's own credentials (the super user) and every user it accepts. */
    private static String serverJaas(Map<String, String> users) {
        StringBuilder jaas = new StringBuilder(PLAIN_LOGIN_MODULE).append(" required")
                .append(" username=\"").append(SUPER_USER).append('"')
                .append(" password=\"").append(users.get(SUPER_USER)).append('"');
        users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
        return jaas.append(';').toString();
    }

    private static String randomPassword() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
