package com.hostkey.reinstall.projector.saga;

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
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.QUEUED;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.REBOOTING;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.REJECTED;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.SETTING_BOOT_DISK;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.SETTING_BOOT_PXE;
import static com.hostkey.reinstall.schemas.avro.ReinstallPhase.VALIDATING;

import com.hostkey.reinstall.schemas.ReinstallIds;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AdmissionReleased;
import com.hostkey.reinstall.schemas.avro.AdmissionRequested;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.BootMedia;
import com.hostkey.reinstall.schemas.avro.CallbackKeyVanished;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.ClearPxeConfig;
import com.hostkey.reinstall.schemas.avro.CreatePxeConfig;
import com.hostkey.reinstall.schemas.avro.CreateReinstallKey;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.DeadlineKind;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.JenkinsTaskSkipped;
import com.hostkey.reinstall.schemas.avro.PollKey;
import com.hostkey.reinstall.schemas.avro.PollTargets;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallQueued;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretOpener;
import com.hostkey.reinstall.schemas.avro.ReleaseServer;
import com.hostkey.reinstall.schemas.avro.RequestDuplicate;
import com.hostkey.reinstall.schemas.avro.RequestRejected;
import com.hostkey.reinstall.schemas.avro.RunJenkinsTask;
import com.hostkey.reinstall.schemas.avro.ServerReleased;
import com.hostkey.reinstall.schemas.avro.SetBootDevice;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.StepExpired;
import com.hostkey.reinstall.schemas.avro.StepRetryScheduled;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The reinstall saga as one explicit state machine: a pure function from (state, input, time) to a
 * {@link Decision}: the next state, the step commands to issue, the poll targets, the events it
 * publishes for the record, the admission message and the completion. No I/O here;
 * {@link ReinstallSagaProcessor} stores and forwards what it decides.
 *
 * <pre>
 *  ReinstallServer
 *        │ (busy server, same server quarantined ─▶ rejected at once)
 *        ▼
 *  VALIDATING ──ValidationFailed──▶ REJECTED
 *        │ReinstallValidated
 *        ▼
 *  QUEUED ──AdmissionGranted──▶ CREATING_REINSTALL_KEY ─▶ CREATING_PXE_CONFIG ─▶ AWAITING_PXE_CONFIG
 *        ─▶ SETTING_BOOT_PXE ─▶ AWAITING_BOOT_PXE ─▶ REBOOTING ─▶ INSTALLING (stages 1..5)
 *        ─▶ SETTING_BOOT_DISK ─▶ AWAITING_BOOT_DISK
 *        ─▶ [LAUNCHING_JENKINS_TASK ─▶ AWAITING_JENKINS_TASK]* ─▶ CLEARING_PXE_CONFIG
 *        ─▶ AWAITING_PXE_CLEARED ─▶ COMPLETED
 *
 *  No stage 1 in time after the reboot: one more SETTING_BOOT_PXE ─▶ … ─▶ REBOOTING round.
 *  A failure, a deadline or a cancel once a PXE config may exist compensates:
 *  SETTING_BOOT_DISK ─▶ AWAITING_BOOT_DISK ─▶ CLEARING_PXE_CONFIG ─▶ AWAITING_PXE_CLEARED ─▶
 *  FAILED (or CANCELLED), skipping Jenkins tasks. Before that point it ends at once.
 *  A failure of the compensation itself ends FAILED with COMPENSATION_FAILED.
 * </pre>
 *
 * Each wait is its own phase: a "…ING" phase waits for the handler's answer to the step command
 * ({@code pendingCommandId}), an "AWAITING_…" phase for the async action's callback
 * ({@code pendingCallbackKey}), QUEUED for a slot. Every wait has a deadline. An event that does
 * not answer what the state waits for is stale: it is counted in {@code ignoredEvents} and never
 * applied. Transient Hostkey errors are retried with backoff up to a bound; rejections, auth and
 * wrong-PIN errors fail at once.
 */
public final class ReinstallStateMachine {

    public static final String ISSUER = "state-projector";
    /**
     * How often an ambiguous create_pxe is answered by clear_pxe and a new create_pxe. Each round is
     * harmless; more than one is needed when a command handler dies with many create_pxe calls in
     * flight and its successor's call is ambiguous again (a second crash, a lost response).
     */
    static final int MAX_PXE_RESETS = 2;

    /** The legal moves. {@link #enter} refuses anything else. */
    private static final Map<ReinstallPhase, Set<ReinstallPhase>> LEGAL = new EnumMap<>(ReinstallPhase.class);

    static {
        legal(VALIDATING, QUEUED, REJECTED, FAILED, CANCELLED);
        legal(QUEUED, CREATING_REINSTALL_KEY, FAILED, CANCELLED);
        legal(CREATING_REINSTALL_KEY, CREATING_PXE_CONFIG, FAILED, CANCELLED);
        legal(CREATING_PXE_CONFIG, AWAITING_PXE_CONFIG, CLEARING_PXE_CONFIG, SETTING_BOOT_DISK);
        legal(AWAITING_PXE_CONFIG, SETTING_BOOT_PXE, SETTING_BOOT_DISK);
        legal(SETTING_BOOT_PXE, AWAITING_BOOT_PXE, SETTING_BOOT_DISK);
        legal(AWAITING_BOOT_PXE, REBOOTING, SETTING_BOOT_PXE, SETTING_BOOT_DISK);
        legal(REBOOTING, INSTALLING, SETTING_BOOT_DISK);
        legal(INSTALLING, SETTING_BOOT_DISK, SETTING_BOOT_PXE);
        legal(SETTING_BOOT_DISK, AWAITING_BOOT_DISK, CLEARING_PXE_CONFIG, SETTING_BOOT_DISK, FAILED);
        legal(AWAITING_BOOT_DISK, LAUNCHING_JENKINS_TASK, CLEARING_PXE_CONFIG, SETTING_BOOT_DISK, FAILED);
        legal(LAUNCHING_JENKINS_TASK, AWAITING_JENKINS_TASK, LAUNCHING_JENKINS_TASK, CLEARING_PXE_CONFIG, SETTING_BOOT_DISK);
        legal(AWAITING_JENKINS_TASK, LAUNCHING_JENKINS_TASK, CLEARING_PXE_CONFIG, SETTING_BOOT_DISK);
        // clear_pxe refused for an unknown hostname (UNKNOWN_HOSTNAME): nothing to clear, create_pxe again.
        legal(CLEARING_PXE_CONFIG, AWAITING_PXE_CLEARED, SETTING_BOOT_DISK, FAILED, CREATING_PXE_CONFIG, COMPLETED, CANCELLED);
        legal(AWAITING_PXE_CLEARED, COMPLETED, CLEARING_PXE_CONFIG, CREATING_PXE_CONFIG, SETTING_BOOT_DISK, FAILED, CANCELLED);
        legal(COMPLETED);
        legal(FAILED);
        legal(CANCELLED);
        legal(REJECTED);
    }

    private static final Set<ReinstallPhase> TERMINAL = EnumSet.of(COMPLETED, FAILED, CANCELLED, REJECTED);

    /** The phases compensation runs through (boot back to disk, clear the PXE config). */
    private static final Set<ReinstallPhase> CLEANUP_PHASES = EnumSet.of(
            SETTING_BOOT_DISK, AWAITING_BOOT_DISK, CLEARING_PXE_CONFIG, AWAITING_PXE_CLEARED);

    /** Phases in which a PXE config may exist on the server: leaving them needs clear_pxe. */
    private static final Set<ReinstallPhase> PXE_MAY_EXIST = EnumSet.complementOf(
            EnumSet.of(VALIDATING, QUEUED, CREATING_REINSTALL_KEY, COMPLETED, FAILED, CANCELLED, REJECTED));

    /** The async action whose callback each waiting phase awaits. */
    private static final Map<ReinstallPhase, AsyncActionKind> AWAITED_ACTION = Map.of(
            AWAITING_PXE_CONFIG, AsyncActionKind.CREATE_PXE,
            AWAITING_BOOT_PXE, AsyncActionKind.BOOT_FROM_PXE,
            INSTALLING, AsyncActionKind.REBOOT,
            AWAITING_BOOT_DISK, AsyncActionKind.BOOT_FROM_DISK,
            AWAITING_JENKINS_TASK, AsyncActionKind.JENKINS_TASK,
            AWAITING_PXE_CLEARED, AsyncActionKind.CLEAR_PXE);

    /** Steps whose call is harmless to repeat when its outcome is unknown. */
    private static final Set<ReinstallPhase> IDEMPOTENT_STEPS = EnumSet.of(
            VALIDATING, SETTING_BOOT_PXE, SETTING_BOOT_DISK, CLEARING_PXE_CONFIG);

    private final SagaSettings settings;

    public ReinstallStateMachine(SagaSettings settings) {
        this.settings = settings;
    }

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

    /**
     * What one input does. {@code events} are payloads the projector publishes on reinstall-events
     * for the record; {@code admission} is an AdmissionRequested or AdmissionReleased for the
     * admission owner. {@code applied} is false for a stale input.
     */
    public record Decision(
            ReinstallState state,
            List<StepCommand> commands,
            Optional<PollTargets> pollTargets,
            boolean pollTargetsChanged,
            Optional<ReinstallCompletion> completion,
            List<SpecificRecord> events,
            Optional<SpecificRecord> admission,
            boolean applied) {}

    /** An event the projector publishes on reinstall-events for the record (the saga's and the admission's). */
    static ReinstallEvent issued(long serverId, String reinstallId, Object payload, Instant now) {
        return ReinstallEvent.newBuilder()
                .setEventId(reinstallId + ":" + payload.getClass().getSimpleName() + ":" + now.toEpochMilli())
                .setServerId(serverId)
                .setReinstallId(reinstallId)
                .setCommandId(null)
                .setOccurredAt(now)
                .setSource(ISSUER)
                .setPayload(payload)
                .build();
    }

    /** The derived id of the reinstall a request starts: the same request always yields the same id. */
    public static String reinstallIdFor(long serverId, String requestId) {
        return ReinstallIds.forRequest(serverId, requestId);
    }

    /** A failure or a cancel has the reinstall undo what it did (boot from disk, clear PXE) before it ends. */
    static boolean isCompensating(ReinstallState state) {
        return state.getFailureKind() != null || state.getCancelRequested();
    }

    /** The instant the processor must call {@link #onTimer} for this state, if any. */
    public static Optional<Instant> wakeAt(ReinstallState state) {
        if (state == null || isTerminal(state.getPhase())) {
            return Optional.empty();
        }
        // Once compensation runs, only its own step deadlines count: cleanup must be allowed to finish.
        return Stream.of(state.getDeadlineAt(), state.getRetryAt(), isCompensating(state) ? null : state.getReinstallDeadlineAt())
                .filter(java.util.Objects::nonNull)
                .min(Instant::compareTo);
    }

    // ---------------------------------------------------------------- upstream commands

    /**
     * A ReinstallServer for this server. {@code current} is the stored state (null if none).
     * A request id the server has seen before (the one in progress, or any other it accepted or
     * refused within {@link SagaSettings#requestMemory()}) is acknowledged with a RequestDuplicate
     * event and nothing else: no reinstall, no second completion. A new request for a busy or
     * quarantined server is rejected; otherwise a new reinstall starts with validation.
     */
    public Decision request(ReinstallState current, ReinstallRequest command, ReinstallServer request, Instant now) {
        long serverId = command.getServerId();
        String reinstallId = reinstallIdFor(serverId, request.getRequestId());
        if (seenBefore(current, request.getRequestId(), now)) {
            return duplicate(current, request, reinstallId);
        }
        ReinstallState remembered = current == null ? null : remember(current, request.getRequestId(), now);
        if (!SecretOpener.isJweCompact(request.getRootPassword())) {
            // A plaintext by mistake: refused here, so it reaches neither the state store nor reinstall-steps.
            String message = NOT_SEALED.formatted("rootPassword");
            return refuse(rememberedOrRefused(remembered, command, request, reinstallId, message, now), command, request,
                    reinstallId, RejectionReason.PLAINTEXT_PASSWORD, message, now);
        }
        if (request.getPostInstallScript() != null && !SecretOpener.isJweCompact(request.getPostInstallScript())) {
            String message = NOT_SEALED.formatted("postInstallScript");
            return refuse(rememberedOrRefused(remembered, command, request, reinstallId, message, now), command, request,
                    reinstallId, RejectionReason.UNSEALABLE_SECRET, message, now);
        }
        if (current != null && !isTerminal(current.getPhase())) {
            return refuse(remembered, command, request, reinstallId, RejectionReason.ALREADY_IN_PROGRESS,
                    "server " + serverId + " already has reinstall " + current.getReinstallId() + " in phase "
                            + current.getPhase() + "; cancel it or wait for its end", now);
        }
        if (current != null && current.getConsecutiveFailures() >= settings.quarantineAfter()) {
            return refuse(remembered, command, request, reinstallId, RejectionReason.QUARANTINED,
                    "server " + serverId + " is quarantined after " + current.getConsecutiveFailures()
                            + " failed reinstalls in a row; an operator must release it (ReleaseServer)", now);
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
                .setOptionalJenkinsTasks(new ArrayList<>(request.getOptionalJenkinsTasks()))
                .setLicences(request.getLicences())
                .setRootPassword(request.getRootPassword())
                .setPostInstallScript(request.getPostInstallScript())
                .setRequestedAt(now)
                .setUpdatedAt(now)
                .setPhaseTimes(new HashMap<>(Map.of(VALIDATING.name(), now.toEpochMilli())))
                .setStageTimes(new HashMap<>())
                .setAttempts(new HashMap<>())
                .setConsecutiveFailures(current == null ? 0 : current.getConsecutiveFailures())
                .setSeenRequests(remembered == null ? new HashMap<>(Map.of(request.getRequestId(), now.toEpochMilli()))
                        : remembered.getSeenRequests())
                .build();
        Outcome out = new Outcome(null, state);
        out.issue(validateCommandOf(state), now);
        return out.decide();
    }

    /** Why a secret that is not sealed is refused; its value is never repeated. */
    private static final String NOT_SEALED = "%s is not sealed: a sealed secret is a JWE compact string (five base64url parts"
            + " joined by dots); the value was not stored. Seal it (RSA-OAEP-256, A256GCM) to the first key of the command"
            + " handler's JWK Set, " + SealingKeys.JWKS_PATH + " on its operations port";

    /**
     * Refuses a ReinstallServer that is malformed as a record (its key names another server), under
     * the server id in its payload. Like every refusal it is remembered, so the promise holds of one
     * completion per request id: the same request id sent again, keyed well this time, is a duplicate
     * and starts nothing. A server with no state yet gets a REJECTED one that says why.
     */
    public Decision refuseInvalid(ReinstallState current, ReinstallRequest command, ReinstallServer request, String message,
                                  Instant now) {
        String reinstallId = reinstallIdFor(command.getServerId(), request.getRequestId());
        if (seenBefore(current, request.getRequestId(), now)) {
            return duplicate(current, request, reinstallId);
        }
        ReinstallState remembered = rememberedOrRefused(current == null ? null : remember(current, request.getRequestId(), now),
                command, request, reinstallId, message, now);
        return refuse(remembered, command, request, reinstallId, RejectionReason.INVALID_COMMAND, message, now);
    }

    /**
     * The state a refusal leaves: the server's own with the request id remembered, or, for a server
     * with no state yet, a REJECTED one that remembers it (never holding the request's secrets).
     */
    private static ReinstallState rememberedOrRefused(ReinstallState remembered, ReinstallRequest command, ReinstallServer request,
                                                      String reinstallId, String message, Instant now) {
        return remembered != null ? remembered : refusedOnArrival(command, request, reinstallId, message, now);
    }

    /** The state of a server whose first request was refused before it began: REJECTED, remembering the request id. */
    private static ReinstallState refusedOnArrival(ReinstallRequest command, ReinstallServer request, String reinstallId,
                                                   String message, Instant now) {
        return ReinstallState.newBuilder()
                .setServerId(command.getServerId())
                .setReinstallId(reinstallId)
                .setRequestId(request.getRequestId())
                .setAccount(request.getAccount())
                .setRequestedBy(command.getIssuedBy())
                .setPhase(REJECTED)
                .setOsId(request.getOsId())
                .setHostname(request.getHostname())
                .setRequestedAt(now)
                .setUpdatedAt(now)
                .setFinishedAt(now)
                .setFailureKind(FailureKind.VALIDATION)
                .setFailureMessage(message)
                .setPhaseTimes(new HashMap<>(Map.of(REJECTED.name(), now.toEpochMilli())))
                .setStageTimes(new HashMap<>())
                .setAttempts(new HashMap<>())
                .setSeenRequests(new HashMap<>(Map.of(request.getRequestId(), now.toEpochMilli())))
                .build();
    }

    /**
     * A CancelReinstall: ends at once before any PXE config exists, else compensates. One that names
     * a request ({@code targetRequestId}) other than the running reinstall's, or one that has ended,
     * is refused (RequestRejected, NOT_CURRENT) and changes nothing.
     */
    public Decision cancel(ReinstallState current, CancelReinstall cancel, Instant now) {
        String target = cancel.getTargetRequestId();
        if (target != null && (current == null || !current.getRequestId().equals(target) || isTerminal(current.getPhase()))) {
            return notCurrent(current, target, "cancel");
        }
        if (current == null || isTerminal(current.getPhase()) || current.getCancelRequested()) {
            return ignored(current);
        }
        Outcome out = new Outcome(current, current);
        out.change(s -> {
            s.setCancelRequested(true);
            s.setCancelReason(cancel.getReason());
            s.setUpdatedAt(now);
        });
        if (!pxeConfigMayExist(out.state.getPhase())) {
            out.finish(CANCELLED, now);
            return out.decide();
        }
        boolean stepInFlight = (out.state.getPendingCommandId() != null && out.state.getRetryAt() == null)
                || (out.state.getPendingCallbackKey() != null && out.state.getPhase() != INSTALLING);
        if (!stepInFlight) {
            out.compensate(now);
        }
        // Otherwise the step in flight settles first; its answer turns into compensation (see advance()).
        return out.decide();
    }

    /**
     * A ReleaseServer: lifts the quarantine (the failure count starts again). One that names a
     * request ({@code targetRequestId}) other than the server's latest reinstall's is refused
     * (RequestRejected, NOT_CURRENT).
     */
    public Decision release(ReinstallState current, ReleaseServer release, Instant now) {
        String target = release.getTargetRequestId();
        if (target != null && (current == null || !current.getRequestId().equals(target))) {
            return notCurrent(current, target, "release");
        }
        if (current == null || current.getConsecutiveFailures() == 0) {
            return ignored(current);
        }
        Outcome out = new Outcome(current, current);
        out.change(s -> s.setConsecutiveFailures(0));
        out.events.add(ServerReleased.newBuilder()
                .setConsecutiveFailures(current.getConsecutiveFailures())
                .setReason(release.getReason())
                .build());
        return out.decide();
    }

    // ---------------------------------------------------------------- events

    /** Applies one event from the handler, the poller or the admission owner. */
    public Decision apply(ReinstallState current, ReinstallEvent event, Instant now) {
        if (current == null || isTerminal(current.getPhase())
                || !current.getReinstallId().equals(event.getReinstallId())) {
            return ignored(current);
        }
        Object payload = event.getPayload();
        boolean answersCommand = event.getCommandId() != null && event.getCommandId().equals(current.getPendingCommandId());
        ReinstallPhase phase = current.getPhase();
        Outcome out = new Outcome(current, current);

        switch (payload) {
            case HostkeyCallFailed failed when answersCommand -> out.callFailed(failed, now);
            case StepExpired expired when answersCommand -> out.stepExpired(expired, now);
            case ValidationFailed rejected when answersCommand && phase == VALIDATING -> out.rejected(rejected, now);
            case ReinstallValidated validated when answersCommand && phase == VALIDATING -> {
                out.change(s -> {
                    s.setOsName(validated.getOsName());
                    s.setServerType(validated.getServerType());
                    s.setLocation(validated.getLocation());
                    // From here on, the licences create_pxe sends and billing counts: the validator's
                    // word, null for an OS not licensed per core whatever the request said.
                    s.setLicences(validated.getLicences());
                    s.setPendingCommandId(null);
                });
                out.queue(now);
            }
            case ReinstallQueued queued when phase == QUEUED -> out.change(s -> {
                s.setQueuePosition(queued.getPosition());
                s.setUpdatedAt(now);
            });
            case AdmissionGranted granted when phase == QUEUED -> {
                out.change(s -> {
                    // A grant from a projector before slots had names: the slot is the reinstall's own.
                    s.setAdmissionSlot(granted.getSlot() != null ? granted.getSlot() : s.getReinstallId());
                    s.setQueuePosition(0);
                    s.setAdmittedAt(now);
                    s.setReinstallDeadlineAt(now.plus(settings.wholeReinstall()));
                });
                out.advance(CREATING_REINSTALL_KEY, now);
            }
            case ReinstallKeyCreated created when answersCommand && phase == CREATING_REINSTALL_KEY -> {
                out.change(s -> s.setReinstallKey(created.getReinstallKey()));
                out.advance(CREATING_PXE_CONFIG, now);
            }
            case ActionAccepted accepted when answersCommand && waitingPhaseFor(phase, accepted.getAction()).isPresent() -> {
                out.change(s -> {
                    s.setPendingCommandId(null);
                    s.setPendingCallbackKey(accepted.getCallbackKey());
                });
                out.wait(waitingPhaseFor(phase, accepted.getAction()).get(), now);
            }
            case ActionCompleted done when answersCommand && done.getCallbackKey() == null
                    && waitingPhaseFor(phase, done.getAction()).isPresent() -> {
                // Hostkey finished the action in its answer: the wait it would have needed is over as it begins.
                ReinstallPhase waiting = waitingPhaseFor(phase, done.getAction()).get();
                out.change(s -> {
                    s.setPendingCommandId(null);
                    s.setPendingCallbackKey(null);
                });
                out.wait(waiting, now);
                if (waiting != INSTALLING) {
                    out.afterCallback(now);
                }
            }
            case ActionCompleted completed when completed.getCallbackKey() != null
                    && completed.getCallbackKey().equals(current.getPendingCallbackKey()) -> {
                out.change(s -> s.setPendingCallbackKey(null));
                if (phase == INSTALLING) {
                    out.touch(now); // the reboot went through; the install reports on the master key
                } else {
                    out.afterCallback(now);
                }
            }
            case ActionFailed actionFailed when actionFailed.getCallbackKey().equals(current.getPendingCallbackKey()) -> {
                out.change(s -> s.setPendingCallbackKey(null));
                if (actionFailed.getAction() == AsyncActionKind.JENKINS_TASK && currentTaskIsOptional(current)) {
                    out.skipTask(actionFailed.getReason(), now);
                } else {
                    FailureKind kind = actionFailed.getAction() == AsyncActionKind.JENKINS_TASK
                            ? FailureKind.POST_INSTALL_FAILED : FailureKind.API_REJECTED;
                    out.fail(kind, actionFailed.getAction() + " failed: " + actionFailed.getReason(), now);
                }
            }
            case InstallStageReached stage when phase == INSTALLING && stage.getStage() > current.getInstallStage() -> {
                Map<String, Long> stageTimes = new HashMap<>(current.getStageTimes());
                stageTimes.put(String.valueOf(stage.getStage()), now.toEpochMilli());
                out.change(s -> {
                    s.setInstallStage(stage.getStage());
                    s.setStageTimes(stageTimes);
                });
                if (stage.getStage() >= 5) {
                    // The server is online: a reboot callback still outstanding no longer matters.
                    out.change(s -> s.setPendingCallbackKey(null));
                    out.advance(SETTING_BOOT_DISK, now);
                } else {
                    out.deadline(DeadlineKind.NEXT_STAGE, settings.nextStage(), now);
                    out.touch(now);
                }
            }
            case CallbackKeyVanished vanished when vanished.getCallbackKey().equals(current.getPendingCallbackKey()) ->
                    out.actionKeyVanished(now);
            case CallbackKeyVanished vanished when phase == INSTALLING && vanished.getAction() == null
                    && vanished.getCallbackKey().equals(current.getReinstallKey()) -> out.masterKeyVanished(vanished, now);
            case InstallFailed installFailed when phase == INSTALLING -> out.fail(FailureKind.INSTALL_FAILED,
                    "install failed after stage " + installFailed.getLastStage() + ": " + installFailed.getReason(), now);
            default -> {
                return ignored(current);
            }
        }
        return out.decide();
    }

    /** Time has come for this state: a retry is due or a deadline passed. */
    public Decision onTimer(ReinstallState current, Instant now) {
        if (current == null || isTerminal(current.getPhase())) {
            return ignored(current);
        }
        Outcome out = new Outcome(current, current);
        if (current.getRetryAt() != null && !current.getRetryAt().isAfter(now)) {
            out.retryNow(now);
        } else if (current.getReinstallDeadlineAt() != null && !current.getReinstallDeadlineAt().isAfter(now)
                && !out.compensating()) {
            out.expire(DeadlineKind.WHOLE_REINSTALL, current.getReinstallDeadlineAt(), now);
        } else if (current.getDeadlineAt() != null && !current.getDeadlineAt().isAfter(now)) {
            out.expire(current.getDeadlineKind(), current.getDeadlineAt(), now);
        } else {
            return new Decision(current, List.of(), Optional.empty(), false, Optional.empty(), List.of(), Optional.empty(), false);
        }
        return out.decide();
    }

    // ---------------------------------------------------------------- one decision in the making

    /** Accumulates what one input does; {@link #decide()} turns it into a {@link Decision}. */
    private final class Outcome {
        final ReinstallState before;
        /** Changed only through {@link #change}. */
        ReinstallState state;
        /** Whether {@link #state} is this decision's own copy, which no one else has seen yet. */
        private boolean ownCopy;
        final List<StepCommand> commands = new ArrayList<>();
        final List<SpecificRecord> events = new ArrayList<>();
        ReinstallCompletion completion;
        SpecificRecord admission;

        Outcome(ReinstallState before, ReinstallState state) {
            this.before = before;
            this.state = state;
        }

        /**
         * Changes the state being decided. A decision sets fields in several steps (enter a phase,
         * issue its command, set its deadline); the first change copies the state it started from,
         * which stays as it was, and the later ones change that copy.
         */
        void change(Consumer<ReinstallState> changes) {
            if (!ownCopy) {
                state = StateCopies.shallowCopy(state);
                ownCopy = true;
            }
            changes.accept(state);
        }

        Decision decide() {
            Optional<PollTargets> targets = pollTargetsOf(state);
            boolean changed = !signature(pollTargetsOf(before)).equals(signature(targets));
            return new Decision(state, List.copyOf(commands), targets, changed, Optional.ofNullable(completion),
                    List.copyOf(events), Optional.ofNullable(admission), true);
        }

        boolean compensating() {
            return isCompensating(state);
        }

        void touch(Instant now) {
            change(s -> s.setUpdatedAt(now));
        }

        void deadline(DeadlineKind kind, Duration in, Instant now) {
            change(s -> {
                s.setDeadlineKind(kind);
                s.setDeadlineAt(now.plus(in));
            });
        }

        /** The one guarded way to change phase. */
        void enter(ReinstallPhase next, Instant now) {
            if (!isLegal(state.getPhase(), next)) {
                throw new IllegalTransitionException(state.getPhase(), next);
            }
            Map<String, Long> phaseTimes = new HashMap<>(state.getPhaseTimes());
            phaseTimes.putIfAbsent(next.name(), now.toEpochMilli());
            change(s -> {
                s.setPhase(next);
                s.setUpdatedAt(now);
                s.setPhaseTimes(phaseTimes);
                s.setStepAttempt(1);
                s.setRetryAt(null);
            });
        }

        /** Issues the step command of the current phase (or the given payload) and waits for its answer. */
        void issue(Object payload, Instant now) {
            String commandId = commandIdFor(state);
            commands.add(StepCommand.newBuilder()
                    .setCommandId(commandId)
                    .setServerId(state.getServerId())
                    .setReinstallId(state.getReinstallId())
                    .setIssuedAt(now)
                    .setNotAfter(now.plus(settings.stepStartWindow()))
                    .setPayload(payload)
                    .build());
            Map<String, Integer> attempts = new HashMap<>(state.getAttempts());
            attempts.merge(state.getPhase().name(), 1, Integer::sum);
            change(s -> {
                s.setPendingCommandId(commandId);
                s.setAttempts(attempts);
            });
            deadline(DeadlineKind.COMMAND_ANSWER, settings.commandAnswer(), now);
        }

        /**
         * A cancel that waited for the step in flight takes effect before the saga moves on to
         * {@code next}: compensation once a PXE config may exist, else the end. False when there is
         * no such cancel, or {@code next} is itself cleanup.
         */
        boolean cancelledBefore(ReinstallPhase next, Instant now) {
            if (!state.getCancelRequested() || state.getFailureKind() != null || isCleanupPhase(next)) {
                return false;
            }
            if (pxeConfigMayExist(state.getPhase())) {
                compensate(now);
            } else {
                finish(CANCELLED, now);
            }
            return true;
        }

        /** Moves forward to a phase that issues a step command; a pending cancel turns into compensation. */
        void advance(ReinstallPhase next, Instant now) {
            if (cancelledBefore(next, now)) {
                return;
            }
            enter(next, now);
            issue(stepCommandFor(state), now);
        }

        /** Moves to a phase that waits for an async action's callback. */
        void wait(ReinstallPhase waiting, Instant now) {
            enter(waiting, now);
            switch (waiting) {
                case INSTALLING -> deadline(DeadlineKind.FIRST_STAGE, settings.firstStage(), now);
                case AWAITING_JENKINS_TASK -> deadline(DeadlineKind.JENKINS_TASK, settings.jenkinsTask(), now);
                default -> deadline(DeadlineKind.ACTION_CALLBACK, settings.actionCallback(), now);
            }
        }

        void queue(Instant now) {
            enter(QUEUED, now);
            deadline(DeadlineKind.ADMISSION, settings.admissionWait(), now);
            admission = AdmissionRequested.newBuilder().build();
        }

        /** The next step after an async action's callback arrived. */
        void afterCallback(Instant now) {
            switch (state.getPhase()) {
                case AWAITING_PXE_CONFIG -> advance(SETTING_BOOT_PXE, now);
                case AWAITING_BOOT_PXE -> advance(REBOOTING, now);
                case AWAITING_BOOT_DISK -> advance(nextAfterBootDisk(), now);
                case AWAITING_JENKINS_TASK -> {
                    change(s -> s.setNextJenkinsTask(s.getNextJenkinsTask() + 1));
                    advance(nextAfterBootDisk(), now);
                }
                case AWAITING_PXE_CLEARED -> pxeConfigGone(now);
                default -> throw new IllegalStateException("no callback awaited in " + state.getPhase());
            }
        }

        /** No PXE config of this reinstall is left: create it afresh after a reset, or finish. */
        void pxeConfigGone(Instant now) {
            if (state.getResettingPxe()) {
                change(s -> s.setResettingPxe(false));
                advance(CREATING_PXE_CONFIG, now);
            } else {
                finish(endPhase(), now);
            }
        }

        /**
         * An awaited action's key answered "AsyncKey not found": someone received its OK (a poller
         * that died before publishing it, say). Harmless steps are simply made again; for the others
         * the saga proceeds, and the next step's own checks (stage 1's deadline after a PXE config
         * that did not take) catch a wrong guess.
         */
        void actionKeyVanished(Instant now) {
            change(s -> s.setPendingCallbackKey(null));
            switch (state.getPhase()) {
                case AWAITING_BOOT_PXE -> repeatStep(SETTING_BOOT_PXE, now);
                case AWAITING_BOOT_DISK -> repeatStep(SETTING_BOOT_DISK, now);
                case AWAITING_PXE_CLEARED -> repeatStep(CLEARING_PXE_CONFIG, now);
                case INSTALLING -> touch(now); // the reboot's key: the installer stages decide
                default -> afterCallback(now);
            }
        }

        /** The master key vanished: its final OK was taken. From stage 4 on that means the server is up. */
        void masterKeyVanished(CallbackKeyVanished vanished, Instant now) {
            if (Math.max(state.getInstallStage(), vanished.getLastStage()) >= 4) {
                Map<String, Long> stageTimes = new HashMap<>(state.getStageTimes());
                stageTimes.putIfAbsent("5", now.toEpochMilli());
                change(s -> {
                    s.setInstallStage(5);
                    s.setStageTimes(stageTimes);
                    s.setPendingCallbackKey(null);
                });
                advance(SETTING_BOOT_DISK, now);
            } else {
                // Too early to guess: the stage deadline will decide, never a silent stall.
                touch(now);
            }
        }

        void repeatStep(ReinstallPhase step, Instant now) {
            int attempt = state.getStepAttempt() + 1;
            enter(step, now);
            change(s -> s.setStepAttempt(attempt));
            issue(stepCommandFor(state), now);
        }

        ReinstallPhase nextAfterBootDisk() {
            return !compensating() && state.getNextJenkinsTask() < allTasks(state).size()
                    ? LAUNCHING_JENKINS_TASK : CLEARING_PXE_CONFIG;
        }

        void skipTask(String reason, Instant now) {
            String task = allTasks(state).get(state.getNextJenkinsTask());
            List<String> skipped = new ArrayList<>(state.getSkippedJenkinsTasks());
            skipped.add(task);
            events.add(JenkinsTaskSkipped.newBuilder().setTaskId(task).setReason(reason).build());
            change(s -> {
                s.setSkippedJenkinsTasks(skipped);
                s.setNextJenkinsTask(s.getNextJenkinsTask() + 1);
                s.setPendingCommandId(null);
                s.setPendingCallbackKey(null);
            });
            advance(nextAfterBootDisk(), now);
        }

        /** A step's Hostkey call failed: retry, reconcile, skip or fail, by the error's class. */
        void callFailed(HostkeyCallFailed failed, Instant now) {
            ReinstallPhase phase = state.getPhase();
            HostkeyErrorClass error = failed.getErrorClass();
            boolean retryable = error == HostkeyErrorClass.TRANSIENT
                    || (error == HostkeyErrorClass.AMBIGUOUS && IDEMPOTENT_STEPS.contains(phase));
            String message = failed.getCall() + ": " + failed.getMessage();
            Duration hostkeyWait = failed.getRetryAfterMillis() == null ? Duration.ZERO : Duration.ofMillis(Math.max(0, failed.getRetryAfterMillis()));
            if (retryable && state.getStepAttempt() < settings.maxAttempts() && !compensating() && state.getReinstallDeadlineAt() != null
                    && now.plus(hostkeyWait).isAfter(state.getReinstallDeadlineAt())) {
                // Hostkey asks to wait past the reinstall's deadline: waiting would only end in that deadline.
                fail(failureKindOf(error, phase), message + " (Hostkey asked to wait " + hostkeyWait.toSeconds()
                        + " s, past the reinstall's deadline " + state.getReinstallDeadlineAt() + ")", now);
            } else if (retryable && state.getStepAttempt() < settings.maxAttempts()) {
                scheduleRetry(message, hostkeyWait, now);
            } else if (error == HostkeyErrorClass.AMBIGUOUS && phase == CREATING_PXE_CONFIG && state.getPxeResets() < MAX_PXE_RESETS
                    && !compensating()) {
                // The PXE config may or may not exist: make the state known (clear_pxe is harmless),
                // then create it once more, instead of repeating create_pxe blindly.
                change(s -> {
                    s.setPendingCommandId(null);
                    s.setPxeResets(s.getPxeResets() + 1);
                    s.setResettingPxe(true);
                });
                enter(CLEARING_PXE_CONFIG, now);
                issue(stepCommandFor(state), now);
            } else if (error == HostkeyErrorClass.AMBIGUOUS && phase == REBOOTING) {
                // The reboot may have happened: never repeat it blindly. Wait for stage 1; its
                // deadline decides whether the server rebooted into the installer.
                change(s -> s.setPendingCommandId(null));
                wait(INSTALLING, now);
            } else if (phase == CLEARING_PXE_CONFIG && error == HostkeyErrorClass.UNKNOWN_HOSTNAME) {
                // Hostkey knows neither the hostname nor a PXE config under it: the create_pxe whose
                // fate was unknown (or that never ran) left nothing behind, and nothing is left to clear.
                change(s -> s.setPendingCommandId(null));
                pxeConfigGone(now);
            } else if (phase == LAUNCHING_JENKINS_TASK && currentTaskIsOptional(state)
                    && error != HostkeyErrorClass.AUTH && error != HostkeyErrorClass.WRONG_PIN) {
                skipTask(message, now);
            } else {
                fail(failureKindOf(error, phase), message, now);
            }
        }

        /**
         * The handler saw the step only after its notAfter and made no call: nothing happened on the
         * server, so the step may be issued again (with a new window) while attempts are left.
         */
        void stepExpired(StepExpired expired, Instant now) {
            String message = expired.getCall() + " not started: " + expired.getMessage();
            if (state.getStepAttempt() < settings.maxAttempts()) {
                scheduleRetry(message, now);
            } else {
                fail(FailureKind.DEADLINE, message, now);
            }
        }

        void scheduleRetry(String reason, Instant now) {
            scheduleRetry(reason, Duration.ZERO, now);
        }

        /** Retries the step after the backoff, and no sooner than Hostkey asked ({@code hostkeyWait}, its Retry-After). */
        void scheduleRetry(String reason, Duration hostkeyWait, Instant now) {
            int next = state.getStepAttempt() + 1;
            Duration backoff = backoff(state.getReinstallId(), next);
            Instant retryAt = now.plus(hostkeyWait.compareTo(backoff) > 0 ? hostkeyWait : backoff);
            events.add(StepRetryScheduled.newBuilder()
                    .setPhase(state.getPhase()).setAttempt(next).setRetryAt(retryAt).setReason(reason).build());
            change(s -> {
                s.setStepAttempt(next);
                s.setRetryAt(retryAt);
                s.setDeadlineKind(null);
                s.setDeadlineAt(null);
                s.setUpdatedAt(now);
            });
        }

        void retryNow(Instant now) {
            change(s -> s.setRetryAt(null));
            if (cancelledBefore(state.getPhase(), now)) {
                return;
            }
            issue(state.getPhase() == VALIDATING ? validateCommandOf(state) : stepCommandFor(state), now);
        }

        void expire(DeadlineKind kind, Instant deadlineAt, Instant now) {
            ReinstallPhase phase = state.getPhase();
            String message = "no " + describe(kind) + " by " + deadlineAt + " (phase " + phase + ")";
            events.add(DeadlineExceeded.newBuilder()
                    .setPhase(phase).setDeadline(kind).setDeadlineAt(deadlineAt).setMessage(message).build());
            change(s -> {
                s.setDeadlineKind(null);
                s.setDeadlineAt(null);
                s.setPendingCommandId(null);
                s.setPendingCallbackKey(null);
            });
            if (kind == DeadlineKind.FIRST_STAGE && phase == INSTALLING && state.getInstallStage() == 0
                    && state.getPxeRetries() < settings.pxeRetries() && !compensating()) {
                // The server never caught PXE: one more boot-from-PXE and reboot round.
                change(s -> s.setPxeRetries(s.getPxeRetries() + 1));
                enter(SETTING_BOOT_PXE, now);
                issue(stepCommandFor(state), now);
                return;
            }
            if (kind == DeadlineKind.JENKINS_TASK && currentTaskIsOptional(state) && !compensating()) {
                skipTask(message, now);
                return;
            }
            fail(FailureKind.DEADLINE, message, now);
        }

        boolean inCleanup() {
            return compensating() && CLEANUP_PHASES.contains(state.getPhase());
        }

        void fail(FailureKind kind, String message, Instant now) {
            boolean outsideServer = kind == FailureKind.AUTH || kind == FailureKind.INTERNAL;
            if (inCleanup()) {
                if (state.getFailureKind() == null) {
                    // A cancel was cleaning up: the cleanup itself failed, and its cause is the verdict.
                    change(s -> {
                        s.setFailurePhase(s.getPhase());
                        s.setFaultOutsideServer(outsideServer);
                    });
                }
                change(s -> {
                    s.setFailureKind(FailureKind.COMPENSATION_FAILED);
                    s.setFailureMessage((s.getFailureMessage() == null ? "" : s.getFailureMessage() + "; ")
                            + "cleanup failed: " + message);
                });
                finish(FAILED, now);
                return;
            }
            change(s -> {
                s.setFailureKind(kind);
                s.setFailurePhase(s.getPhase());
                s.setFailureMessage(message);
                s.setFaultOutsideServer(outsideServer);
            });
            if (pxeConfigMayExist(state.getPhase())) {
                compensate(now);
            } else {
                finish(FAILED, now);
            }
        }

        /** Boot back to disk and clear the PXE config, whatever went before. */
        void compensate(Instant now) {
            change(s -> {
                s.setPendingCallbackKey(null);
                s.setPendingCommandId(null);
                s.setResettingPxe(false);
            });
            enter(SETTING_BOOT_DISK, now);
            issue(stepCommandFor(state), now);
        }

        ReinstallPhase endPhase() {
            if (state.getFailureKind() != null) {
                return FAILED;
            }
            return state.getCancelRequested() ? CANCELLED : COMPLETED;
        }

        void rejected(ValidationFailed rejected, Instant now) {
            change(s -> {
                s.setFailureKind(FailureKind.VALIDATION);
                s.setFailureMessage(rejected.getMessage());
            });
            end(REJECTED, ReinstallRejected.newBuilder()
                    .setReason(rejected.getReason())
                    .setField(rejected.getField())
                    .setMessage(rejected.getMessage())
                    .build(), now);
        }

        void finish(ReinstallPhase end, Instant now) {
            ReinstallPhase lastPhase = state.getPhase();
            Object outcome = switch (end) {
                case COMPLETED -> ReinstallCompleted.newBuilder().setJenkinsTasks(allTasks(state)).build();
                case CANCELLED -> ReinstallCancelled.newBuilder().setPhase(lastPhase).setReason(state.getCancelReason()).build();
                case FAILED -> ReinstallFailed.newBuilder()
                        .setKind(state.getFailureKind() == null ? FailureKind.INTERNAL : state.getFailureKind())
                        .setPhase(state.getFailurePhase() == null ? lastPhase : state.getFailurePhase())
                        .setMessage(state.getFailureMessage() == null ? "" : state.getFailureMessage())
                        .build();
                default -> throw new IllegalStateException("not an end phase: " + end);
            };
            int failures = switch (end) {
                case COMPLETED -> 0;
                case FAILED -> state.getConsecutiveFailures() + (isServersFault(state) ? 1 : 0);
                default -> state.getConsecutiveFailures();
            };
            change(s -> s.setConsecutiveFailures(failures));
            end(end, outcome, now);
        }

        private void end(ReinstallPhase end, Object outcome, Instant now) {
            boolean heldAdmission = state.getPhase() != VALIDATING;
            enter(end, now);
            change(s -> {
                s.setFinishedAt(now);
                s.setPendingCommandId(null);
                s.setPendingCallbackKey(null);
                s.setDeadlineKind(null);
                s.setDeadlineAt(null);
                s.setReinstallDeadlineAt(null);
                s.setRetryAt(null);
                s.setQueuePosition(0);
                // Released (or kept by the task) with the admission message below: ReinstallSagaProcessor reads it from the state before.
                s.setAdmissionSlot(null);
                // Sealed secrets leave the state when the reinstall ends.
                s.setRootPassword(null);
                s.setPostInstallScript(null);
            });
            completion = completionOf(state, outcome, now);
            if (heldAdmission) {
                admission = AdmissionReleased.newBuilder().build();
            }
        }
    }

    // ---------------------------------------------------------------- derived values

    private static boolean isCleanupPhase(ReinstallPhase phase) {
        return phase == SETTING_BOOT_DISK || phase == CLEARING_PXE_CONFIG;
    }

    static List<String> allTasks(ReinstallState state) {
        List<String> all = new ArrayList<>(state.getJenkinsTasks());
        all.addAll(state.getOptionalJenkinsTasks());
        return all;
    }

    private static boolean currentTaskIsOptional(ReinstallState state) {
        return state.getNextJenkinsTask() >= state.getJenkinsTasks().size()
                && state.getNextJenkinsTask() < allTasks(state).size();
    }

    /** Exponential backoff with +-20% jitter, derived from the reinstall so a replay decides the same. */
    private Duration backoff(String reinstallId, int attempt) {
        long base = settings.retryBackoff().toMillis() << Math.min(attempt - 2, 20);
        long capped = Math.min(base, settings.maxRetryBackoff().toMillis());
        double jitter = 0.8 + 0.4 * ((Math.abs((reinstallId + attempt).hashCode()) % 1000) / 1000.0);
        return Duration.ofMillis((long) (capped * jitter));
    }

    /** Deterministic, so a replayed decision issues the same command id (the handler dedups on it). */
    private static String commandIdFor(ReinstallState state) {
        StringBuilder id = new StringBuilder(state.getReinstallId()).append(':').append(state.getPhase().name().toLowerCase(java.util.Locale.ROOT));
        switch (state.getPhase()) {
            case LAUNCHING_JENKINS_TASK -> id.append(':').append(state.getNextJenkinsTask());
            case SETTING_BOOT_DISK, CLEARING_PXE_CONFIG -> {
                if (isCompensating(state)) {
                    id.append(":cleanup");
                } else if (state.getResettingPxe()) {
                    id.append(":reset-").append(state.getPxeResets());
                }
            }
            case CREATING_PXE_CONFIG -> {
                if (state.getPxeResets() > 0) {
                    id.append(":after-reset-").append(state.getPxeResets());
                }
            }
            case SETTING_BOOT_PXE, REBOOTING -> {
                if (state.getPxeRetries() > 0) {
                    id.append(":pxe-round-").append(state.getPxeRetries() + 1);
                }
            }
            default -> { }
        }
        if (state.getStepAttempt() > 1) {
            id.append(":attempt-").append(state.getStepAttempt());
        }
        return id.toString();
    }

    private static ValidateReinstall validateCommandOf(ReinstallState state) {
        return ValidateReinstall.newBuilder()
                .setAccount(state.getAccount())
                .setOsId(state.getOsId())
                .setHostname(state.getHostname())
                .setRootPassword(state.getRootPassword())
                .setSshKey(state.getSshKey())
                .setPostInstallScript(state.getPostInstallScript())
                .setPostInstallCallbackUrl(state.getPostInstallCallbackUrl())
                .setPartitionScheme(state.getPartitionScheme())
                .setJenkinsTasks(allTasks(state))
                .setLicences(state.getLicences())
                .build();
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
                    .setLicences(state.getLicences())
                    .build();
            case SETTING_BOOT_PXE -> SetBootDevice.newBuilder().setAccount(account).setMedia(BootMedia.PXE).build();
            case REBOOTING -> RebootServer.newBuilder().setAccount(account).build();
            case SETTING_BOOT_DISK -> SetBootDevice.newBuilder().setAccount(account).setMedia(BootMedia.DISK).build();
            case LAUNCHING_JENKINS_TASK -> RunJenkinsTask.newBuilder()
                    .setAccount(account)
                    .setTaskId(allTasks(state).get(state.getNextJenkinsTask()))
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

    private static String describe(DeadlineKind kind) {
        return switch (kind) {
            case COMMAND_ANSWER -> "answer from the command handler";
            case ACTION_CALLBACK -> "callback of the async action";
            case FIRST_STAGE -> "installer stage 1 after the reboot (the server did not catch PXE)";
            case NEXT_STAGE -> "next installer stage";
            case JENKINS_TASK -> "end of the Jenkins task";
            case WHOLE_REINSTALL -> "end of the reinstall";
            case ADMISSION -> "free reinstall slot";
        };
    }

    /**
     * Whether a failure says something about the server, and so counts towards its quarantine. Not
     * the account's credentials or PIN (AUTH: every server of the account fails alike, and a locked
     * PIN needs support, not a quarantine of each), not this deployment's own faults (INTERNAL, e.g.
     * a sealed secret no handler key opens), whether they ended the reinstall or its cleanup
     * ({@code faultOutsideServer}), not a wait for an admission slot.
     */
    static boolean isServersFault(ReinstallState failed) {
        FailureKind kind = failed.getFailureKind();
        if (kind == null || failed.getFaultOutsideServer()) {
            return false;
        }
        return !(kind == FailureKind.DEADLINE && failed.getFailurePhase() == QUEUED);
    }

    private static FailureKind failureKindOf(HostkeyErrorClass error, ReinstallPhase phase) {
        return switch (error) {
            case AUTH, WRONG_PIN -> FailureKind.AUTH;
            case INTERNAL -> FailureKind.INTERNAL;
            // Ambiguous at its last attempt: whether Hostkey applied the call is not known.
            case AMBIGUOUS -> FailureKind.OUTCOME_UNKNOWN;
            case REJECTED, UNKNOWN_HOSTNAME, TRANSIENT ->
                    phase == LAUNCHING_JENKINS_TASK ? FailureKind.POST_INSTALL_FAILED : FailureKind.API_REJECTED;
        };
    }

    // ---------------------------------------------------------------- poll targets

    /** The keys the poller must watch in this state; empty means a tombstone. */
    static Optional<PollTargets> pollTargetsOf(ReinstallState state) {
        if (state == null || isTerminal(state.getPhase())) {
            return Optional.empty();
        }
        List<PollKey> keys = new ArrayList<>();
        if (state.getPhase() == INSTALLING && state.getReinstallKey() != null) {
            keys.add(PollKey.newBuilder().setKey(state.getReinstallKey()).setAction(null)
                    .setLastStage(state.getInstallStage()).setSince(state.getUpdatedAt())
                    .setDeadline(state.getDeadlineAt()).build());
        }
        AsyncActionKind awaited = AWAITED_ACTION.get(state.getPhase());
        if (awaited != null && state.getPendingCallbackKey() != null) {
            keys.add(PollKey.newBuilder().setKey(state.getPendingCallbackKey()).setAction(awaited)
                    .setLastStage(0).setSince(state.getUpdatedAt()).setDeadline(state.getDeadlineAt()).build());
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

    private static List<String> signature(Optional<PollTargets> targets) {
        return targets.map(t -> t.getKeys().stream().map(k -> k.getKey() + "@" + k.getLastStage()).toList()).orElse(List.of());
    }

    // ---------------------------------------------------------------- completions and refusals

    private static ReinstallCompletion completionOf(ReinstallState state, Object outcome, Instant now) {
        return ReinstallCompletion.newBuilder()
                .setReinstallId(state.getReinstallId())
                .setRequestId(state.getRequestId())
                .setServerId(state.getServerId())
                .setAccount(state.getAccount())
                .setOsId(state.getOsId())
                .setOsName(state.getOsName())
                .setServerType(state.getServerType())
                .setLocation(state.getLocation())
                .setHostname(state.getHostname())
                .setRequestedAt(state.getRequestedAt())
                .setFinishedAt(now)
                .setStepTimes(state.getPhaseTimes())
                .setStageTimes(state.getStageTimes())
                .setAttempts(state.getAttempts())
                .setSkippedJenkinsTasks(state.getSkippedJenkinsTasks())
                .setOutcome(outcome)
                .setLicences(billedLicences(state))
                .build();
    }

    /**
     * The licences the completion carries for billing: those validation confirmed (entering QUEUED
     * means it passed). Before that, the state holds the request's count, unchecked and for an OS
     * that may not be licensed at all, so a reinstall that ended there bills none.
     */
    private static Integer billedLicences(ReinstallState state) {
        return state.getPhaseTimes().containsKey(QUEUED.name()) ? state.getLicences() : null;
    }

    /** Refuses a request without touching the state of the reinstall the server has. */
    private static Decision refuse(ReinstallState current, ReinstallRequest command, ReinstallServer request, String reinstallId,
                                   RejectionReason reason, String message, Instant now) {
        ReinstallCompletion rejection = ReinstallCompletion.newBuilder()
                .setReinstallId(reinstallId)
                .setRequestId(request.getRequestId())
                .setServerId(command.getServerId())
                .setAccount(request.getAccount())
                .setOsId(request.getOsId())
                .setHostname(request.getHostname())
                .setRequestedAt(command.getIssuedAt())
                .setFinishedAt(now)
                .setOutcome(ReinstallRejected.newBuilder().setReason(reason).setField(null).setMessage(message).build())
                .build();
        RequestRejected event = RequestRejected.newBuilder()
                .setRequestId(request.getRequestId()).setReason(reason).setField(null).setMessage(message).build();
        return new Decision(current, List.of(), Optional.empty(), false, Optional.of(rejection), List.of(event),
                Optional.empty(), true);
    }

    /** Acknowledges a request id seen before: an event for the record, nothing else. */
    private static Decision duplicate(ReinstallState current, ReinstallServer request, String reinstallId) {
        RequestDuplicate event = RequestDuplicate.newBuilder()
                .setRequestId(request.getRequestId())
                .setReinstallId(reinstallId)
                .setMessage("request " + request.getRequestId() + " was seen before; it starts nothing")
                .build();
        return eventOnly(current, event);
    }

    /** Refuses a cancel or release aimed at a request that is not the server's current reinstall. */
    private static Decision notCurrent(ReinstallState current, String targetRequestId, String action) {
        String message = action + " names request " + targetRequestId + ", which is not " + (current == null
                ? "known for this server" : "the current reinstall (" + current.getRequestId() + ", " + current.getPhase() + ")");
        RequestRejected event = RequestRejected.newBuilder()
                .setRequestId(targetRequestId).setReason(RejectionReason.NOT_CURRENT).setField("targetRequestId")
                .setMessage(message).build();
        return eventOnly(current, event);
    }

    /** An input that changes nothing but is answered, for the record, with one event. */
    private static Decision eventOnly(ReinstallState current, SpecificRecord event) {
        return new Decision(current, List.of(), Optional.empty(), false, Optional.empty(), List.of(event),
                Optional.empty(), true);
    }

    /** Whether the server has seen {@code requestId}: its current reinstall's, or one it still remembers. */
    private boolean seenBefore(ReinstallState current, String requestId, Instant now) {
        return current != null && (current.getRequestId().equals(requestId) || seenRequestsOf(current, now).containsKey(requestId));
    }

    /** The request ids the server still remembers at {@code now}: those within the request memory. */
    private Map<String, Long> seenRequestsOf(ReinstallState state, Instant now) {
        long oldest = now.minus(settings.requestMemory()).toEpochMilli();
        Map<String, Long> seen = new HashMap<>();
        state.getSeenRequests().forEach((id, at) -> {
            if (at >= oldest) {
                seen.put(id, at);
            }
        });
        return seen;
    }

    /** The state with {@code requestId} remembered, the forgotten and the oldest beyond the cap dropped. */
    private ReinstallState remember(ReinstallState state, String requestId, Instant now) {
        Map<String, Long> seen = seenRequestsOf(state, now);
        seen.putIfAbsent(state.getRequestId(), state.getRequestedAt().toEpochMilli());
        seen.put(requestId, now.toEpochMilli());
        if (seen.size() > SagaSettings.MAX_SEEN_REQUESTS) {
            List<Map.Entry<String, Long>> byAge = new ArrayList<>(seen.entrySet());
            byAge.sort(Map.Entry.comparingByValue());
            byAge.subList(0, seen.size() - SagaSettings.MAX_SEEN_REQUESTS).forEach(e -> seen.remove(e.getKey()));
        }
        return StateCopies.with(state, s -> s.setSeenRequests(seen));
    }

    private static Decision ignored(ReinstallState current) {
        ReinstallState counted = current == null ? null
                : StateCopies.with(current, s -> s.setIgnoredEvents(s.getIgnoredEvents() + 1));
        return new Decision(counted, List.of(), Optional.empty(), false, Optional.empty(), List.of(), Optional.empty(), false);
    }

    /** A move the table does not allow: a bug in the machine, never a consequence of input. */
    public static final class IllegalTransitionException extends IllegalStateException {
        public IllegalTransitionException(ReinstallPhase from, ReinstallPhase to) {
            super("illegal reinstall transition " + from + " -> " + to);
        }
    }
}
