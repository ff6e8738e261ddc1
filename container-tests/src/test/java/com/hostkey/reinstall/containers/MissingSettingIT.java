package com.hostkey.reinstall.containers;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.model.HostConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.output.FrameConsumerResultCallback;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.output.ToStringConsumer;

/**
 * A service's image started without a setting it requires exits at once with status 78 (EX_CONFIG),
 * and its log names every missing setting in one line, without a stack trace: what an operator sees
 * of a broken ConfigMap in {@code kubectl logs}.
 */
class MissingSettingIT {

    @ParameterizedTest(name = "{0} without {1}")
    @CsvSource({
        "command-handler, KAFKA_BOOTSTRAP_SERVERS SEALING_PRIVATE_KEYS STEP_AUTH_KEYS",
        "stage-poller, KAFKA_BOOTSTRAP_SERVERS",
        "state-projector, KAFKA_BOOTSTRAP_SERVERS PROJECTOR_API_TOKENS STEP_AUTH_KEYS",
    })
    void shouldExitNonZeroNamingEveryMissingSetting(String module, String missing) throws Exception {
        ContainerImages images = ContainerImages.fromSystemProperties();
        DockerClient docker = DockerClientFactory.instance().client();
        // Everything but the settings named: only the registry's address, which nothing here contacts.
        CreateContainerResponse created = docker.createContainerCmd(images.service(module).asCanonicalNameString())
                .withEnv(List.of("SCHEMA_REGISTRY_URL=http://127.0.0.1:9/apis/ccompat/v7"))
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host").withReadonlyRootfs(true))
                .withLabels(java.util.Map.of("org.testcontainers", "true"))
                .exec();
        String id = created.getId();
        try {
            docker.startContainerCmd(id).exec();
            int exitCode = docker.waitContainerCmd(id).start().awaitStatusCode(60, TimeUnit.SECONDS);
            String log = logs(docker, id);

            // 78: ServiceLifecycle.EXIT_CONFIG (sysexits' EX_CONFIG), one log line, no stack trace.
            assertThat(exitCode).as("%s's exit code; its log:%n%s", module, log).isEqualTo(78);
            assertThat(log).contains(module + " cannot start, missing settings").contains(missing.split(" "))
                    .doesNotContain("Exception in thread").doesNotContain("\tat com.hostkey");
        } finally {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        }
    }

    private static String logs(DockerClient docker, String id) throws InterruptedException {
        ToStringConsumer output = new ToStringConsumer();
        List<OutputFrame.OutputType> types = new ArrayList<>(List.of(OutputFrame.OutputType.STDOUT, OutputFrame.OutputType.STDERR));
        try (FrameConsumerResultCallback callback = new FrameConsumerResultCallback()) {
            for (OutputFrame.OutputType type : types) {
                callback.addConsumer(type, output);
            }
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(false).exec(callback).awaitCompletion(30, TimeUnit.SECONDS);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return output.toUtf8String();
    }
}
