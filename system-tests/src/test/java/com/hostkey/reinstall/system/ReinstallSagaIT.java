package com.hostkey.reinstall.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.invapi.simulator.ServerSnapshot;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.DeadlineKind;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The saga against the simulator with its faults switched on: stalls, a server that never catches
 * PXE, a failing Jenkins task, cancels, a request that cannot succeed. Every scenario ends with the
 * server booting from disk and no PXE config, as the simulator's own record shows.
 */
class ReinstallSagaIT {

    /** Deadlines short enough for a test; the simulator runs installs 200 times faster than real. */
    private static final SagaSettings FAST = new SagaSettings(Duration.ofSeconds(20), Duration.ofSeconds(5),
            Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(10), Duration.ofSeconds(60),
            Duration.ofSeconds(60), 3, Duration.ofMillis(200), Duration.ofSeconds(1), 1, 3, Duration.ofDays(7));

    private static ReinstallStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        stack = new ReinstallStack(200.0, FAST, AdmissionSettings.defaults(), ReinstallStack.API_KEY, ReinstallStack.PIN, 16);
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @ParameterizedTest(name = "stall at stage {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void shouldFailWithADeadlineAndCleanUpWhenTheInstallStallsAtAStage(int stage) throws Exception {
        // Servers of their own, none a GPU server (the fleet cycles bm, bm, vm, gpu): OS 101 fits them.
        long server = List.of(1009L, 1010L, 1011L, 1013L).get(stage - 1);
        stack.simulator.faults().installStallsAt(server, stage);
        ReinstallCompletion completion = reinstallAndWait(server, List.of());

        ReinstallFailed failed = (ReinstallFailed) completion.getOutcome();
        assertThat(failed.getKind()).isEqualTo(FailureKind.DEADLINE);
        assertThat(failed.getPhase().name()).isEqualTo("INSTALLING");
        assertThat(completion.getStageTimes()).containsKey(String.valueOf(stage)).doesNotContainKey(String.valueOf(stage + 1));
        assertThat(payloads(server)).anyMatch(p -> p instanceof DeadlineExceeded d && d.getDeadline() == DeadlineKind.NEXT_STAGE);
        assertLeftSafe(server);
    }

    @Test
    void shouldRebootOnceMoreThenFailWhenTheServerNeverCatchesPxe() throws Exception {
        long server = 1002;
        stack.simulator.faults().neverCatchPxe(server);
        ReinstallCompletion completion = reinstallAndWait(server, List.of());

        ReinstallFailed failed = (ReinstallFailed) completion.getOutcome();
        assertThat(failed.getKind()).isEqualTo(FailureKind.DEADLINE);
        assertThat(failed.getMessage()).contains("did not catch PXE");
        assertThat(calls(server, "eq/reboot")).isEqualTo(2);
        assertThat(payloads(server)).filteredOn(p -> p instanceof DeadlineExceeded d && d.getDeadline() == DeadlineKind.FIRST_STAGE).hasSize(2);
        assertLeftSafe(server);
    }

    @Test
    void shouldCleanUpAndFailThePostInstallWhenTheJenkinsTaskFails() throws Exception {
        long server = 1005;
        stack.simulator.faults().jenkinsTaskFails("monitoring-agent");
        ReinstallCompletion completion = reinstallAndWait(server, List.of("monitoring-agent"));

        ReinstallFailed failed = (ReinstallFailed) completion.getOutcome();
        assertThat(failed.getKind()).isEqualTo(FailureKind.POST_INSTALL_FAILED);
        assertThat(stack.simulator.server(server).installsStarted()).isEqualTo(1);
        assertLeftSafe(server);
    }

    @Test
    void shouldCancelDuringTheInstallAndLeaveTheServerBootingFromDisk() throws Exception {
        long server = 1006;
        String requestId = submitReinstall(server, List.of());
        await("install under way").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> stateOf(server).contains("\"phase\":\"INSTALLING\""));
        stack.submit(stack.upstream(server, CancelReinstall.newBuilder().setReason("customer changed mind").build()));

        ReinstallCompletion completion = awaitCompletion(server, requestId);
        ReinstallCancelled cancelled = (ReinstallCancelled) completion.getOutcome();
        assertThat(cancelled.getReason()).isEqualTo("customer changed mind");
        assertLeftSafe(server);
    }

    @Test
    void shouldCancelBeforeAnythingTouchesTheServer() throws Exception {
        long server = 1007;
        String requestId = submitReinstall(server, List.of());
        stack.submit(stack.upstream(server, CancelReinstall.newBuilder().build()));

        ReinstallCompletion completion = awaitCompletion(server, requestId);
        assertThat(completion.getOutcome()).isInstanceOf(ReinstallCancelled.class);
        assertThat(calls(server, "eq/create_pxe") + calls(server, "eq/reboot")).isZero();
        assertLeftSafe(server);
    }

    @Test
    void shouldRejectARequestThatCannotSucceedWithoutAnySideEffect() throws Exception {
        long server = 1008;
        String requestId = "it-" + UUID.randomUUID();
        stack.submit(stack.upstream(server, ReinstallServer.newBuilder()
                .setRequestId(requestId)
                .setOsId(101)
                .setHostname("bad_host name.example.net")
                .setRootPassword(stack.sealer.seal("Valid7%Password"))
                .build()));

        ReinstallCompletion completion = awaitCompletion(server, requestId);
        ReinstallRejected rejected = (ReinstallRejected) completion.getOutcome();
        assertThat(rejected.getReason()).isEqualTo(RejectionReason.INVALID_HOSTNAME);
        assertThat(rejected.getField()).isEqualTo("hostname");
        Set<String> sideEffects = Set.of("eq/reinstall", "eq/create_pxe", "eq/boot_dev", "eq/reboot", "eq/clear_pxe", "jenkins/run_task");
        assertThat(stack.simulator.audit()).noneMatch(a -> Long.valueOf(server).equals(a.serverId()) && sideEffects.contains(a.call()));
    }

    // ------------------------------------------------------------------ helpers

    private static ReinstallCompletion reinstallAndWait(long server, List<String> tasks) throws Exception {
        return awaitCompletion(server, submitReinstall(server, tasks));
    }

    private static String submitReinstall(long server, List<String> tasks) throws Exception {
        String requestId = "it-" + UUID.randomUUID();
        stack.submit(stack.upstream(server, ReinstallServer.newBuilder()
                .setRequestId(requestId)
                .setOsId(101)
                .setHostname("srv" + server + ".saga.example.net")
                .setRootPassword(stack.sealer.seal("Saga7%Password"))
                .setJenkinsTasks(tasks)
                .build()));
        return requestId;
    }

    private static ReinstallCompletion awaitCompletion(long server, String requestId) {
        return await("the completion of " + requestId).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.completionsFor(server).stream().filter(c -> c.getRequestId().equals(requestId)).toList(),
                        list -> !list.isEmpty())
                .get(0);
    }

    private static List<Object> payloads(long server) {
        return stack.eventsFor(server).stream().map(ReinstallEvent::getPayload).toList();
    }

    private static long calls(long server, String call) {
        return stack.simulator.audit().stream().filter(a -> Long.valueOf(server).equals(a.serverId()) && a.call().equals(call)).count();
    }

    private static String stateOf(long server) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.queryUrl("/reinstalls/" + server)))
                        .header("Authorization", "Bearer " + stack.queryToken()).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? new ObjectMapper().readTree(response.body()).toString() : "";
    }

    /** The simulator's own record: booting from disk, no PXE config, nothing reinstalled by surprise. */
    private static void assertLeftSafe(long server) {
        await("the server at rest").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            ServerSnapshot snapshot = stack.simulator.server(server);
            assertThat(snapshot.bootDevice()).isEqualTo("disk");
            assertThat(snapshot.pxeConfigPresent()).isFalse();
            assertThat(snapshot.suddenReinstalls()).isZero();
        });
        assertThat(stack.completionsFor(server)).hasSize(1);
    }
}
