package com.hostkey.reinstall.containers;

import static com.hostkey.reinstall.containers.ContainerStack.HANDLER;
import static com.hostkey.reinstall.containers.ContainerStack.POLLER;
import static com.hostkey.reinstall.containers.ContainerStack.PROJECTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/**
 * The deployable images, run as the Kubernetes manifests run them ({@link ContainerStack}), proved
 * against the containers themselves: one reinstall end to end with billing's read_committed record;
 * the command handler and the projector each SIGKILLed and restarted mid-reinstall with every
 * invariant kept; the probes and the query API as Kubernetes and a client call them; a clean stop on
 * SIGTERM. The images must exist (deploy/containers/build-images.sh); the tier runs with
 * {@code -Dcontainers} (deploy/test.sh).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReinstallContainersIT {

    private static final Duration REINSTALL_TIMEOUT = Duration.ofMinutes(3);

    private ContainerStack stack;

    @BeforeAll
    void startTheStack() {
        stack = new ContainerStack().start();
    }

    @AfterAll
    void stopTheStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void shouldReinstallOneServerEndToEndWithBillingReadingOneCommittedCompletion() {
        long server = 1001;
        String requestId = stack.submitReinstall(server);

        await("the completion of " + server).atMost(REINSTALL_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> !stack.completionsFor(server).isEmpty());

        List<ReinstallCompletion> completions = stack.completionsFor(server);
        assertThat(completions).as("billing's records of server %d (read_committed)", server).singleElement()
                .satisfies(c -> {
                    assertThat(c.getRequestId()).isEqualTo(requestId);
                    assertThat(c.getOutcome()).isInstanceOf(ReinstallCompleted.class);
                });
        assertThat(stack.eventsFor(server).stream().filter(e -> e.getPayload() instanceof InstallStageReached)
                .map(e -> ((InstallStageReached) e.getPayload()).getStage()).distinct().sorted().toList())
                .as("installer stages seen").containsExactly(1, 2, 3, 4, 5);
        assertSimulatorClean(server);
    }

    @Test
    @Order(2)
    void shouldKeepEveryInvariantWhenTheHandlerAndTheProjectorAreKilledMidReinstall() {
        long server = 1002;
        String requestId = stack.submitReinstall(server);

        // The handler dies right after Hostkey accepted create_pxe (its outcome may not be published yet).
        await("create_pxe of " + server).atMost(REINSTALL_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> stack.simulatorSawCall(server, "eq/create_pxe"));
        stack.kill(HANDLER);
        assertThat(stack.completionsFor(server)).as("no completion yet: the kill is mid-reinstall").isEmpty();
        stack.restart(HANDLER);

        // The projector dies once the server rebooted into the installer; it comes back with its volume.
        await("reboot of " + server).atMost(REINSTALL_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> stack.simulatorSawCall(server, "eq/reboot"));
        stack.kill(PROJECTOR);
        assertThat(stack.completionsFor(server)).as("no completion yet: the kill is mid-reinstall").isEmpty();
        stack.restart(PROJECTOR);

        await("the completion of " + server).atMost(REINSTALL_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> !stack.completionsFor(server).isEmpty());
        assertThat(stack.completionsFor(server)).as("exactly one completion for the request").singleElement()
                .satisfies(c -> {
                    assertThat(c.getRequestId()).isEqualTo(requestId);
                    assertThat(c.getOutcome()).isInstanceOf(ReinstallCompleted.class);
                });
        assertSimulatorClean(server);
    }

    @Test
    @Order(3)
    void shouldAnswerProbesAndTheQueryApiAsKubernetesAndClientsCallThem() throws Exception {
        for (String service : List.of(HANDLER, POLLER, PROJECTOR)) {
            int port = stack.httpPort(service);
            K8sManifests.PodContainer pod = stack.pods.get(service);
            assertThat(List.of(pod.livenessPath(), pod.readinessPath())).as("%s's probes in its manifest", service)
                    .containsExactly("/health", "/ready");
            assertThat(HttpAnswers.status(port, pod.livenessPath())).as("%s liveness (no token)", service).isEqualTo(200);
            assertThat(HttpAnswers.status(port, pod.readinessPath())).as("%s readiness (no token)", service).isEqualTo(200);
            assertThat(HttpAnswers.get(port, "/metrics", null).orElseThrow().body()).as("%s metrics", service).contains("# TYPE");
        }
        // The command handler's public sealing keys, as a producer fetches them through the command-handler-jwks Service.
        HttpResponse<String> jwks = HttpAnswers.get(stack.httpPort(HANDLER), "/.well-known/jwks.json", null).orElseThrow();
        assertThat(jwks.statusCode()).isEqualTo(200);
        assertThat(jwks.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/jwk-set+json"));
        JsonNode keys = new ObjectMapper().readTree(jwks.body()).path("keys");
        assertThat(keys.path(0).path("kid").asText()).as("the manifest's SEALING_CURRENT_KEY first")
                .isEqualTo(stack.pods.get(HANDLER).environment().get("SEALING_CURRENT_KEY"));
        assertThat(keys).allSatisfy(key -> assertThat(key.has("d") || key.has("p") || key.has("q")).as("a private member").isFalse());

        int query = stack.httpPort(PROJECTOR);
        HttpResponse<String> state = HttpAnswers.get(query, "/reinstalls/1001", stack.apiToken()).orElseThrow();
        assertThat(state.statusCode()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(state.body());
        assertThat(body.path("serverId").asLong()).isEqualTo(1001);
        assertThat(body.path("phase").asText()).isEqualTo("COMPLETED");
        assertThat(HttpAnswers.get(query, "/reinstalls/1001", null).orElseThrow().statusCode()).as("no token").isEqualTo(401);
        assertThat(HttpAnswers.get(query, "/reinstalls/1001", "not-the-token-0123456789").orElseThrow().statusCode())
                .as("a wrong token").isEqualTo(401);
        assertThat(HttpAnswers.get(query, "/reinstalls/999999", stack.apiToken()).orElseThrow().statusCode())
                .as("an unknown server").isEqualTo(404);
    }

    @Test
    @Order(4)
    void shouldRunAsTheManifestsSayNonRootOnAReadOnlyRootFileSystem() throws Exception {
        for (String service : List.of(HANDLER, POLLER, PROJECTOR)) {
            GenericContainer<?> container = stack.services.get(service);
            InspectContainerResponse inspect = DockerClientFactory.instance().client().inspectContainerCmd(container.getContainerId()).exec();
            assertThat(inspect.getConfig().getUser()).as("%s image user", service).isEqualTo("10001:10001");
            assertThat(inspect.getHostConfig().getReadonlyRootfs()).as("%s read-only root", service).isTrue();
            assertThat(container.execInContainer("id", "-u").getStdout().strip()).as("%s uid", service).isEqualTo("10001");
            ExecResult write = container.execInContainer("touch", "/opt/reinstall/written");
            assertThat(write.getExitCode()).as("%s writing its root file system", service).isNotZero();
            assertThat(write.getStderr()).contains("Read-only file system");
        }
    }

    @Test
    @Order(5)
    void shouldStopEachServiceCleanlyOnSigterm() {
        // The projector last: the others' clean stop needs nothing of it, and its own closes Streams.
        for (String service : List.of(POLLER, HANDLER, PROJECTOR)) {
            long exitCode = stack.stop(service);
            assertThat(exitCode).as("%s exit code after SIGTERM (143: the JVM ran its shutdown; 137 would be the SIGKILL after the"
                    + " manifest's terminationGracePeriodSeconds)", service).isEqualTo(143);
            assertThat(stack.services.get(service).getLogs()).as("%s's log", service)
                    .contains(service + " stopping").contains(service + " stopped");
        }
    }

    private void assertSimulatorClean(long server) {
        JsonNode report = stack.simulatorAdmin("report");
        assertThat(report.path("clean").asBoolean()).as("the simulator's invariant report: %s", report).isTrue();
        assertThat(report.path("reinstallCounts").path(String.valueOf(server)).asInt()).as("installs of %d", server).isEqualTo(1);
        JsonNode snapshot = stack.simulatorAdmin("servers/" + server);
        assertThat(snapshot.path("bootDevice").asText()).as("server %d boots from disk", server).isEqualTo("disk");
        assertThat(snapshot.path("pxeConfigPresent").asBoolean()).as("server %d has no PXE config left", server).isFalse();
    }
}
