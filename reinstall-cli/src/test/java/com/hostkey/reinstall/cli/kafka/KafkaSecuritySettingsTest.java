package com.hostkey.reinstall.cli.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's Kafka clients log in with the same SASL/SSL variables as the services (KafkaClientSecurity),
 * as the local stack runs it: {@code operators} through {@code KAFKA_SASL_JAAS_CONFIG_FILE}.
 */
class KafkaSecuritySettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"operators\" password=\"not-a-real-one\";";

    @Test
    void shouldLogInWithTheSaslSettingsOfTheEnvironment(@TempDir Path dir) throws IOException {
        Path jaas = Files.writeString(dir.resolve("operators.jaas"), JAAS + "\n");
        CliRun cli = new CliRun().withKafka();
        cli.env.put("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        cli.env.put("KAFKA_SASL_MECHANISM", "PLAIN");
        cli.env.put("KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString());

        CliRun.Result result = cli.run("release", "1001");

        assertThat(result.code()).isZero();
        KafkaSettings settings = cli.connectors.kafkaSettings;
        assertThat(settings.security()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config", JAAS));
        // Every client the CLI makes gets them, under its own settings.
        assertThat(settings.withSecurity(Map.of("bootstrap.servers", "127.0.0.1:29092")))
                .containsEntry("sasl.jaas.config", JAAS).containsEntry("bootstrap.servers", "127.0.0.1:29092");
        assertThat(result.out() + result.err()).doesNotContain("not-a-real-one");
    }

    @Test
    void shouldUsePlaintextWhenTheEnvironmentSetsNoSecurity() {
        CliRun cli = new CliRun().withKafka();

        assertThat(cli.run("release", "1001").code()).isZero();
        assertThat(cli.connectors.kafkaSettings.security()).isEmpty();
    }

    @Test
    void shouldRefuseAJaasFileItCannotRead(@TempDir Path dir) {
        CliRun cli = new CliRun().withKafka();
        cli.env.put("KAFKA_SASL_JAAS_CONFIG_FILE", dir.resolve("missing.jaas").toString());

        CliRun.Result result = cli.run("release", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.CONFIG);
        assertThat(result.err()).contains("KAFKA_SASL_JAAS_CONFIG_FILE");
        assertThat(cli.connectors.published).isEmpty();
    }
}
