package com.hostkey.reinstall.projector.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.projector.saga.ReinstallStateMachine.Decision;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.CallbackKeyVanished;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallQueued;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.ReleaseServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * States are values: the saga processor keeps the states it stored and hands them back to the
 * machine, and the machine's copies are shallow. Each reinstall here runs through the machine keeping
 * every state it was handed or returned, with a deep copy taken at the time, and checks at the end that
 * none of them changed (a collection changed in place, say).
 */
class StateCopiesTest {

    private static final long SERVER = 1001;
    private static final ReinstallStateMachine MACHINE = new ReinstallStateMachine(SagaSettings.defaults());

    @Test
    void shouldShareEveryFieldWithTheStateCopiedAndChangeOnlyTheCopy() {
        Run run = new Run();
        run.request("req-1", List.of("required-task"), List.of("optional-task"));
        run.answer(validated());
        ReinstallState original = run.state;
        ReinstallState originalAtTheTime = ReinstallState.newBuilder(original).build();

        ReinstallState copy = StateCopies.with(original, s -> {
            s.setQueuePosition(7);
            s.setPhaseTimes(new HashMap<>());
        });

        for (Schema.Field field : ReinstallState.getClassSchema().getFields()) {
            if (!field.name().equals("queuePosition") && !field.name().equals("phaseTimes")) {
                assertThat(copy.get(field.pos())).as(field.name()).isEqualTo(original.get(field.pos()));
            }
        }
        assertThat(copy.getSeenRequests()).isSameAs(original.getSeenRequests());
        assertThat(copy.getQueuePosition()).isEqualTo(7);
        assertThat(copy.getPhaseTimes()).isEmpty();
        assertThat(original).isEqualTo(originalAtTheTime);
    }

    @Test
    void shouldLeaveEveryEarlierStateAsItWasThroughACompletedReinstall() {
        Run run = new Run();
        run.request("req-1", List.of("required-task"), List.of("optional-task"));
        run.answer(validated());
        run.callback(ReinstallQueued.newBuilder().setPosition(3).build());
        run.request("req-2", List.of(), List.of());  // refused while busy, and remembered
        run.callback(AdmissionGranted.newBuilder().build());
        run.answer(ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());
        run.answer(failed(HostkeyErrorClass.TRANSIENT));
        run.timersAfter(Duration.ofMinutes(1));
        run.acceptAndComplete(AsyncActionKind.CREATE_PXE, "pxe-key");
        run.acceptAndComplete(AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key");
        run.acceptAndComplete(AsyncActionKind.REBOOT, "reboot-key");
        for (int stage = 1; stage <= 5; stage++) {
            run.callback(InstallStageReached.newBuilder().setStage(stage).build());
        }
        run.callback(InstallStageReached.newBuilder().setStage(6).build());  // stale: ignored, and counted
        run.answer(ActionCompleted.newBuilder().setAction(AsyncActionKind.BOOT_FROM_DISK).setCallbackKey(null).build());
        run.acceptAndComplete(AsyncActionKind.JENKINS_TASK, "task-1-key");
        run.answer(accepted(AsyncActionKind.JENKINS_TASK, "task-2-key"));
        run.callback(ActionFailed.newBuilder().setAction(AsyncActionKind.JENKINS_TASK).setCallbackKey("task-2-key")
                .setReason("optional, and failed").build());
        run.acceptAndComplete(AsyncActionKind.CLEAR_PXE, "clear-key");
        assertThat(run.state.getPhase()).isEqualTo(ReinstallPhase.COMPLETED);
        assertThat(run.state.getSkippedJenkinsTasks()).containsExactly("optional-task");
        assertThat(run.state.getAttempts()).containsEntry("CREATING_PXE_CONFIG", 2);

        run.request("req-1", List.of(), List.of());  // a duplicate
        run.request("req-3", List.of(), List.of());
        assertThat(run.state.getPhase()).isEqualTo(ReinstallPhase.VALIDATING);
        assertThat(run.state.getSeenRequests()).containsKeys("req-1", "req-2", "req-3");

        run.assertEveryStateAsItWasMade();
    }

    @Test
    void shouldLeaveEveryEarlierStateAsItWasThroughAFailedReinstallAndItsCleanup() {
        Run run = new Run();
        run.request("req-1", List.of("required-task"), List.of());
        run.answer(validated());
        run.callback(AdmissionGranted.newBuilder().build());
        run.answer(ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());
        run.answer(failed(HostkeyErrorClass.AMBIGUOUS));  // reconciled: clear_pxe, then create_pxe again
        run.acceptAndComplete(AsyncActionKind.CLEAR_PXE, "reset-key");
        run.acceptAndComplete(AsyncActionKind.CREATE_PXE, "pxe-key");
        run.acceptAndComplete(AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key");
        run.answer(accepted(AsyncActionKind.REBOOT, "reboot-key"));
        run.timersAfter(SagaSettings.defaults().firstStage().plusMinutes(1));  // no stage 1: one more PXE round
        run.acceptAndComplete(AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key-2");
        run.acceptAndComplete(AsyncActionKind.REBOOT, "reboot-key-2");
        run.callback(InstallStageReached.newBuilder().setStage(1).build());
        run.callback(InstallStageReached.newBuilder().setStage(2).build());
        run.callback(InstallFailed.newBuilder().setLastStage(2).setReason("disk").build());
        run.acceptAndComplete(AsyncActionKind.BOOT_FROM_DISK, "disk-key");
        run.answer(accepted(AsyncActionKind.CLEAR_PXE, "clear-key"));
        run.callback(ActionFailed.newBuilder().setAction(AsyncActionKind.CLEAR_PXE).setCallbackKey("clear-key")
                .setReason("refused").build());
        assertThat(run.state.getPhase()).isEqualTo(ReinstallPhase.FAILED);
        assertThat(run.state.getFailureKind()).isEqualTo(FailureKind.COMPENSATION_FAILED);
        assertThat(run.state.getConsecutiveFailures()).isEqualTo(1);

        run.release();
        assertThat(run.state.getConsecutiveFailures()).isZero();
        run.request("req-2", List.of(), List.of());

        run.assertEveryStateAsItWasMade();
    }

    @Test
    void shouldLeaveEveryEarlierStateAsItWasThroughACancelledReinstall() {
        Run run = new Run();
        run.request("req-1", List.of(), List.of());
        run.answer(validated());
        run.callback(AdmissionGranted.newBuilder().build());
        run.answer(ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());
        run.answer(accepted(AsyncActionKind.CREATE_PXE, "pxe-key"));
        run.cancel();  // waits for the action in flight
        run.callback(ActionCompleted.newBuilder().setAction(AsyncActionKind.CREATE_PXE).setCallbackKey("pxe-key").build());
        assertThat(run.state.getPhase()).as("the cancel turned into cleanup").isEqualTo(ReinstallPhase.SETTING_BOOT_DISK);
        run.answer(accepted(AsyncActionKind.BOOT_FROM_DISK, "disk-key"));
        run.callback(CallbackKeyVanished.newBuilder().setCallbackKey("disk-key").setAction(AsyncActionKind.BOOT_FROM_DISK).build());
        run.acceptAndComplete(AsyncActionKind.BOOT_FROM_DISK, "disk-key-2");
        run.acceptAndComplete(AsyncActionKind.CLEAR_PXE, "clear-key");
        assertThat(run.state.getPhase()).isEqualTo(ReinstallPhase.CANCELLED);

        run.assertEveryStateAsItWasMade();
    }

    /**
     * One server's reinstalls through the machine, one second per input. Each input is handed the
     * state the one before returned, as the saga processor does with the states it keeps.
     */
    private static final class Run {
        private final List<String> inputs = new ArrayList<>();
        private final List<ReinstallState> states = new ArrayList<>();
        private final List<ReinstallState> copiesAtTheTime = new ArrayList<>();
        private Instant now = Instant.parse("2026-11-24T10:00:00Z");
        ReinstallState state;

        void request(String requestId, List<String> tasks, List<String> optionalTasks) {
            ReinstallServer request = ReinstallServer.newBuilder()
                    .setRequestId(requestId)
                    .setOsId(101)
                    .setHostname("srv.example.net")
                    .setRootPassword("eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiazEifQ.d3JhcHBlZC1rZXk.aXYtaXYtaXY.Y2lwaGVydGV4dA.dGFn")
                    .setJenkinsTasks(tasks)
                    .setOptionalJenkinsTasks(optionalTasks)
                    .build();
            decide("request " + requestId, at -> MACHINE.request(state, upstream(request, at), request, at));
        }

        void answer(Object payload) {
            String commandId = state.getPendingCommandId();
            assertThat(commandId).as("a step awaits its answer before %s", payload).isNotNull();
            decide("answer " + payload, at -> MACHINE.apply(state, event(commandId, payload, at), at));
        }

        void callback(Object payload) {
            decide("event " + payload, at -> MACHINE.apply(state, event(null, payload, at), at));
        }

        void acceptAndComplete(AsyncActionKind action, String callbackKey) {
            answer(accepted(action, callbackKey));
            callback(ActionCompleted.newBuilder().setAction(action).setCallbackKey(callbackKey).build());
        }

        void cancel() {
            decide("cancel", at -> MACHINE.cancel(state, CancelReinstall.newBuilder().setReason("changed my mind").build(), at));
        }

        void release() {
            decide("release", at -> MACHINE.release(state, ReleaseServer.newBuilder().setReason("checked").build(), at));
        }

        void timersAfter(Duration wait) {
            now = now.plus(wait);
            decide("timers after " + wait, at -> MACHINE.onTimer(state, at));
        }

        private void decide(String input, Function<Instant, Decision> machine) {
            now = now.plusSeconds(1);
            state = machine.apply(now).state();
            inputs.add(input);
            states.add(state);
            copiesAtTheTime.add(ReinstallState.newBuilder(state).build());
        }

        void assertEveryStateAsItWasMade() {
            assertThat(states).hasSizeGreaterThan(2);
            for (int i = 0; i < states.size(); i++) {
                assertThat(states.get(i)).as("state %d, %s, later", i, inputs.get(i)).isEqualTo(copiesAtTheTime.get(i));
            }
        }

        private static ReinstallRequest upstream(ReinstallServer request, Instant at) {
            return ReinstallRequest.newBuilder().setCommandId("command-" + request.getRequestId()).setServerId(SERVER)
                    .setIssuedAt(at).setIssuedBy("test").setPayload(request).build();
        }

        private ReinstallEvent event(String commandId, Object payload, Instant at) {
            return ReinstallEvent.newBuilder()
                    .setEventId("event-" + inputs.size())
                    .setServerId(SERVER)
                    .setReinstallId(state.getReinstallId())
                    .setCommandId(commandId)
                    .setOccurredAt(at)
                    .setSource("test")
                    .setPayload(payload)
                    .build();
        }
    }

    private static ReinstallValidated validated() {
        return ReinstallValidated.newBuilder().setOsName("Ubuntu 22.04").setServerType("bm").setLocation("NL").build();
    }

    private static ActionAccepted accepted(AsyncActionKind action, String callbackKey) {
        return ActionAccepted.newBuilder().setAction(action).setCallbackKey(callbackKey).build();
    }

    private static HostkeyCallFailed failed(HostkeyErrorClass error) {
        return HostkeyCallFailed.newBuilder().setCall("eq/create_pxe").setErrorClass(error).setMessage("HTTP 503").build();
    }
}
