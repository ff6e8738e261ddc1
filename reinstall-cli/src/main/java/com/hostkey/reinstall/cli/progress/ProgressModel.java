package com.hostkey.reinstall.cli.progress;

import com.hostkey.reinstall.schemas.ReinstallStep;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.JenkinsTaskSkipped;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallQueued;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.RequestRejected;
import com.hostkey.reinstall.schemas.avro.ServerReleased;
import com.hostkey.reinstall.schemas.avro.StepRetryScheduled;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Folds one server's reinstall events and its completion into the operator's view: validation
 * and admission, the nine steps with their start and end, the installer's five stages and the
 * outcome. Pure: no I/O and no clock; every time comes from the events.
 *
 * <p>The fold tolerates what the topics really deliver:
 * <ul>
 *   <li>duplicates (same event id, or a stage or callback already known) change nothing and
 *       report nothing;</li>
 *   <li>stages the poller inferred ({@code observed=false}) or skipped entirely are filled in;
 *       a later step's event settles earlier steps still open (a watch that started late);</li>
 *   <li>events and the completion come from two topics, so their order across topics is not
 *       guaranteed: events after the completion are still folded in, and the shown status of an
 *       open step is decided by the outcome ({@link #steps()});</li>
 *   <li>cleanup: boot from disk before stage 5, or a second boot from disk, means the reinstall is
 *       compensating; steps 7 and 9 are then marked as cleanup and the interrupted step as failed
 *       (or skipped when nothing failed, i.e. a cancel).</li>
 * </ul>
 * Only events of the watched reinstall count: its id is given, derived from the request, seeded
 * from the projector's state, or adopted from the first event that moves a reinstall.
 */
public final class ProgressModel {

    private final long serverId;
    private final String requestId;
    private String reinstallId;
    /** A finished reinstall of this server that must not be adopted. */
    private String staleReinstallId;

    private final Set<String> seenEventIds = new HashSet<>();
    private final Map<ReinstallStep, MutableStep> steps = new EnumMap<>(ReinstallStep.class);
    private final Instant[] stageAt = new Instant[6];
    private final boolean[] stageObserved = new boolean[6];

    private StepStatus validation = StepStatus.PENDING;
    private Integer queuePosition;
    private Instant firstEventAt;
    private Instant requestedAt;
    private Instant admittedAt;
    private String osName;
    private String serverType;
    private String location;
    private List<String> expectedTasks;
    private final List<String> launchedTasks = new ArrayList<>();
    private int completedTasks;
    private final List<String> skippedTasks = new ArrayList<>();
    private boolean compensating;
    private ReinstallStep failedStep;
    private int retries;
    private EventDescription lastProblem;

    private Outcome outcome;
    private EventDescription outcomeDescription;
    private Instant finishedAt;

    /**
     * @param requestId     the request being watched, when known (submit --watch): its completion is
     *                      matched by request id
     * @param reinstallId   the reinstall being watched, when known; null adopts the first one seen
     * @param expectedTasks the Jenkins tasks the request asked for (required and optional), or null
     *                      when unknown
     */
    public ProgressModel(long serverId, String requestId, String reinstallId, List<String> expectedTasks) {
        this.serverId = serverId;
        this.requestId = requestId;
        this.reinstallId = reinstallId;
        this.expectedTasks = expectedTasks == null ? null : List.copyOf(expectedTasks);
        for (ReinstallStep step : ReinstallStep.values()) {
            steps.put(step, new MutableStep());
        }
    }

    /** A model for whatever reinstall of the server comes next (or is seeded). */
    public static ProgressModel forServer(long serverId) {
        return new ProgressModel(serverId, null, null, null);
    }

    // ------------------------------------------------------------------ inputs

    /**
     * Starts from the projector's state: a reinstall in progress is adopted with the steps and
     * stages it already went through. A finished one is adopted with its outcome when
     * {@code adoptFinished}, else remembered as one not to follow (the watch waits for the next).
     */
    public void seed(ReinstallStateView view, boolean adoptFinished) {
        if (view.isTerminal() && !adoptFinished) {
            staleReinstallId = view.reinstallId();
            return;
        }
        reinstallId = view.reinstallId();
        osName = view.osName();
        serverType = view.serverType();
        location = view.location();
        requestedAt = view.requestedAt();
        admittedAt = view.admittedAt();
        if (expectedTasks == null && view.optionalJenkinsTasks() != null) {
            List<String> all = new ArrayList<>(view.jenkinsTasks());
            all.addAll(view.optionalJenkinsTasks());
            expectedTasks = List.copyOf(all);
        }
        if (view.failurePhase() != null) {
            failedStep = ReinstallStep.ofPhase(view.failurePhase(), view.installStage()).orElse(null);
        }
        queuePosition = view.queuePosition() == null || view.queuePosition() == 0 ? null : view.queuePosition();
        if (view.phase() != null && view.phase() != ReinstallPhase.VALIDATING) {
            validation = StepStatus.DONE;
        } else if (view.phase() == ReinstallPhase.VALIDATING) {
            validation = StepStatus.RUNNING;
        }
        view.stageTimes().forEach((stage, at) -> {
            if (stage >= 1 && stage <= 5) {
                stageAt[stage] = at;
                stageObserved[stage] = true;
            }
        });
        compensating = view.failureKind() != null || view.cancelRequested();
        fillSteps(view.stepTimes(), view.failureKind() != null);
        if (view.isTerminal()) {
            outcome = Outcome.ofPhase(view.phase()).orElseThrow();
            finishedAt = view.finishedAt() != null ? view.finishedAt() : view.updatedAt();
            outcomeDescription = describeOutcome(view);
            if (outcome == Outcome.FAILED && failedStep == null) {
                for (ReinstallStep step : ReinstallStep.values()) {
                    if (get(step).status == StepStatus.RUNNING) {
                        failedStep = step;
                    }
                }
            }
            if (outcome == Outcome.REJECTED) {
                validation = StepStatus.FAILED;
            }
        }
    }

    private static EventDescription describeOutcome(ReinstallStateView view) {
        String failure = (view.failureKind() == null ? "" : " (" + view.failureKind() + ")")
                + (view.failureMessage() == null ? "" : ": " + view.failureMessage());
        return switch (view.phase()) {
            case COMPLETED -> new EventDescription(Optional.empty(), "COMPLETED", EventDescription.Level.INFO);
            case CANCELLED -> new EventDescription(Optional.empty(), "CANCELLED" + failure, EventDescription.Level.WARN);
            case REJECTED -> new EventDescription(Optional.empty(), "REJECTED" + failure, EventDescription.Level.ERROR);
            default -> new EventDescription(Optional.empty(), "FAILED" + failure, EventDescription.Level.ERROR);
        };
    }

    /** Folds one event; empty when it is not news (another reinstall, a duplicate, nothing new). */
    public Optional<ProgressChange> apply(ReinstallEvent event) {
        if (event.getServerId() != serverId || !belongs(event) || !seenEventIds.add(event.getEventId())) {
            return Optional.empty();
        }
        Instant at = event.getOccurredAt();
        if (firstEventAt == null) {
            firstEventAt = at;
        }
        EventDescription description = EventDescription.of(event);
        boolean news = switch (event.getPayload()) {
            case ReinstallValidated v -> {
                osName = v.getOsName();
                serverType = v.getServerType();
                location = v.getLocation();
                validation = StepStatus.DONE;
                yield true;
            }
            case ValidationFailed f -> {
                validation = StepStatus.FAILED;
                lastProblem = description;
                yield true;
            }
            case RequestRejected r -> {
                lastProblem = description;
                yield true;
            }
            case ReinstallQueued q -> {
                queuePosition = q.getPosition();
                validation = StepStatus.DONE;
                yield true;
            }
            case AdmissionGranted g -> {
                admittedAt = at;
                queuePosition = null;
                validation = StepStatus.DONE;
                begin(ReinstallStep.REINSTALL_KEY, at);
                yield true;
            }
            case ReinstallKeyCreated k -> {
                boolean known = status(ReinstallStep.REINSTALL_KEY) == StepStatus.DONE;
                finish(ReinstallStep.REINSTALL_KEY, at);
                begin(ReinstallStep.PXE_CONFIG, at);
                yield !known;
            }
            case ActionAccepted a -> accepted(a, at);
            case ActionCompleted c -> {
                if (c.getAction() == AsyncActionKind.JENKINS_TASK && !launchedTasks.isEmpty()) {
                    description = new EventDescription(description.step(), "Jenkins task " + launchedTasks.getLast() + ": done",
                            description.level());
                }
                yield completed(c.getAction(), at);
            }
            case ActionFailed f -> {
                ReinstallStep step = ReinstallStep.of(f.getAction());
                failedStep = step;
                lastProblem = description;
                get(step).status = StepStatus.FAILED;
                get(step).finishedAt = at;
                yield true;
            }
            case InstallStageReached s -> stageReached(s, at);
            case InstallFailed f -> {
                ReinstallStep step = f.getLastStage() == 0 ? ReinstallStep.INSTALL_STARTED : ReinstallStep.INSTALLER_STAGES;
                failedStep = step;
                lastProblem = description;
                if (step == ReinstallStep.INSTALLER_STAGES) {
                    finish(ReinstallStep.INSTALL_STARTED, at);
                }
                get(step).status = StepStatus.FAILED;
                get(step).finishedAt = at;
                yield true;
            }
            case HostkeyCallFailed f -> {
                lastProblem = description;
                if (f.getErrorClass() != HostkeyErrorClass.TRANSIENT && f.getErrorClass() != HostkeyErrorClass.AMBIGUOUS) {
                    failedStep = running().orElse(failedStep);
                }
                yield true;
            }
            case StepRetryScheduled r -> {
                retries++;
                lastProblem = description;
                yield true;
            }
            case DeadlineExceeded d -> {
                lastProblem = description;
                failedStep = ReinstallStep.ofPhase(d.getPhase(), highestStage()).orElse(failedStep);
                yield true;
            }
            case JenkinsTaskSkipped s -> {
                skippedTasks.add(s.getTaskId());
                MutableStep jenkins = get(ReinstallStep.JENKINS_TASKS);
                if (jenkins.status == StepStatus.FAILED) {
                    jenkins.status = StepStatus.RUNNING;
                    jenkins.finishedAt = null;
                }
                if (failedStep == ReinstallStep.JENKINS_TASKS) {
                    failedStep = null;
                }
                finishTasksIfAllDone(at);
                yield true;
            }
            case ServerReleased r -> true;
            default -> true;
        };
        return news ? Optional.of(new ProgressChange(serverId, at, described(description), false)) : Optional.empty();
    }

    /** Folds the completion; empty when it belongs to another reinstall or the outcome is known. */
    public Optional<ProgressChange> complete(ReinstallCompletion completion) {
        if (completion.getServerId() != serverId || outcome != null || !belongs(completion)) {
            return Optional.empty();
        }
        if (reinstallId == null) {
            reinstallId = completion.getReinstallId();
        }
        outcome = Outcome.of(completion.getOutcome());
        finishedAt = completion.getFinishedAt();
        requestedAt = requestedAt == null ? completion.getRequestedAt() : requestedAt;
        osName = osName == null ? completion.getOsName() : osName;
        location = location == null ? completion.getLocation() : location;
        serverType = serverType == null ? completion.getServerType() : serverType;
        outcomeDescription = EventDescription.of(completion);
        completion.getStageTimes().forEach((stage, millis) -> {
            int n = parseStage(stage);
            if (n >= 1 && n <= 5 && stageAt[n] == null) {
                stageAt[n] = Instant.ofEpochMilli(millis);
                stageObserved[n] = true;
            }
        });
        switch (completion.getOutcome()) {
            case ReinstallFailed f -> failedStep = ReinstallStep.ofPhase(f.getPhase(), highestStage()).orElse(failedStep);
            case ReinstallRejected r -> validation = validation == StepStatus.DONE ? StepStatus.DONE : StepStatus.FAILED;
            case ReinstallCancelled c -> { }
            default -> {
                // Completed: the projector's entry times fill whatever this watch did not see.
                validation = StepStatus.DONE;
                Map<String, Instant> times = new HashMap<>();
                completion.getStepTimes().forEach((phase, millis) -> times.put(phase, Instant.ofEpochMilli(millis)));
                fillSteps(times, false);
            }
        }
        for (String task : completion.getSkippedJenkinsTasks()) {
            if (!skippedTasks.contains(task)) {
                skippedTasks.add(task);
            }
        }
        return Optional.of(new ProgressChange(serverId, finishedAt, outcomeDescription, true));
    }

    // ------------------------------------------------------------------ views

    public long serverId() {
        return serverId;
    }

    public Optional<String> reinstallId() {
        return Optional.ofNullable(reinstallId);
    }

    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    public Optional<Outcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    public boolean isFinished() {
        return outcome != null;
    }

    /** The description of the completion, once there is one. */
    public Optional<EventDescription> outcomeDescription() {
        return Optional.ofNullable(outcomeDescription);
    }

    /** The last retry, deadline, Hostkey error or failure seen, if any. */
    public Optional<EventDescription> lastProblem() {
        return Optional.ofNullable(lastProblem);
    }

    public StepStatus validation() {
        return validation;
    }

    public Optional<Integer> queuePosition() {
        return Optional.ofNullable(queuePosition);
    }

    public Optional<String> osName() {
        return Optional.ofNullable(osName);
    }

    public Optional<String> location() {
        return Optional.ofNullable(location);
    }

    public Optional<String> serverType() {
        return Optional.ofNullable(serverType);
    }

    /** When the reinstall was requested, else when the first event of it was seen. */
    public Optional<Instant> startedAt() {
        return Optional.ofNullable(requestedAt != null ? requestedAt : firstEventAt);
    }

    public Optional<Instant> finishedAt() {
        return Optional.ofNullable(finishedAt);
    }

    public int retries() {
        return retries;
    }

    public boolean compensating() {
        return compensating;
    }

    public List<String> skippedTasks() {
        return Collections.unmodifiableList(skippedTasks);
    }

    /**
     * The nine steps as shown. While the reinstall runs they are as folded; once it ended, a step
     * still open is settled by the outcome: done when it completed (Jenkins tasks skipped when
     * none ran), else failed for the step that failed and skipped for the rest.
     */
    public List<StepView> steps() {
        List<StepView> views = new ArrayList<>();
        for (ReinstallStep step : ReinstallStep.values()) {
            MutableStep s = get(step);
            StepStatus status = s.status;
            if (outcome != null && !status.isSettled()) {
                status = switch (outcome) {
                    case COMPLETED -> step == ReinstallStep.JENKINS_TASKS && launchedTasks.isEmpty() ? StepStatus.SKIPPED : StepStatus.DONE;
                    case FAILED -> step == failedStep && status == StepStatus.RUNNING ? StepStatus.FAILED : StepStatus.SKIPPED;
                    case CANCELLED, REJECTED -> StepStatus.SKIPPED;
                };
            }
            Instant end = s.finishedAt;
            if (end == null && outcome == Outcome.COMPLETED && status == StepStatus.DONE && s.startedAt != null) {
                end = nextStart(step).orElse(finishedAt);
            }
            views.add(new StepView(step, status, s.startedAt, end, s.cleanup, detail(step)));
        }
        return views;
    }

    public StepView step(ReinstallStep step) {
        return steps().get(step.ordinal());
    }

    /** Stages 1 to 5. */
    public List<StageView> stages() {
        return IntStream.rangeClosed(1, 5).mapToObj(n -> new StageView(n, stageAt[n], stageObserved[n])).toList();
    }

    /** The highest installer stage reached, 0 before stage 1. */
    public int highestStage() {
        for (int n = 5; n >= 1; n--) {
            if (stageAt[n] != null) {
                return n;
            }
        }
        return 0;
    }

    /** The step in progress, if any. */
    public Optional<ReinstallStep> running() {
        return steps().stream().filter(s -> s.status() == StepStatus.RUNNING).map(StepView::step).reduce((a, b) -> b);
    }

    /** Settled steps of the nine, counting the stages of step 6 and the tasks of step 8 as parts: 0.0 to 1.0. */
    public double fraction() {
        if (outcome == Outcome.COMPLETED) {
            return 1.0;
        }
        double units = 0;
        for (StepView view : steps()) {
            if (view.status() == StepStatus.DONE || (view.status() == StepStatus.SKIPPED && outcome == null)) {
                units += 1;
            } else if (view.step() == ReinstallStep.INSTALLER_STAGES && (view.status() == StepStatus.RUNNING || view.status() == StepStatus.FAILED)) {
                // The stages reached stay reached: a failure does not take progress back.
                units += Math.max(0, highestStage() - 1) / 4.0;
            } else if (view.status() == StepStatus.RUNNING && view.step() == ReinstallStep.JENKINS_TASKS
                    && expectedTasks != null && !expectedTasks.isEmpty()) {
                units += Math.min(1.0, (completedTasks + skippedTasks.size()) / (double) expectedTasks.size());
            }
        }
        return Math.min(1.0, units / ReinstallStep.COUNT);
    }

    /** How many of the nine steps are settled as done or skipped. */
    public int stepsDone() {
        return (int) steps().stream().filter(s -> s.status() == StepStatus.DONE || s.status() == StepStatus.SKIPPED).count();
    }

    // ------------------------------------------------------------------ folding

    private boolean belongs(ReinstallEvent event) {
        String id = event.getReinstallId();
        if (event.getPayload() instanceof RequestRejected rejected && requestId != null) {
            return requestId.equals(rejected.getRequestId());
        }
        if (reinstallId != null) {
            return reinstallId.equals(id);
        }
        // Adopt only from an event that moves a reinstall: a release or a refusal may name an old one.
        if (id == null || id.equals(staleReinstallId) || event.getPayload() instanceof ServerReleased
                || event.getPayload() instanceof RequestRejected) {
            return false;
        }
        reinstallId = id;
        return true;
    }

    private boolean belongs(ReinstallCompletion completion) {
        if (requestId != null) {
            return requestId.equals(completion.getRequestId());
        }
        if (reinstallId != null) {
            return reinstallId.equals(completion.getReinstallId());
        }
        return !completion.getReinstallId().equals(staleReinstallId);
    }

    private boolean accepted(ActionAccepted accepted, Instant at) {
        ReinstallStep step = ReinstallStep.of(accepted.getAction());
        MutableStep s = get(step);
        if (step == ReinstallStep.BOOT_FROM_DISK
                && (compensating || s.status == StepStatus.DONE || (sawInstallProgress() && highestStage() < 5))) {
            startCleanup(at);
            restart(s, at);
            s.cleanup = true;
            return true;
        }
        if (step == ReinstallStep.CLEAR_PXE && (compensating || get(ReinstallStep.BOOT_FROM_DISK).cleanup)) {
            startCleanup(at);
            restart(s, at);
            s.cleanup = true;
            return true;
        }
        if (step == ReinstallStep.JENKINS_TASKS) {
            launchedTasks.add(accepted.getDetail() == null ? "task " + (launchedTasks.size() + 1) : accepted.getDetail());
        }
        if (step == ReinstallStep.CLEAR_PXE) {
            MutableStep jenkins = get(ReinstallStep.JENKINS_TASKS);
            if (launchedTasks.isEmpty() && jenkins.status == StepStatus.PENDING) {
                jenkins.status = StepStatus.SKIPPED;
            } else if (jenkins.status == StepStatus.RUNNING) {
                finish(ReinstallStep.JENKINS_TASKS, at);
            }
        }
        if ((step == ReinstallStep.BOOT_FROM_PXE || step == ReinstallStep.REBOOT) && s.status == StepStatus.DONE && highestStage() == 0) {
            // No stage 1 came after the reboot: the saga boots from PXE and reboots once more.
            restart(s, at);
            for (ReinstallStep later : List.of(ReinstallStep.REBOOT, ReinstallStep.INSTALL_STARTED)) {
                if (later.ordinal() > step.ordinal()) {
                    reset(get(later));
                }
            }
            return true;
        }
        if (s.status == StepStatus.DONE || s.status == StepStatus.FAILED) {
            return false;
        }
        settleEarlier(step, at);
        begin(step, at);
        return true;
    }

    /** Whether any of steps 1-6 was seen: without it, a watch that started late cannot tell cleanup. */
    private boolean sawInstallProgress() {
        for (ReinstallStep step : ReinstallStep.values()) {
            if (step.ordinal() <= ReinstallStep.INSTALLER_STAGES.ordinal() && get(step).status != StepStatus.PENDING) {
                return true;
            }
        }
        return false;
    }

    private boolean completed(AsyncActionKind action, Instant at) {
        ReinstallStep step = ReinstallStep.of(action);
        MutableStep s = get(step);
        if (step == ReinstallStep.JENKINS_TASKS) {
            completedTasks++;
            finishTasksIfAllDone(at);
            return true;
        }
        if (s.status == StepStatus.DONE || s.status == StepStatus.FAILED) {
            return false; // e.g. the reboot's callback after stage 1 already proved the reboot
        }
        if (!s.cleanup) {
            settleEarlier(step, at);
        }
        finish(step, at);
        if (s.cleanup) {
            return true;
        }
        switch (step) {
            case PXE_CONFIG -> begin(ReinstallStep.BOOT_FROM_PXE, at);
            case BOOT_FROM_PXE -> begin(ReinstallStep.REBOOT, at);
            case REBOOT -> begin(ReinstallStep.INSTALL_STARTED, at);
            case BOOT_FROM_DISK -> {
                if (expectedTasks != null && expectedTasks.isEmpty()) {
                    get(ReinstallStep.JENKINS_TASKS).status = StepStatus.SKIPPED;
                    begin(ReinstallStep.CLEAR_PXE, at);
                } else if (expectedTasks != null) {
                    begin(ReinstallStep.JENKINS_TASKS, at);
                }
            }
            default -> { }
        }
        return true;
    }

    private boolean stageReached(InstallStageReached reached, Instant at) {
        int n = Math.max(1, Math.min(5, reached.getStage()));
        if (stageAt[n] != null) {
            stageObserved[n] |= reached.getObserved();
            return false;
        }
        for (int k = 1; k < n; k++) {
            if (stageAt[k] == null) {
                stageAt[k] = at;
                stageObserved[k] = false;
            }
        }
        stageAt[n] = at;
        stageObserved[n] = reached.getObserved();
        settleEarlier(ReinstallStep.INSTALL_STARTED, at);
        begin(ReinstallStep.INSTALL_STARTED, at);
        finish(ReinstallStep.INSTALL_STARTED, stageAt[1]);
        begin(ReinstallStep.INSTALLER_STAGES, stageAt[1]);
        if (n == 5) {
            finish(ReinstallStep.INSTALLER_STAGES, at);
            begin(ReinstallStep.BOOT_FROM_DISK, at);
        }
        return true;
    }

    /** Compensation began: the step it interrupted failed (or, on a cancel, stopped). */
    private void startCleanup(Instant at) {
        if (compensating) {
            return;
        }
        compensating = true;
        for (ReinstallStep step : ReinstallStep.values()) {
            MutableStep s = get(step);
            if (s.status == StepStatus.RUNNING && !step.isCleanup()) {
                s.status = step == failedStep ? StepStatus.FAILED : StepStatus.SKIPPED;
                s.finishedAt = at;
            }
        }
    }

    private void finishTasksIfAllDone(Instant at) {
        if (expectedTasks != null && !expectedTasks.isEmpty() && completedTasks + skippedTasks.size() >= expectedTasks.size()
                && get(ReinstallStep.JENKINS_TASKS).status == StepStatus.RUNNING) {
            finish(ReinstallStep.JENKINS_TASKS, at);
            begin(ReinstallStep.CLEAR_PXE, at);
        }
    }

    /** Steps before {@code step} still open are done: a later step's event proves them. */
    private void settleEarlier(ReinstallStep step, Instant at) {
        if (compensating) {
            return;
        }
        for (ReinstallStep earlier : ReinstallStep.values()) {
            if (earlier.ordinal() >= step.ordinal()) {
                break;
            }
            MutableStep s = get(earlier);
            if (s.status == StepStatus.RUNNING) {
                finish(earlier, at);
            } else if (s.status == StepStatus.PENDING) {
                // Jenkins tasks never announced before clear PXE: there were none.
                s.status = earlier == ReinstallStep.JENKINS_TASKS && launchedTasks.isEmpty() ? StepStatus.SKIPPED : StepStatus.DONE;
                s.finishedAt = s.status == StepStatus.DONE ? at : null;
            }
        }
    }

    private void begin(ReinstallStep step, Instant at) {
        MutableStep s = get(step);
        if (s.status == StepStatus.PENDING) {
            s.status = StepStatus.RUNNING;
            s.startedAt = at;
        }
    }

    private void finish(ReinstallStep step, Instant at) {
        MutableStep s = get(step);
        if (s.status == StepStatus.PENDING || s.status == StepStatus.RUNNING) {
            if (s.startedAt == null) {
                s.startedAt = at;
            }
            s.status = StepStatus.DONE;
            s.finishedAt = at;
        }
    }

    private static void reset(MutableStep s) {
        s.status = StepStatus.PENDING;
        s.startedAt = null;
        s.finishedAt = null;
    }

    private static void restart(MutableStep s, Instant at) {
        s.status = StepStatus.RUNNING;
        s.startedAt = at;
        s.finishedAt = null;
    }

    /**
     * Fills steps never seen from the phases' entry times (the projector's {@code stepTimes}): a
     * step started when its first phase was entered and ended when a later step's began. After a
     * failure, the last step reached before cleanup is the one that failed.
     */
    private void fillSteps(Map<String, Instant> phaseTimes, boolean failed) {
        Map<ReinstallStep, Instant> starts = new EnumMap<>(ReinstallStep.class);
        putIfPresent(starts, ReinstallStep.REINSTALL_KEY, phaseTimes.get(ReinstallPhase.CREATING_REINSTALL_KEY.name()));
        putIfPresent(starts, ReinstallStep.PXE_CONFIG, phaseTimes.get(ReinstallPhase.CREATING_PXE_CONFIG.name()));
        putIfPresent(starts, ReinstallStep.BOOT_FROM_PXE, phaseTimes.get(ReinstallPhase.SETTING_BOOT_PXE.name()));
        putIfPresent(starts, ReinstallStep.REBOOT, phaseTimes.get(ReinstallPhase.REBOOTING.name()));
        putIfPresent(starts, ReinstallStep.INSTALL_STARTED, phaseTimes.get(ReinstallPhase.INSTALLING.name()));
        putIfPresent(starts, ReinstallStep.INSTALLER_STAGES, stageAt[1]);
        putIfPresent(starts, ReinstallStep.BOOT_FROM_DISK, phaseTimes.get(ReinstallPhase.SETTING_BOOT_DISK.name()));
        putIfPresent(starts, ReinstallStep.JENKINS_TASKS, phaseTimes.get(ReinstallPhase.LAUNCHING_JENKINS_TASK.name()));
        putIfPresent(starts, ReinstallStep.CLEAR_PXE, phaseTimes.get(ReinstallPhase.CLEARING_PXE_CONFIG.name()));
        if (admittedAt == null && phaseTimes.get(ReinstallPhase.CREATING_REINSTALL_KEY.name()) != null) {
            admittedAt = phaseTimes.get(ReinstallPhase.CREATING_REINSTALL_KEY.name());
        }
        // Clear PXE is the last step of every ending once a PXE config existed.
        Instant completedAt = Stream.of(ReinstallPhase.COMPLETED, ReinstallPhase.FAILED, ReinstallPhase.CANCELLED)
                .map(phase -> phaseTimes.get(phase.name())).filter(Objects::nonNull).findFirst().orElse(null);

        // Cleanup ran when the reinstall failed or was cancelled once a PXE config existed, or when
        // boot from disk began before the install reached stage 5.
        boolean cleanup = compensating || (starts.containsKey(ReinstallStep.BOOT_FROM_DISK) && stageAt[5] == null);
        ReinstallStep interrupted = null;
        if (cleanup) {
            if (failedStep != null) {
                interrupted = failedStep;
            } else if (stageAt[5] == null) {
                for (ReinstallStep step : ReinstallStep.values()) {
                    if (step.ordinal() < ReinstallStep.BOOT_FROM_DISK.ordinal() && starts.containsKey(step)) {
                        interrupted = step;
                    }
                }
            } else if (starts.containsKey(ReinstallStep.JENKINS_TASKS)) {
                interrupted = ReinstallStep.JENKINS_TASKS;
            }
        }
        boolean beforeDisk = interrupted != null && interrupted.ordinal() < ReinstallStep.BOOT_FROM_DISK.ordinal();
        for (ReinstallStep step : ReinstallStep.values()) {
            MutableStep s = get(step);
            Instant start = starts.get(step);
            if (s.status != StepStatus.PENDING || start == null) {
                continue;
            }
            boolean isCleanup = interrupted != null && step.isCleanup() && (beforeDisk || step == ReinstallStep.CLEAR_PXE);
            if (step == interrupted) {
                s.status = failed ? StepStatus.FAILED : StepStatus.SKIPPED;
                s.startedAt = start;
                continue;
            }
            if (beforeDisk && !isCleanup && step.ordinal() > interrupted.ordinal()) {
                continue;
            }
            Instant end = switch (step) {
                case INSTALL_STARTED -> stageAt[1];
                case INSTALLER_STAGES -> stageAt[5];
                case CLEAR_PXE -> completedAt;
                case BOOT_FROM_DISK -> isCleanup ? starts.get(ReinstallStep.CLEAR_PXE) : nextStart(starts, step);
                default -> nextStart(starts, step);
            };
            s.startedAt = start;
            s.cleanup = isCleanup;
            s.status = end == null ? StepStatus.RUNNING : StepStatus.DONE;
            s.finishedAt = end;
        }
        if (cleanup) {
            compensating = true;
        }
        if (starts.containsKey(ReinstallStep.CLEAR_PXE) && !starts.containsKey(ReinstallStep.JENKINS_TASKS)
                && get(ReinstallStep.JENKINS_TASKS).status == StepStatus.PENDING && !beforeDisk) {
            get(ReinstallStep.JENKINS_TASKS).status = StepStatus.SKIPPED;
        }
    }

    private static Instant nextStart(Map<ReinstallStep, Instant> starts, ReinstallStep step) {
        for (ReinstallStep later : ReinstallStep.values()) {
            if (later.ordinal() > step.ordinal() && starts.containsKey(later)) {
                return starts.get(later);
            }
        }
        return null;
    }

    private Optional<Instant> nextStart(ReinstallStep step) {
        for (ReinstallStep later : ReinstallStep.values()) {
            if (later.ordinal() > step.ordinal() && get(later).startedAt != null) {
                return Optional.of(get(later).startedAt);
            }
        }
        return Optional.empty();
    }

    private static void putIfPresent(Map<ReinstallStep, Instant> map, ReinstallStep step, Instant at) {
        if (at != null) {
            map.put(step, at);
        }
    }

    private String detail(ReinstallStep step) {
        return switch (step) {
            case INSTALLER_STAGES -> {
                StringBuilder stages = new StringBuilder("stages");
                for (int n = 1; n <= 5; n++) {
                    stages.append(' ').append(stageAt[n] == null ? "." : stageObserved[n] ? String.valueOf(n) : n + "*");
                }
                yield stages.toString();
            }
            case JENKINS_TASKS -> {
                if (expectedTasks == null && launchedTasks.isEmpty()) {
                    yield "";
                }
                if (expectedTasks != null && expectedTasks.isEmpty() && launchedTasks.isEmpty()) {
                    yield "none requested";
                }
                String total = expectedTasks == null ? "" : "/" + expectedTasks.size();
                // A completed reinstall ran every task it did not skip, whether or not this watch saw each callback.
                int done = outcome == Outcome.COMPLETED && expectedTasks != null
                        ? Math.max(completedTasks, expectedTasks.size() - skippedTasks.size()) : completedTasks;
                yield done + total + " done" + (skippedTasks.isEmpty() ? "" : ", " + skippedTasks.size() + " skipped")
                        + (launchedTasks.isEmpty() ? "" : ": " + String.join(", ", launchedTasks));
            }
            default -> get(step).cleanup ? "cleanup" : "";
        };
    }

    private EventDescription described(EventDescription description) {
        if (description.step().isPresent() && description.step().get().isCleanup() && get(description.step().get()).cleanup) {
            return new EventDescription(description.step(), description.text() + " (cleanup)", description.level());
        }
        return description;
    }

    private StepStatus status(ReinstallStep step) {
        return get(step).status;
    }

    private MutableStep get(ReinstallStep step) {
        return steps.get(step);
    }

    private static int parseStage(String stage) {
        try {
            return Integer.parseInt(stage);
        } catch (NumberFormatException notAStage) {
            return -1;
        }
    }

    private static final class MutableStep {
        StepStatus status = StepStatus.PENDING;
        Instant startedAt;
        Instant finishedAt;
        boolean cleanup;
    }
}
