package com.hostkey.reinstall.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the reinstall topics if they do not exist. All share one partition count, so they are
 * co-partitioned by server id (the projector folds requests and events per server, the
 * handler's intents follow its step partitions).
 */
public final class TopicProvisioner {

    private TopicProvisioner() {}

    public static void ensureTopics(Admin admin, int partitions, short replication) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String name : List.of(ReinstallTopics.REQUESTS, ReinstallTopics.STEPS, ReinstallTopics.EVENTS, ReinstallTopics.COMPLETIONS)) {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, partitions, replication)
                            .configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.min(2, replication)))));
                }
            }
            if (!existing.contains(ReinstallTopics.ADMISSIONS)) {
                // One key, one owner: a single partition says so plainly.
                missing.add(new NewTopic(ReinstallTopics.ADMISSIONS, 1, replication)
                        .configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.min(2, replication)))));
            }
            if (!existing.contains(ReinstallTopics.INTENTS)) {
                // Compacted and co-partitioned with the steps: a handler reloads the open intents
                // of exactly the step partitions it is assigned.
                missing.add(new NewTopic(ReinstallTopics.INTENTS, partitions, replication).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.min(2, replication)))));
            }
            if (!existing.contains(ReinstallTopics.DEAD_LETTERS)) {
                missing.add(new NewTopic(ReinstallTopics.DEAD_LETTERS, partitions, replication)
                        .configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.min(2, replication)))));
            }
            if (!existing.contains(ReinstallTopics.POLL_TARGETS)) {
                // Compacted: the latest record per server is the set of keys to poll; the poller rebuilds from it.
                missing.add(new NewTopic(ReinstallTopics.POLL_TARGETS, partitions, replication).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.min(2, replication)))));
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create the reinstall topics: " + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
