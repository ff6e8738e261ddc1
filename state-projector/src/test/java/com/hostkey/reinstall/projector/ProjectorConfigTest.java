package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.projector.http.QueryApiSettings;
import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectorConfigTest {

    private static final Map<String, String> REQUIRED = Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
            "SCHEMA_REGISTRY_URL", "http://registry:8081",
            "PROJECTOR_API_TOKENS", "query-token-0123456789abcdef0123456789");

    @TempDir
    static Path keys;

    private static ProjectorConfig fromEnv(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(REQUIRED);
        env.put("STEP_AUTH_KEYS", "old=" + StepAuthenticator.writeKey(StepAuthenticator.generateKey(), keys, "old")
                + ",new=" + StepAuthenticator.writeKey(StepAuthenticator.generateKey(), keys, "new"));
        env.putAll(extra);
        return ProjectorConfig.fromEnv(new EnvSettings(env));
    }

    /** What Streams hands the consumer of stream thread {@code index} that is in the group. */
    private static Map<String, Object> mainConsumerOfThread(Properties streams, int index) {
        return new StreamsConfig(streams).getMainConsumerConfigs("reinstall-state-projector", "client-" + index, index);
    }

    @Test
    void shouldGiveTheMainConsumerAStaticMemberIdPerThreadAndTheSessionTimeoutFromTheEnvironment() {
        Properties streams = fromEnv(Map.of("PROJECTOR_INSTANCE_ID", "state-projector-2", "KAFKA_SESSION_TIMEOUT_MS", "10000"))
                .streamsConfig(8083);

        assertThat(streams).containsEntry("main.consumer.group.instance.id", "state-projector-2")
                .containsEntry("main.consumer.session.timeout.ms", "10000");
        StreamsConfig config = new StreamsConfig(streams);
        assertThat(mainConsumerOfThread(streams, 1)).containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "state-projector-2-1")
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        assertThat(mainConsumerOfThread(streams, 2)).containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "state-projector-2-2");
        // Restoring reads changelogs outside the group: no member id there.
        assertThat(config.getRestoreConsumerConfigs("restore")).doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }

    @Test
    void shouldStayADynamicMemberWithKafkasSessionTimeoutWhenTheEnvironmentSetsNeither() {
        Properties streams = fromEnv(Map.of()).streamsConfig(8083);

        assertThat(mainConsumerOfThread(streams, 1)).doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)
                .doesNotContainKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
    }

    @Test
    void shouldKeepTheMembershipOfTheEnvironmentThroughTheWithCopies() {
        ProjectorConfig config = fromEnv(Map.of("PROJECTOR_INSTANCE_ID", "projector-a"))
                .withQueryApi(QueryApiSettings.withGeneratedToken()).withClientSecurity(new Properties());

        assertThat(mainConsumerOfThread(config.streamsConfig(8083), 1))
                .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "projector-a-1");
        assertThat(config.toString()).contains("projector-a");
    }

    @Test
    void shouldSignWithTheLastListedStepKeyUnlessTheSigningKeyIsNamed() {
        byte[] value = {1, 2, 3};
        org.apache.kafka.common.header.internals.RecordHeaders byDefault = new org.apache.kafka.common.header.internals.RecordHeaders();
        fromEnv(Map.of()).stepAuth().sign("reinstall-steps", byDefault, value);
        org.apache.kafka.common.header.internals.RecordHeaders named = new org.apache.kafka.common.header.internals.RecordHeaders();
        fromEnv(Map.of("STEP_AUTH_SIGNING_KEY", "old")).stepAuth().sign("reinstall-steps", named, value);

        assertThat(new String(byDefault.lastHeader(StepAuthenticator.HEADER).value())).startsWith("v1:new:");
        assertThat(new String(named.lastHeader(StepAuthenticator.HEADER).value())).startsWith("v1:old:");
    }

    @Test
    void shouldRefuseToStartWithoutStepKeysNamingTheSetting() {
        Map<String, String> env = new HashMap<>(REQUIRED);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProjectorConfig.fromEnv(new EnvSettings(env)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STEP_AUTH_KEYS");
    }
}
