package com.hostkey.reinstall.cli;

import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.DeadlineKind;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.JenkinsTaskSkipped;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallQueued;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.RequestRejected;
import com.hostkey.reinstall.schemas.avro.ServerReleased;
import com.hostkey.reinstall.schemas.avro.StepRetryScheduled;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds one server's reinstall events and completions, times in seconds after {@link #T0}. */
public final class Events {

    public static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private final long serverId;
    private final String reinstallId;
    private final String requestId;
    private int sequence;

    public Events(long serverId, String reinstallId, String requestId) {
        this.serverId = serverId;
        this.reinstallId = reinstallId;
        this.requestId = requestId;
    }

    public static Instant at(double seconds) {
        return T0.plusMillis((long) (seconds * 1000));
    }

    public ReinstallEvent event(double seconds, Object payload) {
        return ReinstallEvent.newBuilder()
                .setEventId(reinstallId + "-" + sequence++)
                .setServerId(serverId)
                .setReinstallId(reinstallId)
                .setCommandId(null)
                .setOccurredAt(at(seconds))
                .setSource("test")
                .setPayload(payload)
                .build();
    }

    /** The same fact again under a new event id (a re-publication after a restart). */
    public ReinstallEvent again(ReinstallEvent event) {
        return ReinstallEvent.newBuilder(event).setEventId(event.getEventId() + "-again").build();
    }

    // ------------------------------------------------------------------ payloads

    public static ReinstallValidated validated() {
        return ReinstallValidated.newBuilder().setOsName("Ubuntu 22.04").setServerType("bm").setLocation("NL").build();
    }

    public static ValidationFailed validationFailed() {
        return ValidationFailed.newBuilder().setReason(RejectionReason.INVALID_HOSTNAME).setField("hostname")
                .setMessage("hostname contains '_' at position 4").build();
    }

    public static ReinstallQueued queued(int position) {
        return ReinstallQueued.newBuilder().setPosition(position).build();
    }

    public static AdmissionGranted admitted() {
        return AdmissionGranted.newBuilder().setWaitedMillis(0).build();
    }

    public static ReinstallKeyCreated keyCreated() {
        return ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build();
    }

    public static ActionAccepted accepted(AsyncActionKind action) {
        return accepted(action, null);
    }

    public static ActionAccepted accepted(AsyncActionKind action, String detail) {
        return ActionAccepted.newBuilder().setAction(action).setCallbackKey(action + "-key").setDetail(detail).build();
    }

    public static ActionCompleted completed(AsyncActionKind action) {
        return ActionCompleted.newBuilder().setAction(action).setCallbackKey(action + "-key").build();
    }

    public static ActionFailed actionFailed(AsyncActionKind action, String reason) {
        return ActionFailed.newBuilder().setAction(action).setCallbackKey(action + "-key").setReason(reason).build();
    }

    public static InstallStageReached stage(int stage) {
        return InstallStageReached.newBuilder().setStage(stage).setScope("Stage " + stage).setObserved(true).build();
    }

    public static InstallStageReached inferredStage(int stage) {
        return InstallStageReached.newBuilder().setStage(stage).setScope(null).setObserved(false).build();
    }

    public static InstallFailed installFailed(int lastStage) {
        return InstallFailed.newBuilder().setLastStage(lastStage).setReason("disk not found").build();
    }

    public static HostkeyCallFailed hostkeyFailed(HostkeyErrorClass errorClass) {
        return HostkeyCallFailed.newBuilder().setCall("eq/create_pxe").setErrorClass(errorClass).setMessage("HTTP 503").build();
    }

    public static StepRetryScheduled retry(ReinstallPhase phase) {
        return StepRetryScheduled.newBuilder().setPhase(phase).setAttempt(2).setRetryAt(at(100)).setReason("HTTP 503").build();
    }

    public static DeadlineExceeded deadline(ReinstallPhase phase, DeadlineKind kind) {
        return DeadlineExceeded.newBuilder().setPhase(phase).setDeadline(kind).setDeadlineAt(at(1000)).setMessage("too slow").build();
    }

    public static JenkinsTaskSkipped skipped(String task) {
        return JenkinsTaskSkipped.newBuilder().setTaskId(task).setReason("exit 1").build();
    }

    public static ServerReleased released() {
        return ServerReleased.newBuilder().setConsecutiveFailures(3).setReason("fixed").build();
    }

    public RequestRejected requestRejected(RejectionReason reason) {
        return RequestRejected.newBuilder().setRequestId(requestId).setReason(reason).setMessage("busy").build();
    }

    // ------------------------------------------------------------------ whole reinstalls

    /** Validation to stage 5 and boot from disk, then the given tasks, then clear PXE: a completed reinstall's events. */
    public List<ReinstallEvent> happyPath(String... tasks) {
        List<ReinstallEvent> events = new ArrayList<>(throughInstall());
        double t = 60;
        events.add(event(t, accepted(AsyncActionKind.BOOT_FROM_DISK)));
        events.add(event(t + 2, completed(AsyncActionKind.BOOT_FROM_DISK)));
        t += 4;
        for (String task : tasks) {
            events.add(event(t, accepted(AsyncActionKind.JENKINS_TASK, task)));
            events.add(event(t + 10, completed(AsyncActionKind.JENKINS_TASK)));
            t += 12;
        }
        events.add(event(t, accepted(AsyncActionKind.CLEAR_PXE)));
        events.add(event(t + 1, completed(AsyncActionKind.CLEAR_PXE)));
        return events;
    }

    /** Validation to installer stage 5, every stage observed. */
    public List<ReinstallEvent> throughInstall() {
        List<ReinstallEvent> events = new ArrayList<>();
        events.add(event(0.5, validated()));
        events.add(event(1, admitted()));
        events.add(event(1.5, keyCreated()));
        events.add(event(2, accepted(AsyncActionKind.CREATE_PXE)));
        events.add(event(4, completed(AsyncActionKind.CREATE_PXE)));
        events.add(event(5, accepted(AsyncActionKind.BOOT_FROM_PXE)));
        events.add(event(6, completed(AsyncActionKind.BOOT_FROM_PXE)));
        events.add(event(7, accepted(AsyncActionKind.REBOOT)));
        events.add(event(10, completed(AsyncActionKind.REBOOT)));
        events.add(event(20, stage(1)));
        events.add(event(30, stage(2)));
        events.add(event(40, stage(3)));
        events.add(event(50, stage(4)));
        events.add(event(58, stage(5)));
        return events;
    }

    public ReinstallCompletion completion(double seconds, Object outcome) {
        return ReinstallCompletion.newBuilder()
                .setReinstallId(reinstallId)
                .setRequestId(requestId)
                .setServerId(serverId)
                .setAccount("default")
                .setOsId(101)
                .setHostname("web1.example.net")
                .setRequestedAt(T0)
                .setFinishedAt(at(seconds))
                .setStepTimes(Map.of())
                .setStageTimes(Map.of())
                .setOutcome(outcome)
                .build();
    }

    public static ReinstallCompleted completedOutcome(String... tasks) {
        return ReinstallCompleted.newBuilder().setJenkinsTasks(List.of(tasks)).build();
    }

    public static ReinstallFailed failedOutcome(FailureKind kind, ReinstallPhase phase) {
        return ReinstallFailed.newBuilder().setKind(kind).setPhase(phase).setMessage("it broke").build();
    }

    public static ReinstallCancelled cancelledOutcome(ReinstallPhase phase) {
        return ReinstallCancelled.newBuilder().setPhase(phase).setReason("operator").build();
    }

    public static ReinstallRejected rejectedOutcome(RejectionReason reason) {
        return ReinstallRejected.newBuilder().setReason(reason).setField("hostname").setMessage("bad hostname").build();
    }
}
