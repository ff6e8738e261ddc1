package com.hostkey.reinstall.deploy;

import com.hostkey.reinstall.runtime.TopicProvisioner;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * Creates the reinstall topics that do not exist, as an administrator: exactly what
 * {@link TopicProvisioner#ensureTopics} creates (the projector does the same at start, but under the
 * KafkaUsers' ACLs it may not create them: nobody but an administrator has Create on the reinstall
 * topics). Prints each reinstall topic with its partition count.
 *
 * <p>Usage: {@code KafkaTopicsCreate BOOTSTRAP_SERVERS ADMIN_CLIENT_PROPERTIES PARTITIONS [REPLICATION]}
 * ({@code -} for no client properties: PLAINTEXT); replication defaults to 1.
 */
public final class KafkaTopicsCreate {

    private KafkaTopicsCreate() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: KafkaTopicsCreate BOOTSTRAP_SERVERS ADMIN_CLIENT_PROPERTIES PARTITIONS [REPLICATION]");
            System.exit(2);
        }
        int partitions = Integer.parseInt(args[2]);
        short replication = args.length == 4 ? Short.parseShort(args[3]) : 1;
        try (Admin admin = Admin.create(KafkaClientFile.load(args[0], args[1]))) {
            TopicProvisioner.ensureTopics(admin, partitions, replication);
            Map<String, Integer> topics = new TreeMap<>();
            for (String name : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
                if (name.startsWith("reinstall-") && !name.startsWith("reinstall-state-projector-")) {
                    topics.put(name, 0);
                }
            }
            for (Map.Entry<String, TopicDescription> topic : admin.describeTopics(topics.keySet()).allTopicNames()
                    .get(30, TimeUnit.SECONDS).entrySet()) {
                topics.put(topic.getKey(), topic.getValue().partitions().size());
            }
            StringBuilder line = new StringBuilder("topics:");
            topics.forEach((name, count) -> line.append(' ').append(name).append(" (").append(count).append(')'));
            System.out.println(line);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot list the reinstall topics: " + e, e);
        }
    }
}
