package com.hostkey.reinstall.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * Gives a cluster the ACLs of Strimzi {@code KafkaUser} manifests (on a cluster without Strimzi's user
 * operator, e.g. the local stack's broker): reads the file with {@link KafkaUserAcls}, creates every
 * binding as the administrator whose client settings the properties file holds (a super user), and
 * waits until the broker lists them all. Creating an ACL that exists changes nothing, so it may run on
 * every start. Prints what it applied, never a credential.
 *
 * <p>Usage: {@code KafkaAclsApply BOOTSTRAP_SERVERS ADMIN_CLIENT_PROPERTIES KAFKA_USERS_YAML}, e.g.
 * {@code KafkaAclsApply 127.0.0.1:29092 .stack/secrets/kafka/stack-admin.properties deploy/k8s/kafka-users.yaml}.
 * The names in the manifests are those of the default deployment ids ({@code reinstall-state-projector},
 * {@code reinstall-command-handler}, {@code reinstall-stage-poller}); services run under other ids need
 * a manifest with those names.
 */
public final class KafkaAclsApply {

    private KafkaAclsApply() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: KafkaAclsApply BOOTSTRAP_SERVERS ADMIN_CLIENT_PROPERTIES KAFKA_USERS_YAML");
            System.exit(2);
        }
        Path manifest = Path.of(args[2]);
        Map<String, List<AclBinding>> users = KafkaUserAcls.read(manifest);
        try (Admin admin = Admin.create(KafkaClientFile.load(args[0], args[1]))) {
            int applied = apply(admin, users, Duration.ofSeconds(30));
            System.out.printf("applied %d ACLs of %d users (%s) from %s%n", applied, users.size(),
                    String.join(", ", users.keySet()), manifest);
        }
    }

    /** Creates every user's bindings and waits until the broker lists each of them; answers how many. */
    static int apply(Admin admin, Map<String, List<AclBinding>> users, Duration timeout) {
        List<AclBinding> bindings = users.values().stream().flatMap(List::stream).toList();
        KafkaUserAcls.create(admin, bindings);
        Instant deadline = Instant.now().plus(timeout);
        // The broker answers DescribeAcls from its own authorizer: once it lists them all, it enforces them all.
        while (true) {
            Set<AclBinding> listed;
            try {
                listed = new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get(10, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("Cannot list the broker's ACLs: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while listing ACLs", e);
            }
            List<AclBinding> missing = bindings.stream().filter(b -> !listed.contains(b)).toList();
            if (missing.isEmpty()) {
                return bindings.size();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(missing.size() + " ACLs not listed by the broker after " + timeout.toSeconds()
                        + " s, e.g. " + missing.get(0));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the ACLs", e);
            }
        }
    }
}
