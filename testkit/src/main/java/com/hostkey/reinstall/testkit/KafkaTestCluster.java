package com.hostkey.reinstall.testkit;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real KRaft cluster inside the test JVM (Kafka's own KafkaClusterTestKit, combined
 * broker+controller nodes). Up in a second or two.
 */
public final class KafkaTestCluster implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private KafkaTestCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static KafkaTestCluster start(int brokers) {
        int replication = Math.min(brokers, 3);
        try {
            // One node: combined broker+controller. Several: brokers beside a single controller, so
            // a broker can be restarted without touching the quorum.
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(brokers == 1)
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                    // Internal topics must fit the cluster, or consumers and transactions silently get nothing.
                    .setConfigProp("offsets.topic.replication.factor", String.valueOf(replication))
                    .setConfigProp("offsets.topic.num.partitions", String.valueOf(4))
                    .setConfigProp("transaction.state.log.replication.factor", String.valueOf(replication))
                    .setConfigProp("transaction.state.log.min.isr", String.valueOf(1))
                    .setConfigProp("transaction.state.log.num.partitions", String.valueOf(4))
                    .setConfigProp("share.coordinator.state.topic.replication.factor", String.valueOf(replication))
                    .setConfigProp("share.coordinator.state.topic.min.isr", String.valueOf(1))
                    // Consumer groups join at once instead of waiting 3 s for more members.
                    .setConfigProp("group.initial.rebalance.delay.ms", String.valueOf(0))
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new KafkaTestCluster(kit);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the in-JVM Kafka cluster: " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
    }

    public KafkaClusterTestKit kit() {
        return cluster;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop the in-JVM Kafka cluster", e);
        }
    }
}
