package com.hostkey.reinstall.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KafkaUsers of kafka-users.yaml as the ACL bindings the local stack and AuthorizingBrokerIT create. */
class KafkaUserAclsTest {

    private static final Path KAFKA_USERS = Path.of("k8s", "kafka-users.yaml");

    @Test
    void shouldReadEveryUserOfTheManifestAsItsOwnPrincipal() {
        Map<String, List<AclBinding>> users = KafkaUserAcls.read(KAFKA_USERS);
        assertThat(users).containsOnlyKeys("state-projector", "command-handler", "stage-poller", "upstream", "billing", "operators");
        users.forEach((user, bindings) -> assertThat(bindings).as(user).isNotEmpty()
                .allSatisfy(b -> assertThat(b.entry().principal()).isEqualTo("User:" + user)));
        assertThat(users.get("upstream")).containsExactlyInAnyOrder(
                allow("upstream", ResourceType.TOPIC, "reinstall-requests", PatternType.LITERAL, AclOperation.WRITE),
                allow("upstream", ResourceType.TOPIC, "reinstall-requests", PatternType.LITERAL, AclOperation.DESCRIBE),
                allow("upstream", ResourceType.CLUSTER, KafkaUserAcls.CLUSTER_NAME, PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE));
        assertThat(users.get("command-handler")).contains(
                allow("command-handler", ResourceType.TRANSACTIONAL_ID, "reinstall-command-handler", PatternType.PREFIXED, AclOperation.WRITE),
                allow("command-handler", ResourceType.GROUP, "reinstall-command-handler", PatternType.PREFIXED, AclOperation.READ));
    }

    @Test
    void shouldRefuseWhatItDoesNotUnderstandRatherThanGuess(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> KafkaUserAcls.read(manifest(dir, "operations: [Read, Fly]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Fly");
        assertThatThrownBy(() -> KafkaUserAcls.read(manifest(dir, "operations: [Read]\n        type: maybe")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maybe");
        assertThat(KafkaUserAcls.read(manifest(dir, "operations: [Read]\n        type: deny")).get("someone"))
                .singleElement().satisfies(b -> assertThat(b.entry().permissionType()).isEqualTo(AclPermissionType.DENY));
    }

    @Test
    void shouldNameOperationsAsTheKafkaUsersDo() {
        for (AclOperation operation : AclOperation.values()) {
            if (operation != AclOperation.ANY && operation != AclOperation.UNKNOWN) {
                assertThat(KafkaUserAcls.operation(KafkaAccessProbe.strimziName(operation))).isEqualTo(operation);
            }
        }
        assertThat(KafkaAccessProbe.strimziName(AclOperation.IDEMPOTENT_WRITE)).isEqualTo("IdempotentWrite");
    }

    @Test
    void shouldNameTheLoginOfAClientFileWithoutItsPassword(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("upstream.properties");
        Files.writeString(file, """
                security.protocol=SASL_PLAINTEXT
                sasl.mechanism=PLAIN
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="upstream" password="s3cret";
                """);
        Properties props = KafkaClientFile.load("127.0.0.1:29092", file.toString());
        assertThat(props).containsEntry("bootstrap.servers", "127.0.0.1:29092").containsEntry("sasl.mechanism", "PLAIN");
        assertThat(KafkaClientFile.principal(props)).isEqualTo("User:upstream").doesNotContain("s3cret");
        assertThat(KafkaClientFile.principal(KafkaClientFile.load("127.0.0.1:29092", "-"))).isEqualTo("User:ANONYMOUS (PLAINTEXT)");
    }

    private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    private static Path manifest(Path dir, String acl) throws IOException {
        Path file = Files.createTempFile(dir, "users", ".yaml");
        Files.writeString(file, """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaUser
                metadata:
                  name: someone
                spec:
                  authorization:
                    type: simple
                    acls:
                      - resource:
                          type: topic
                          name: reinstall-requests
                        %s
                """.formatted(acl));
        return file;
    }
}
