package com.hostkey.reinstall.runtime;

import com.hostkey.reinstall.schemas.ReinstallTopics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the reinstall topics that do not exist. All share one partition count, so they are
 * co-partitioned by server id (the projector folds requests and events per server, the
 * handler's intents follow its step partitions).
 *
 * <p>Each topic is looked up by name: {@code listTopics} shows a principal only the topics it may
 * describe, so under least-privilege ACLs a topic of another service would look missing. A topic the
 * caller may not describe is left to whoever provisions it (in production the operator's
 * KafkaTopics); only a topic known not to exist is created.
 */
public final class TopicProvisioner {

    private TopicProvisioner() {}

    public static void ensureTopics(Admin admin, int partitions, short replication) {
        Map<String, String> minIsr = Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.min(2, replication)));
        List<NewTopic> wanted = new ArrayList<>();
        for (String name : List.of(ReinstallTopics.REQUESTS, ReinstallTopics.STEPS, ReinstallTopics.EVENTS,
                ReinstallTopics.COMPLETIONS, ReinstallTopics.DEAD_LETTERS)) {
            wanted.add(new NewTopic(name, partitions, replication).configs(minIsr));
        }
        // One key, one owner: a single partition says so plainly.
        wanted.add(new NewTopic(ReinstallTopics.ADMISSIONS, 1, replication).configs(minIsr));
        // Compacted and co-partitioned with the steps: a handler reloads the open intents of exactly
        // the step partitions it is assigned.
        wanted.add(new NewTopic(ReinstallTopics.INTENTS, partitions, replication).configs(compacted(minIsr)));
        // Compacted: the latest record per server is the set of keys to poll; the poller rebuilds from it.
        wanted.add(new NewTopic(ReinstallTopics.POLL_TARGETS, partitions, replication).configs(compacted(minIsr)));
        try {
            // One request for every name; each name answers on its own future.
            Map<String, KafkaFuture<TopicDescription>> described =
                    admin.describeTopics(wanted.stream().map(NewTopic::name).toList()).topicNameValues();
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic topic : wanted) {
                if (isMissing(described.get(topic.name()))) {
                    missing.add(topic);
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return; // another instance created it meanwhile
            }
            throw new IllegalStateException("Cannot create the reinstall topics: " + e.getCause().getMessage()
                    + " (create them beforehand, e.g. deploy/k8s/kafka-topics.yaml, or grant Create)", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** True only when the topic is known not to exist; false when it exists or may not be described. */
    private static boolean isMissing(KafkaFuture<TopicDescription> description) throws ExecutionException, InterruptedException {
        try {
            description.get();
            return false;
        } catch (ExecutionException e) {
            return switch (e.getCause()) {
                case UnknownTopicOrPartitionException unknown -> true;
                case TopicAuthorizationException notOurs -> false;
                default -> throw e;
            };
        }
    }

    private static Map<String, String> compacted(Map<String, String> configs) {
        Map<String, String> all = new java.util.HashMap<>(configs);
        all.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        return all;
    }
}
