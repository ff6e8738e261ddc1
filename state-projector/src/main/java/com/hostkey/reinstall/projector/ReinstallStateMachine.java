package com.hostkey.reinstall.projector;

import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.AWAITING_BOOT_DISK;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.AWAITING_BOOT_PXE;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.AWAITING_JENKINS_TASK;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.AWAITING_PXE_CLEARED;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.AWAITING_PXE_CONFIG;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.CANCELLED;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.CLEARING_PXE_CONFIG;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.COMPLETED;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.CREATING_PXE_CONFIG;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.CREATING_REINSTALL_KEY;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.FAILED;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.INSTALLING;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.LAUNCHING_JENKINS_TASK;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.REBOOTING;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.REJECTED;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.SETTING_BOOT_DISK;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.SETTING_BOOT_PXE;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.VALIDATING;

import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.BootMedia;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.ClearPxeConfig;
import com.hostkey.reinstall.schemas.avro.CreatePxeConfig;
import com.hostkey.reinstall.schemas.avro.CreateReinstallKey;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.PollKey;
import com.hostkey.reinstall.schemas.avro.PollTargets;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.ReinstallCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.RunJenkinsTask;
import com.hostkey.reinstall.schemas.avro.SetBootDevice;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The reinstall saga as one explicit state machine: a pure function from (state, input) to a
 * {@link Decision} (the next state, the step commands to issue, the poll targets, the completion).
 * No I/O here; {@link ReinstallSagaProcessor} stores and forwards what it decides.
 *
 * <pre>
 *  ReinstallServer
 *        │
 *        ▼
 *  VALIDATING ──ValidationFailed──▶ REJECTED
 *        │ReinstallValidated
 *        ▼
 *  CREATING_REINSTALL_KEY ─▶ CREATING_PXE_CONFIG ─▶ AWAITING_PXE_CONFIG
 *        ─▶ SETTING_BOOT_PXE ─▶ AWAITING_BOOT_PXE ─▶ REBOOTING ─▶ INSTALLING (stages 1..5)
 *        ─▶ SETTING_BOOT_DISK ─▶ AWAITING_BOOT_DISK
 *        ─▶ [LAUNCHING_JENKINS_TASK ─▶ AWAITING_JENKINS_TASK]* ─▶ CLEARING_PXE_CONFIG
 *        ─▶ AWAITING_PXE_CLEARED ─▶ COMPLETED
 *
 *  A failure (or cancel) once a PXE config may exist compensates: SETTING_BOOT_DISK ─▶ … ─▶
 *  AWAITING_PXE_CLEARED ─▶ FAILED (or CANCELLED), skipping Jenkins tasks. Before that point it
 *  ends at once.
 * </pre>
 *
 * Each wait is its own phase: a "…ING" phase waits for the handler's answer to the step command
 * ({@code pendingCommandId}), an "AWAITING_…" phase for the async action's callback
 * ({@code pendingCallbackKey}). An event that does not answer what the state waits for is stale:
 * it is counted in {@code ignoredEvents} and never applied.
 */
public final class ReinstallStateMachine {

    public static final String ISSUER = "state-projector";

    /** The legal moves. {@link #moveTo} refuses anything else. */
    private static final Map<ReinstallPhase, Set<ReinstallPhase>> LEGAL = new EnumMap<>(ReinstallPhase.class);

    static {
        legal(VALIDATING, CREATING_REINSTALL_KEY, REJECTED, FAILED, CANCELLED);
        legal(CREATING_REINSTALL_KEY, CREATING_PXE_CONFIG, FAILED, CANCELLED);
        legal(CREATING_PXE_CONFIG, AWAITING_PXE_CONFIG, SETTING_BOOT_DISK);
        legal(AWAITING_PXE_CONFIG, SETTING_BOOT_PXE, SETTING_BOOT_DISK);
        legal(SETTING_BOOT_PXE, AWAITING_BOOT_PXE, SETTING_BOOT_DISK);
        legal(AWAITING_BOOT_PXE, REBOOTING, SETTING_BOOT_DISK);
        legal(REBOOTING, INSTALLING, SETTING_BOOT_DISK);
        legal(INSTALLING, SETTING_BOOT_DISK);
        legal(SETTING_BOOT_DISK, AWAITING_BOOT_DISK, CLEARING_PXE_CONFIG, SETTING_BOOT_DISK);
        legal(AWAITING_BOOT_DISK, LAUNCHING_JENKINS_TASK, CLEARING_PXE_CONFIG, SETTING_BOOT_DISK);
        legal(LAUNCHING_JENKINS_TASK, AWAITING_JENKINS_TASK, SETTING_BOOT_DISK);
        legal(AWAITING_JENKINS_TASK, LAUNCHING_JENKINS_TASK, CLEARING_PXE_CONFIG, SETTING_BOOT_DISK);
        legal(CLEARING_PXE_CONFIG, AWAITING_PXE_CLEARED, SETTING_BOOT_DISK, FAILED, CANCELLED);
        legal(AWAITING_PXE_CLEARED, COMPLETED, SETTING_BOOT_DISK, FAILED, CANCELLED);
        legal(COMPLETED);
        legal(FAILED);
        legal(CANCELLED);
        legal(REJECTED);
    }

    private static final Set<ReinstallPhase> TERMINAL = EnumSet.of(COMPLETED, FAILED, CANCELLED, REJECTED);

    /** Phases after which a PXE config may exist on the server: leaving them needs clear_pxe. */
    private static final Set<ReinstallPhase> PXE_MAY_EXIST = EnumSet.complementOf(
            EnumSet.of(VALIDATING, CREATING_REINSTALL_KEY, COMPLETED, FAILED, CANCELLED, REJECTED));

    /** The async action whose callback each waiting phase awaits. */
    private static final Map<ReinstallPhase, AsyncActionKind> AWAITED_ACTION = Map.of(
            AWAITING_PXE_CONFIG, AsyncActionKind.CREATE_PXE,
            AWAITING_BOOT_PXE, AsyncActionKind.BOOT_FROM_PXE,
            INSTALLING, AsyncActionKind.REBOOT,
            AWAITING_BOOT_DISK, AsyncActionKind.BOOT_FROM_DISK,
            AWAITING_JENKINS_TASK, AsyncActionKind.JENKINS_TASK,
            AWAITING_PXE_CLEARED, AsyncActionKind.CLEAR_PXE);

    private ReinstallStateMachine() {}

    private static void legal(ReinstallPhase from, ReinstallPhase... to) {
        LEGAL.put(from, to.length == 0 ? EnumSet.noneOf(ReinstallPhase.class) : EnumSet.of(to[0], to));
    }

    public static boolean isTerminal(ReinstallPhase phase) {
        return TERMINAL.contains(phase);
    }

    public static boolean pxeConfigMayExist(ReinstallPhase phase) {
        return PXE_MAY_EXIST.contains(phase);
    }

    public static boolean isLegal(ReinstallPhase from, ReinstallPhase to) {
        return LEGAL.get(from).contains(to);
    }

    /** What one input does: the next state and what to emit. {@code applied} is false for a stale input. */
    public record Decision(
            ReinstallState state,
            List<ReinstallCommand> commands,
            Optional<PollTargets> pollTargets,
            boolean pollTargetsChanged,
            Optional<ReinstallCompletion> completion,
            boolean applied) {}

    /** The derived id of the reinstall a request starts: the same request always yields the same id. */
    public static String reinstallIdFor(long serverId, String requestId) {
        return UUID.nameUUIDFromBytes((serverId + "/" + requestId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    // ---------------------------------------------------------------- upstream commands

    /**
     * A ReinstallServer for this server. {@code current} is the stored state (null if none).
     * A repeat of the request in progress is acknowledged once (nothing happens); a new request for
     * a busy server is rejected; otherwise a new reinstall starts.
     */
    public static Decision request(ReinstallState current, ReinstallCommand command, ReinstallServer request, Instant now) {
        long serverId = command.getServerId();
        String reinstallId = reinstallIdFor(serverId, request.getRequestId());
        if (current != null && current.getRequestId().equals(request.getRequestId())) {
            return ignored(current); // the same command delivered twice
        }
        if (current != null && !isTerminal(current.getPhase())) {
            ReinstallCompletion rejection = rejection(serverId, reinstallId, command, request,
                    RejectionReason.ALREADY_IN_PROGRESS, null,
                    "server " + serverId + " already has reinstall " + current.getReinstallId() + " in phase " + current.getPhase(), now);
            return new Decision(current, List.of(), Optional.empty(), false, Optional.of(rejection), true);
        }
        ReinstallState state = ReinstallState.newBuilder()
                .setServerId(serverId)
                .setReinstallId(reinstallId)
                .setRequestId(request.getRequestId())
                .setAccount(request.getAccount())
                .setRequestedBy(command.getIssuedBy())
                .setPhase(VALIDATING)
                .setOsId(request.getOsId())
                .setHostname(request.getHostname())
                .setSshKey(request.getSshKey())
                .setPostInstallCallbackUrl(request.getPostInstallCallbackUrl())
                .setPartitionScheme(request.getPartitionScheme())
                .setJenkinsTasks(new ArrayList<>(request.getJenkinsTasks()))
                .setRootPassword(request.getRootPassword())
                .setPostInstallScript(request.getPostInstallScript())
                .setRequestedAt(now)
                .setUpdatedAt(now)
                .setStepTimes(new HashMap<>(Map.of(VALIDATING.name(), now.toEpochMilli())))
                .setStageTimes(new HashMap<>())
                .build();
        ValidateReinstall validate = ValidateReinstall.newBuilder()
                .setAccount(state.getAccount())
                .setOsId(state.getOsId())
                .setPartitionScheme(state.getPartitionScheme())
                .setJenkinsTasks(state.getJenkinsTasks())
                .build();
        return issue(null, state, validate, now);
    }

    /** A CancelReinstall: ends at once before any PXE config exists, else compensates. */
    public static Decision cancel(ReinstallState current, CancelReinstall cancel, Instant now) {
        if (current == null || isTerminal(current.getPhase()) || current.getCancelRequested()) {
            return ignored(current);
        }
        ReinstallState before = ReinstallState.newBuilder(current).build();
        ReinstallState state = ReinstallState.newBuilder(current)
                .setCancelRequested(true)
                .setCancelReason(cancel.getReason())
                .setUpdatedAt(now)
                .build();
        if (!pxeConfigMayExist(state.getPhase())) {
            return finish(before, state, CANCELLED, now);
        }
        boolean stepInFlight = state.getPendingCommandId() != null
                || (state.getPendingCallbackKey() != null && state.getPhase() != INSTALLING);
        if (!stepInFlight) {
            return compensate(before, state, now);
        }
        // The step in flight settles first; its answer turns into compensation (see advance()).
        return new Decision(state, List.of(), Optional.empty(), false, Optional.empty(), true);
    }

    // ---------------------------------------------------------------- events

    /** Applies one event from the handler or the poller. */
    public static Decision apply(ReinstallState current, ReinstallEvent event, Instant now) {
        if (current == null || isTerminal(current.getPhase())
                || !current.getReinstallId().equals(event.getReinstallId())) {
            return ignored(current);
        }
        Object payload = event.getPayload();
        boolean answersCommand = event.getCommandId() != null && event.getCommandId().equals(current.getPendingCommandId());
        ReinstallPhase phase = current.getPhase();

        if (payload instanceof HostkeyCallFailed failed && answersCommand) {
            return fail(current, failureKindOf(failed), failed.getCall() + ": " + failed.getMessage(), now);
        }
        if (payload instanceof ValidationFailed rejected && answersCommand && phase == VALIDATING) {
            ReinstallState state = ReinstallState.newBuilder(current)
                    .setFailureKind(FailureKind.VALIDATION)
                    .setFailureMessage(rejected.getMessage())
                    .build();
            return finishRejected(current, state, rejected, now);
        }
        if (payload instanceof ReinstallValidated validated && answersCommand && phase == VALIDATING) {
            ReinstallState state = ReinstallState.newBuilder(current)
                    .setOsName(validated.getOsName())
                    .setServerType(validated.getServerType())
                    .setLocation(validated.getLocation())
                    .build();
            return advance(current, state, CREATING_REINSTALL_KEY, now);
        }
        if (payload instanceof ReinstallKeyCreated created && answersCommand && phase == CREATING_REINSTALL_KEY) {
            ReinstallState state = ReinstallState.newBuilder(current).setReinstallKey(created.getReinstallKey()).build();
            return advance(current, state, CREATING_PXE_CONFIG, now);
        }
        if (payload instanceof ActionAccepted accepted && answersCommand) {
            Optional<ReinstallPhase> waiting = waitingPhaseFor(phase, accepted.getAction());
            if (waiting.isPresent()) {
                ReinstallState state = ReinstallState.newBuilder(current)
                        .setPendingCommandId(null)
                        .setPendingCallbackKey(accepted.getCallbackKey())
                        .build();
                return moveTo(current, state, waiting.get(), List.of(), now);
            }
        }
        if (payload instanceof ActionCompleted completed
                && completed.getCallbackKey().equals(current.getPendingCallbackKey())) {
            ReinstallState state = ReinstallState.newBuilder(current).setPendingCallbackKey(null).build();
            if (phase == INSTALLING) {
                // The reboot went through; the install itself reports on the master key.
                return stay(current, state, now);
            }
            return afterCallback(current, state, now);
        }
        if (payload instanceof ActionFailed actionFailed
                && actionFailed.getCallbackKey().equals(current.getPendingCallbackKey())) {
            ReinstallState state = ReinstallState.newBuilder(current).setPendingCallbackKey(null).build();
            FailureKind kind = actionFailed.getAction() == AsyncActionKind.JENKINS_TASK
                    ? FailureKind.POST_INSTALL_FAILED : FailureKind.API_REJECTED;
            return fail(state, kind, actionFailed.getAction() + " failed: " + actionFailed.getReason(), now);
        }
        if (payload instanceof InstallStageReached stage && phase == INSTALLING) {
            if (stage.getStage() <= current.getInstallStage()) {
                return ignored(current); // a repeat of a stage already applied
            }
            Map<String, Long> stageTimes = new HashMap<>(current.getStageTimes());
            stageTimes.put(String.valueOf(stage.getStage()), now.toEpochMilli());
            ReinstallState state = ReinstallState.newBuilder(current)
                    .setInstallStage(stage.getStage())
                    .setStageTimes(stageTimes)
                    .build();
            if (stage.getStage() >= 5) {
                return advance(current, state, SETTING_BOOT_DISK, now);
            }
            return stay(current, state, now);
        }
        if (payload instanceof InstallFailed installFailed && phase == INSTALLING) {
            return fail(current, FailureKind.INSTALL_FAILED,
                    "install failed after stage " + installFailed.getLastStage() + ": " + installFailed.getReason(), now);
        }
        return ignored(current);
    }

    // ---------------------------------------------------------------- moves

    /** The next step after an async action's callback arrived. */
    private static Decision afterCallback(ReinstallState before, ReinstallState state, Instant now) {
        return switch (state.getPhase()) {
            case AWAITING_PXE_CONFIG -> advance(before, state, SETTING_BOOT_PXE, now);
            case AWAITING_BOOT_PXE -> advance(before, state, REBOOTING, now);
            case AWAITING_BOOT_DISK -> advance(before, state, nextAfterBootDisk(state), now);
            case AWAITING_JENKINS_TASK -> {
                ReinstallState next = ReinstallState.newBuilder(state).setNextJenkinsTask(state.getNextJenkinsTask() + 1).build();
                yield advance(before, next, nextAfterBootDisk(next), now);
            }
            case AWAITING_PXE_CLEARED -> finish(before, state, endPhaseOf(state), now);
            default -> ignored(before);
        };
    }

    private static ReinstallPhase nextAfterBootDisk(ReinstallState state) {
        boolean compensating = state.getFailureKind() != null || state.getCancelRequested();
        return !compensating && state.getNextJenkinsTask() < state.getJenkinsTasks().size()
                ? LAUNCHING_JENKINS_TASK : CLEARING_PXE_CONFIG;
    }

    /**
     * Moves forward to a phase that issues a step command, unless a cancel is pending, in which case
     * the saga turns to compensation instead.
     */
    private static Decision advance(ReinstallState before, ReinstallState state, ReinstallPhase next, Instant now) {
        if (state.getCancelRequested() && state.getFailureKind() == null && !isCleanupPhase(next)) {
            return pxeConfigMayExist(state.getPhase()) ? compensate(before, state, now) : finish(before, state, CANCELLED, now);
        }
        ReinstallState moved = enter(state, next, now);
        return issue(before, moved, stepCommandFor(moved), now);
    }

    private static boolean isCleanupPhase(ReinstallPhase phase) {
        return phase == SETTING_BOOT_DISK || phase == CLEARING_PXE_CONFIG;
    }

    private static Decision fail(ReinstallState current, FailureKind kind, String message, Instant now) {
        if (current.getFailureKind() != null) {
            // Compensation itself failed: stop here, loudly.
            ReinstallState state = ReinstallState.newBuilder(current)
                    .setFailureKind(FailureKind.COMPENSATION_FAILED)
                    .setFailureMessage(current.getFailureMessage() + "; cleanup failed: " + message)
                    .build();
            return finish(current, state, FAILED, now);
        }
        ReinstallState state = ReinstallState.newBuilder(current)
                .setFailureKind(kind)
                .setFailurePhase(current.getPhase())
                .setFailureMessage(message)
                .build();
        if (!pxeConfigMayExist(current.getPhase())) {
            return finish(current, state, FAILED, now);
        }
        return compensate(current, state, now);
    }

    /** Boot back to disk and clear the PXE config, whatever went before. */
    private static Decision compensate(ReinstallState before, ReinstallState state, Instant now) {
        ReinstallState cleared = ReinstallState.newBuilder(state).setPendingCallbackKey(null).build();
        ReinstallState moved = enter(cleared, SETTING_BOOT_DISK, now);
        return issue(before, moved, stepCommandFor(moved), now);
    }

    private static ReinstallPhase endPhaseOf(ReinstallState state) {
        if (state.getFailureKind() != null) {
            return FAILED;
        }
        return state.getCancelRequested() ? CANCELLED : COMPLETED;
    }

    private static Decision finish(ReinstallState before, ReinstallState state, ReinstallPhase end, Instant now) {
        ReinstallState ended = ReinstallState.newBuilder(enter(state, end, now))
                .setFinishedAt(now)
                .setPendingCommandId(null)
                .setPendingCallbackKey(null)
                // Sealed secrets leave the state when the reinstall ends.
                .setRootPassword(null)
                .setPostInstallScript(null)
                .build();
        Object outcome = switch (end) {
            case COMPLETED -> ReinstallCompleted.newBuilder().setJenkinsTasks(ended.getJenkinsTasks()).build();
            case CANCELLED -> ReinstallCancelled.newBuilder()
                    .setPhase(state.getPhase()).setReason(state.getCancelReason()).build();
            case FAILED -> ReinstallFailed.newBuilder()
                    .setKind(state.getFailureKind() == null ? FailureKind.INTERNAL : state.getFailureKind())
                    .setPhase(state.getFailurePhase() == null ? state.getPhase() : state.getFailurePhase())
                    .setMessage(state.getFailureMessage() == null ? "" : state.getFailureMessage())
                    .build();
            default -> throw new IllegalStateException("not an end phase: " + end);
        };
        return new Decision(ended, List.of(), Optional.empty(), pollTargetsChanged(before, ended),
                Optional.of(completionOf(ended, outcome, now)), true);
    }

    private static Decision finishRejected(ReinstallState before, ReinstallState state, ValidationFailed rejected, Instant now) {
        ReinstallState ended = ReinstallState.newBuilder(enter(state, REJECTED, now))
                .setFinishedAt(now)
                .setPendingCommandId(null)
                .setRootPassword(null)
                .setPostInstallScript(null)
                .build();
        ReinstallRejected outcome = ReinstallRejected.newBuilder()
                .setReason(rejected.getReason())
                .setField(rejected.getField())
                .setMessage(rejected.getMessage())
                .build();
        return new Decision(ended, List.of(), Optional.empty(), false, Optional.of(completionOf(ended, outcome, now)), true);
    }

    private static Decision stay(ReinstallState before, ReinstallState state, Instant now) {
        ReinstallState updated = ReinstallState.newBuilder(state).setUpdatedAt(now).build();
        return new Decision(updated, List.of(), pollTargetsOf(updated), pollTargetsChanged(before, updated), Optional.empty(), true);
    }

    private static Decision moveTo(ReinstallState before, ReinstallState state, ReinstallPhase next,
                                   List<ReinstallCommand> commands, Instant now) {
        ReinstallState moved = enter(state, next, now);
        return new Decision(moved, commands, pollTargetsOf(moved), pollTargetsChanged(before, moved), Optional.empty(), true);
    }

    /** The one guarded way to change phase. */
    private static ReinstallState enter(ReinstallState state, ReinstallPhase next, Instant now) {
        if (!isLegal(state.getPhase(), next)) {
            throw new IllegalTransitionException(state.getPhase(), next);
        }
        Map<String, Long> stepTimes = new HashMap<>(state.getStepTimes());
        stepTimes.putIfAbsent(next.name(), now.toEpochMilli());
        return ReinstallState.newBuilder(state).setPhase(next).setUpdatedAt(now).setStepTimes(stepTimes).build();
    }

    private static Decision issue(ReinstallState before, ReinstallState state, Object payload, Instant now) {
        String commandId = commandIdFor(state);
        ReinstallCommand command = ReinstallCommand.newBuilder()
                .setCommandId(commandId)
                .setServerId(state.getServerId())
                .setReinstallId(state.getReinstallId())
                .setIssuedAt(now)
                .setIssuedBy(ISSUER)
                .setPayload(payload)
                .build();
        ReinstallState waiting = ReinstallState.newBuilder(state).setPendingCommandId(commandId).build();
        return new Decision(waiting, List.of(command), pollTargetsOf(waiting), pollTargetsChanged(before, waiting),
                Optional.empty(), true);
    }

    /** Deterministic, so a replayed decision issues the same command id (the handler dedups on it). */
    private static String commandIdFor(ReinstallState state) {
        String suffix = switch (state.getPhase()) {
            case LAUNCHING_JENKINS_TASK -> ":" + state.getNextJenkinsTask();
            case SETTING_BOOT_DISK, CLEARING_PXE_CONFIG -> state.getFailureKind() != null || state.getCancelRequested() ? ":cleanup" : "";
            default -> "";
        };
        return state.getReinstallId() + ":" + state.getPhase().name().toLowerCase() + suffix;
    }

    private static Object stepCommandFor(ReinstallState state) {
        String account = state.getAccount();
        return switch (state.getPhase()) {
            case CREATING_REINSTALL_KEY -> CreateReinstallKey.newBuilder().setAccount(account).build();
            case CREATING_PXE_CONFIG -> CreatePxeConfig.newBuilder()
                    .setAccount(account)
                    .setOsId(state.getOsId())
                    .setHostname(state.getHostname())
                    .setRootPassword(state.getRootPassword())
                    .setSshKey(state.getSshKey())
                    .setPostInstallScript(state.getPostInstallScript())
                    .setPostInstallCallbackUrl(state.getPostInstallCallbackUrl())
                    .setPartitionScheme(state.getPartitionScheme())
                    .setReinstallKey(state.getReinstallKey())
                    .build();
            case SETTING_BOOT_PXE -> SetBootDevice.newBuilder().setAccount(account).setMedia(BootMedia.PXE).build();
            case REBOOTING -> RebootServer.newBuilder().setAccount(account).build();
            case SETTING_BOOT_DISK -> SetBootDevice.newBuilder().setAccount(account).setMedia(BootMedia.DISK).build();
            case LAUNCHING_JENKINS_TASK -> RunJenkinsTask.newBuilder()
                    .setAccount(account)
                    .setTaskId(state.getJenkinsTasks().get(state.getNextJenkinsTask()))
                    .build();
            case CLEARING_PXE_CONFIG -> ClearPxeConfig.newBuilder().setAccount(account).setHostname(state.getHostname()).build();
            default -> throw new IllegalStateException("phase " + state.getPhase() + " issues no command");
        };
    }

    /** The phase that waits for the callback of the action the current phase launched. */
    private static Optional<ReinstallPhase> waitingPhaseFor(ReinstallPhase phase, AsyncActionKind action) {
        ReinstallPhase waiting = switch (phase) {
            case CREATING_PXE_CONFIG -> action == AsyncActionKind.CREATE_PXE ? AWAITING_PXE_CONFIG : null;
            case SETTING_BOOT_PXE -> action == AsyncActionKind.BOOT_FROM_PXE ? AWAITING_BOOT_PXE : null;
            case REBOOTING -> action == AsyncActionKind.REBOOT ? INSTALLING : null;
            case SETTING_BOOT_DISK -> action == AsyncActionKind.BOOT_FROM_DISK ? AWAITING_BOOT_DISK : null;
            case LAUNCHING_JENKINS_TASK -> action == AsyncActionKind.JENKINS_TASK ? AWAITING_JENKINS_TASK : null;
            case CLEARING_PXE_CONFIG -> action == AsyncActionKind.CLEAR_PXE ? AWAITING_PXE_CLEARED : null;
            default -> null;
        };
        return Optional.ofNullable(waiting);
    }

    // ---------------------------------------------------------------- poll targets

    /** The keys the poller must watch in this state; empty means a tombstone. */
    static Optional<PollTargets> pollTargetsOf(ReinstallState state) {
        if (state == null || isTerminal(state.getPhase())) {
            return Optional.empty();
        }
        List<PollKey> keys = new ArrayList<>();
        Instant since = state.getUpdatedAt();
        if (state.getPhase() == INSTALLING && state.getReinstallKey() != null) {
            keys.add(PollKey.newBuilder().setKey(state.getReinstallKey()).setAction(null)
                    .setLastStage(state.getInstallStage()).setSince(since).build());
        }
        AsyncActionKind awaited = AWAITED_ACTION.get(state.getPhase());
        if (awaited != null && state.getPendingCallbackKey() != null) {
            keys.add(PollKey.newBuilder().setKey(state.getPendingCallbackKey()).setAction(awaited)
                    .setLastStage(0).setSince(since).build());
        }
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(PollTargets.newBuilder()
                .setServerId(state.getServerId())
                .setReinstallId(state.getReinstallId())
                .setKeys(keys)
                .build());
    }

    private static boolean pollTargetsChanged(ReinstallState before, ReinstallState after) {
        return !signature(pollTargetsOf(before)).equals(signature(pollTargetsOf(after)));
    }

    private static List<String> signature(Optional<PollTargets> targets) {
        return targets.map(t -> t.getKeys().stream().map(k -> k.getKey() + "@" + k.getLastStage()).toList()).orElse(List.of());
    }

    // ---------------------------------------------------------------- completions

    private static ReinstallCompletion completionOf(ReinstallState state, Object outcome, Instant now) {
        return ReinstallCompletion.newBuilder()
                .setReinstallId(state.getReinstallId())
                .setRequestId(state.getRequestId())
                .setServerId(state.getServerId())
                .setAccount(state.getAccount())
                .setOsId(state.getOsId())
                .setHostname(state.getHostname())
                .setRequestedAt(state.getRequestedAt())
                .setFinishedAt(now)
                .setStepTimes(state.getStepTimes())
                .setStageTimes(state.getStageTimes())
                .setOutcome(outcome)
                .build();
    }

    private static ReinstallCompletion rejection(long serverId, String reinstallId, ReinstallCommand command,
                                                 ReinstallServer request, RejectionReason reason, String field,
                                                 String message, Instant now) {
        return ReinstallCompletion.newBuilder()
                .setReinstallId(reinstallId)
                .setRequestId(request.getRequestId())
                .setServerId(serverId)
                .setAccount(request.getAccount())
                .setOsId(request.getOsId())
                .setHostname(request.getHostname())
                .setRequestedAt(command.getIssuedAt())
                .setFinishedAt(now)
                .setOutcome(ReinstallRejected.newBuilder().setReason(reason).setField(field).setMessage(message).build())
                .build();
    }

    private static FailureKind failureKindOf(HostkeyCallFailed failed) {
        return switch (failed.getErrorClass()) {
            case AUTH, WRONG_PIN -> FailureKind.AUTH;
            case INTERNAL -> FailureKind.INTERNAL;
            default -> FailureKind.API_REJECTED;
        };
    }

    private static Decision ignored(ReinstallState current) {
        ReinstallState counted = current == null ? null
                : ReinstallState.newBuilder(current).setIgnoredEvents(current.getIgnoredEvents() + 1).build();
        return new Decision(counted, List.of(), Optional.empty(), false, Optional.empty(), false);
    }

    /** A move the table does not allow: a bug in the machine, never a consequence of input. */
    public static final class IllegalTransitionException extends IllegalStateException {
        public IllegalTransitionException(ReinstallPhase from, ReinstallPhase to) {
            super("illegal reinstall transition " + from + " -> " + to);
        }
    }
}
