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
import com.hostkey.reinstall.schemas.avro.ClearPxeConfig;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Explores every state the saga can reach under every input it may get (each answer, each error
 * class, each callback, each stage, cancel, and every deadline passing) and checks the safety
 * invariants on each move, not just on the paths other tests happen to take.
 */
class ReinstallStateMachineModelTest {

    private static final long SERVER = 1001;
    private static final ReinstallStateMachine MACHINE = new ReinstallStateMachine(SagaSettings.defaults());
    private static final Set<ReinstallPhase> CLEANUP = EnumSet.of(ReinstallPhase.SETTING_BOOT_DISK,
            ReinstallPhase.AWAITING_BOOT_DISK, ReinstallPhase.CLEARING_PXE_CONFIG, ReinstallPhase.AWAITING_PXE_CLEARED);

    /** One input and what it led to; {@code fromAtTheTime} is a deep copy of {@code from} taken when it was reached. */
    private record Move(String input, ReinstallState from, ReinstallState fromAtTheTime, Decision decision, boolean clearPxeCallback) {}

    /** A state reached, with a deep copy taken then. */
    private record Reached(ReinstallState state, ReinstallState atTheTime) {
        static Reached of(ReinstallState state) {
            return new Reached(state, ReinstallState.newBuilder(state).build());
        }
    }

    @Test
    void shouldNeverEndWithoutClearingPxeAndGiveEveryWaitADeadline() {
        List<Move> moves = explore();
        Set<ReinstallPhase> reached = EnumSet.noneOf(ReinstallPhase.class);
        int terminalsFromPxe = 0;
        for (Move move : moves) {
            ReinstallState from = move.from();
            ReinstallState to = move.decision().state();
            reached.add(to.getPhase());
            if (ReinstallStateMachine.pxeConfigMayExist(from.getPhase()) && ReinstallStateMachine.isTerminal(to.getPhase())) {
                terminalsFromPxe++;
                boolean cleared = move.clearPxeCallback() && from.getPhase() == ReinstallPhase.AWAITING_PXE_CLEARED
                        // Hostkey refused clear_pxe because nothing exists under the hostname: nothing left to clear.
                        || from.getPhase() == ReinstallPhase.CLEARING_PXE_CONFIG && move.input().equals("call-failed-UNKNOWN_HOSTNAME");
                boolean reportedCleanupFailure = to.getFailureKind() == FailureKind.COMPENSATION_FAILED && CLEANUP.contains(from.getPhase());
                assertThat(cleared || reportedCleanupFailure)
                        .as("%s --%s--> %s ends without clear_pxe", from.getPhase(), move.input(), to.getPhase())
                        .isTrue();
            }
            if (!ReinstallStateMachine.isTerminal(to.getPhase())) {
                assertThat(ReinstallStateMachine.wakeAt(to)).as("a wait without deadline in %s after %s", to.getPhase(), move.input())
                        .isPresent();
            }
            if (ReinstallStateMachine.isTerminal(to.getPhase())) {
                assertThat(to.getRootPassword()).as("sealed secrets dropped at the end").isNull();
                assertThat(move.decision().completion()).as("one completion when %s ends", to.getPhase()).isPresent();
            }
            assertThat(move.decision().commands().size()).isLessThanOrEqualTo(1);
        }
        assertThat(terminalsFromPxe).as("the exploration reached the cleanup paths").isGreaterThan(20);
        assertThat(reached).containsAll(EnumSet.allOf(ReinstallPhase.class));
    }

    @Test
    void shouldIssueClearPxeOnEveryPathThatEverEnteredAPxePhase() {
        // A coarser, path-level view: from any state where a PXE config may exist, every terminal
        // reachable must be preceded by a ClearPxeConfig command somewhere after that state.
        for (Move move : explore()) {
            if (move.decision().commands().stream().anyMatch(c -> c.getPayload() instanceof ClearPxeConfig)) {
                assertThat(move.decision().state().getPhase()).isEqualTo(ReinstallPhase.CLEARING_PXE_CONFIG);
            }
        }
    }

    @Test
    void shouldLeaveEveryStateAsItWasWhateverInputsAreDecidedFromIt() {
        // The machine's copies are shallow: a collection changed in place would change states decided before.
        for (Move move : explore()) {
            assertThat(move.from()).as("the state %s was decided from, after exploring", move.from().getPhase())
                    .isEqualTo(move.fromAtTheTime());
        }
    }

    private List<Move> explore() {
        Instant start = Instant.parse("2026-11-24T10:00:00Z");
        Decision first = MACHINE.request(null, upstream(start), request(), start);
        List<Move> moves = new ArrayList<>();
        Deque<Reached> frontier = new ArrayDeque<>(List.of(Reached.of(first.state())));
        Set<String> seen = new HashSet<>();
        while (!frontier.isEmpty() && seen.size() < 20_000) {
            Reached reached = frontier.poll();
            ReinstallState state = reached.state();
            if (!seen.add(signature(state)) || ReinstallStateMachine.isTerminal(state.getPhase())) {
                continue;
            }
            Instant now = state.getUpdatedAt().plusSeconds(1);
            for (var input : inputs(state)) {
                Decision decision = input.apply(now);
                if (!decision.applied()) {
                    continue;
                }
                moves.add(new Move(input.name(), state, reached.atTheTime(), decision, input.clearPxeCallback()));
                frontier.add(Reached.of(decision.state()));
            }
        }
        return moves;
    }

    private record Input(String name, Function<Instant, Decision> run, boolean clearPxeCallback) {
        Decision apply(Instant now) {
            return run.apply(now);
        }
    }

    private static List<Input> inputs(ReinstallState s) {
        List<Input> inputs = new ArrayList<>();
        String command = s.getPendingCommandId();
        if (command != null) {
            Object success = switch (s.getPhase()) {
                case VALIDATING -> ReinstallValidated.newBuilder().setOsName("Ubuntu").setServerType("bm").setLocation("NL").build();
                case CREATING_REINSTALL_KEY -> ReinstallKeyCreated.newBuilder().setReinstallKey("master").build();
                case CREATING_PXE_CONFIG -> accepted(AsyncActionKind.CREATE_PXE);
                case SETTING_BOOT_PXE -> accepted(AsyncActionKind.BOOT_FROM_PXE);
                case REBOOTING -> accepted(AsyncActionKind.REBOOT);
                case SETTING_BOOT_DISK -> accepted(AsyncActionKind.BOOT_FROM_DISK);
                case LAUNCHING_JENKINS_TASK -> accepted(AsyncActionKind.JENKINS_TASK);
                case CLEARING_PXE_CONFIG -> accepted(AsyncActionKind.CLEAR_PXE);
                default -> null;
            };
            if (success != null) {
                inputs.add(event(s, "answer", command, success, false));
            }
            if (s.getPhase() == ReinstallPhase.VALIDATING) {
                inputs.add(event(s, "validation-failed", command, ValidationFailed.newBuilder()
                        .setReason(RejectionReason.OS_NOT_OFFERED).setField("osId").setMessage("no").build(), false));
            }
            for (HostkeyErrorClass error : HostkeyErrorClass.values()) {
                inputs.add(event(s, "call-failed-" + error, command, HostkeyCallFailed.newBuilder()
                        .setCall("x").setErrorClass(error).setMessage("boom").build(), false));
            }
        }
        if (s.getPhase() == ReinstallPhase.QUEUED) {
            inputs.add(event(s, "admission-granted", null, AdmissionGranted.newBuilder().build(), false));
        }
        if (s.getPendingCallbackKey() != null) {
            AsyncActionKind action = actionOfKey(s.getPendingCallbackKey());
            inputs.add(event(s, "callback-ok-" + action, null, ActionCompleted.newBuilder()
                    .setAction(action).setCallbackKey(s.getPendingCallbackKey()).build(), action == AsyncActionKind.CLEAR_PXE));
            inputs.add(event(s, "callback-error-" + action, null, ActionFailed.newBuilder()
                    .setAction(action).setCallbackKey(s.getPendingCallbackKey()).setReason("failed").build(), false));
            inputs.add(event(s, "callback-vanished-" + action, null, CallbackKeyVanished.newBuilder()
                    .setAction(action).setCallbackKey(s.getPendingCallbackKey()).build(), false));
        }
        if (s.getPhase() == ReinstallPhase.INSTALLING) {
            inputs.add(event(s, "stage-" + (s.getInstallStage() + 1), null,
                    InstallStageReached.newBuilder().setStage(s.getInstallStage() + 1).build(), false));
            inputs.add(event(s, "install-failed", null, InstallFailed.newBuilder().setLastStage(s.getInstallStage()).setReason("x").build(), false));
            inputs.add(event(s, "master-key-vanished", null, CallbackKeyVanished.newBuilder()
                    .setCallbackKey("master").setLastStage(s.getInstallStage()).build(), false));
        }
        inputs.add(new Input("cancel", now -> MACHINE.cancel(s, CancelReinstall.newBuilder().build(), now), false));
        inputs.add(new Input("timers-due", now -> MACHINE.onTimer(s, now.plus(Duration.ofDays(100))), false));
        return inputs;
    }

    private static Input event(ReinstallState s, String name, String commandId, Object payload, boolean clearPxe) {
        ReinstallEvent event = ReinstallEvent.newBuilder()
                .setEventId(name).setServerId(SERVER).setReinstallId(s.getReinstallId()).setCommandId(commandId)
                .setOccurredAt(s.getUpdatedAt()).setSource("model").setPayload(payload).build();
        return new Input(name, now -> MACHINE.apply(s, event, now), clearPxe);
    }

    private static ActionAccepted accepted(AsyncActionKind action) {
        return ActionAccepted.newBuilder().setAction(action).setCallbackKey("key-" + action.name()).build();
    }

    private static AsyncActionKind actionOfKey(String key) {
        return AsyncActionKind.valueOf(key.substring("key-".length()));
    }

    private static String signature(ReinstallState s) {
        return String.join("|", s.getPhase().name(), String.valueOf(s.getCancelRequested()), String.valueOf(s.getFailureKind()),
                String.valueOf(s.getStepAttempt()), String.valueOf(s.getPxeRetries()), String.valueOf(s.getInstallStage()),
                String.valueOf(s.getNextJenkinsTask()), String.valueOf(s.getPendingCommandId() != null),
                String.valueOf(s.getPendingCallbackKey()), String.valueOf(s.getRetryAt() != null));
    }

    private static ReinstallRequest upstream(Instant at) {
        return ReinstallRequest.newBuilder().setCommandId("c").setServerId(SERVER).setIssuedAt(at).setIssuedBy("model")
                .setPayload(request()).build();
    }

    private static ReinstallServer request() {
        return ReinstallServer.newBuilder()
                .setRequestId("model")
                .setOsId(101)
                .setHostname("srv.example.net")
                .setRootPassword("eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiazEifQ.d3JhcHBlZC1rZXk.aXYtaXYtaXY.Y2lwaGVydGV4dA.dGFn")
                .setJenkinsTasks(List.of("required-task"))
                .setOptionalJenkinsTasks(List.of("optional-task"))
                .build();
    }
}
