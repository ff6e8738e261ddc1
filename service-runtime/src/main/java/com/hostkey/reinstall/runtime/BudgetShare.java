package com.hostkey.reinstall.runtime;

import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * An instance's share of a request budget set for the whole deployment: the fraction of the input
 * topic's partitions it owns, taken again on every rebalance. Hostkey's budget is per account, not
 * per process: with the share, three instances together spend one budget, and scaling out never
 * multiplies the load on Hostkey. Between a revocation and the next assignment an instance may hold
 * a share for partitions another already took; the cooperative assignor keeps that window short.
 */
public final class BudgetShare {

    private BudgetShare() {}

    /** {@code owned / total}, or the whole budget when the topic's size is not known (yet). */
    public static double fraction(int owned, int total) {
        if (total <= 0) {
            return 1.0;
        }
        return Math.max(0, Math.min(owned, total)) / (double) total;
    }

    /**
     * The share of {@code consumer}'s assignment of {@code topic}, without the partitions
     * {@code leaving} (a rebalance listener's revoked or lost ones, still in the assignment while it runs).
     */
    public static double of(Consumer<?, ?> consumer, String topic, Collection<TopicPartition> leaving) {
        long owned = consumer.assignment().stream().filter(p -> p.topic().equals(topic) && !leaving.contains(p)).count();
        return fraction((int) owned, consumer.partitionsFor(topic).size());
    }
}
