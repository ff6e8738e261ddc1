package com.hostkey.reinstall.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs of Strimzi {@code KafkaUser} manifests (such as {@code deploy/k8s/kafka-users.yaml}) as
 * Kafka {@link AclBinding}s, so any broker can be given exactly the production ACLs: the local stack's
 * ({@link KafkaAclsApply}, run by {@code deploy/stack.sh}) and the in-JVM broker of
 * {@code AuthorizingBrokerIT}. Each
 * user becomes the principal {@code User:<metadata.name>}; {@code spec.authorization.acls} entries
 * ({@code simple} authorization) map as Strimzi's user operator maps them: resource type {@code topic},
 * {@code group}, {@code transactionalId} or {@code cluster}; {@code patternType} {@code literal}
 * (default) or {@code prefix}; {@code operations} (or the older single {@code operation}) in Strimzi's
 * spelling ({@code Read}, {@code IdempotentWrite}, {@code DescribeConfigs}, ...); {@code type}
 * {@code allow} (default) or {@code deny}; {@code host} (default {@code *}). Anything else is refused
 * rather than guessed.
 */
public final class KafkaUserAcls {

    /** The name Kafka gives the one cluster resource. */
    public static final String CLUSTER_NAME = "kafka-cluster";

    private KafkaUserAcls() {}

    /** Every KafkaUser of the file, by user name (file order), each with its bindings (file order). */
    public static Map<String, List<AclBinding>> read(Path manifest) {
        Map<String, List<AclBinding>> users = new LinkedHashMap<>();
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(manifest.toFile())) {
            int index = 0;
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                index++;
                if (doc == null || doc.isNull() || doc.isMissingNode() || !"KafkaUser".equals(doc.path("kind").asText())) {
                    continue;
                }
                String name = doc.path("metadata").path("name").asText("");
                String where = manifest + " document " + index + " (KafkaUser " + name + ")";
                if (name.isEmpty()) {
                    throw new IllegalArgumentException(where + ": no metadata.name");
                }
                if (users.put(name, bindings(name, doc.path("spec").path("authorization"), where)) != null) {
                    throw new IllegalArgumentException(where + ": a second KafkaUser of that name");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + manifest, e);
        }
        return users;
    }

    /** The principal Strimzi's user operator gives a KafkaUser: {@code User:<name>}. */
    public static String principal(String userName) {
        return "User:" + userName;
    }

    /** Creates the bindings (as a super user's Admin) and waits until the broker has them all. */
    public static void create(Admin admin, Collection<AclBinding> bindings) {
        try {
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create " + bindings.size() + " ACLs: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating ACLs", e);
        }
    }

    /** Creates every user's bindings. */
    public static void createAll(Admin admin, Map<String, List<AclBinding>> users) {
        create(admin, users.values().stream().flatMap(List::stream).toList());
    }

    /**
     * Strimzi's operation name as Kafka's ({@code IdempotentWrite} is {@link AclOperation#IDEMPOTENT_WRITE});
     * an unknown name is an error.
     */
    public static AclOperation operation(String strimziName) {
        String constant = strimziName.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
        AclOperation operation;
        try {
            operation = AclOperation.valueOf(constant);
        } catch (IllegalArgumentException e) {
            operation = AclOperation.UNKNOWN;
        }
        if (operation == AclOperation.UNKNOWN || operation == AclOperation.ANY) {
            throw new IllegalArgumentException("Not a Kafka ACL operation: '" + strimziName + "'");
        }
        return operation;
    }

    private static List<AclBinding> bindings(String user, JsonNode authorization, String where) {
        List<AclBinding> bindings = new ArrayList<>();
        if (authorization.isMissingNode()) {
            return bindings;
        }
        if (!"simple".equals(authorization.path("type").asText())) {
            throw new IllegalArgumentException(where + ": only spec.authorization.type simple is understood, not '"
                    + authorization.path("type").asText() + "'");
        }
        for (JsonNode acl : authorization.path("acls")) {
            ResourcePattern pattern = resource(acl.path("resource"), where);
            AclPermissionType permission = switch (acl.path("type").asText("allow")) {
                case "allow" -> AclPermissionType.ALLOW;
                case "deny" -> AclPermissionType.DENY;
                default -> throw new IllegalArgumentException(where + ": ACL type '" + acl.path("type").asText() + "'");
            };
            String host = acl.path("host").asText("*");
            List<String> operations = new ArrayList<>();
            if (acl.has("operations")) {
                acl.path("operations").forEach(op -> operations.add(op.asText()));
            }
            if (acl.has("operation")) {
                operations.add(acl.path("operation").asText());
            }
            if (operations.isEmpty()) {
                throw new IllegalArgumentException(where + ": an ACL on " + pattern + " without operations");
            }
            for (String op : operations) {
                bindings.add(new AclBinding(pattern, new AccessControlEntry(principal(user), host, operation(op), permission)));
            }
        }
        return bindings;
    }

    private static ResourcePattern resource(JsonNode resource, String where) {
        String type = resource.path("type").asText("");
        if (type.equals("cluster")) {
            return new ResourcePattern(ResourceType.CLUSTER, CLUSTER_NAME, PatternType.LITERAL);
        }
        ResourceType resourceType = switch (type) {
            case "topic" -> ResourceType.TOPIC;
            case "group" -> ResourceType.GROUP;
            case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
            default -> throw new IllegalArgumentException(where + ": resource type '" + type + "'");
        };
        String name = resource.path("name").asText("");
        if (name.isEmpty()) {
            throw new IllegalArgumentException(where + ": a " + type + " resource without a name");
        }
        PatternType patternType = switch (resource.path("patternType").asText("literal")) {
            case "literal" -> PatternType.LITERAL;
            case "prefix" -> PatternType.PREFIXED;
            default -> throw new IllegalArgumentException(where + ": patternType '" + resource.path("patternType").asText() + "'");
        };
        return new ResourcePattern(resourceType, name, patternType);
    }
}
