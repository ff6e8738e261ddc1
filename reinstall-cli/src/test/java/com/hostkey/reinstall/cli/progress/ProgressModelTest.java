package com.hostkey.reinstall.cli.progress;

import com.hostkey.reinstall.schemas.ReinstallStep;
import static com.hostkey.reinstall.cli.Events.accepted;
import static com.hostkey.reinstall.cli.Events.actionFailed;
import static com.hostkey.reinstall.cli.Events.admitted;
import static com.hostkey.reinstall.cli.Events.at;
import static com.hostkey.reinstall.cli.Events.completed;
import static com.hostkey.reinstall.cli.Events.inferredStage;
import static com.hostkey.reinstall.cli.Events.keyCreated;
import static com.hostkey.reinstall.cli.Events.stage;
import static com.hostkey.reinstall.cli.Events.validated;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.Events;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.DeadlineKind;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressModelTest {

    private static final long SERVER = 1001;
    private final Events events = new Events(SERVER, "r-1", "req-1");

    private ProgressModel model(List<String> tasks) {
        return new ProgressModel(SERVER, "req-1", "r-1", tasks);
    }

    private static List<StepStatus> statuses(ProgressModel model) {
        return model.steps().stream().map(StepView::status).toList();
    }

    private static void applyAll(ProgressModel model, List<ReinstallEvent> events) {
        events.forEach(model::apply);
    }

    @Test
    void shouldMarkEveryStepDoneWithItsElapsedTimeWhenTheReinstallCompletes() {
        ProgressModel model = model(List.of("monitoring-agent"));
        applyAll(model, events.happyPath("monitoring-agent"));

        assertThat(statuses(model)).containsOnly(StepStatus.DONE);
        assertThat(model.isFinished()).isFalse();
        model.complete(events.completion(80, Events.completedOutcome("monitoring-agent")));

        assertThat(model.outcome()).contains(Outcome.COMPLETED);
        assertThat(model.outcome().get().exitCode()).isEqualTo(ExitCode.OK);
        assertThat(model.fraction()).isEqualTo(1.0);
        assertThat(model.stepsDone()).isEqualTo(9);
        assertThat(model.stages()).allSatisfy(s -> assertThat(s.observed()).isTrue());
        // ReinstallStep 1 ran from admission (1s) to the key (1.5s); step 2 from the key to the PXE callback (4s).
        assertThat(model.step(ReinstallStep.REINSTALL_KEY).elapsed(at(100))).isEqualTo(Duration.ofMillis(500));
        assertThat(model.step(ReinstallStep.PXE_CONFIG).elapsed(at(100))).isEqualTo(Duration.ofMillis(2500));
        // ReinstallStep 6 spans stages 1 to 5.
        assertThat(model.step(ReinstallStep.INSTALLER_STAGES).elapsed(at(100))).isEqualTo(Duration.ofSeconds(38));
        assertThat(model.step(ReinstallStep.JENKINS_TASKS).detail()).startsWith("1/1 done");
    }

    @Test
    void shouldShowTheRunningStepAndPartialProgressDuringTheInstall() {
        ProgressModel model = model(List.of());
        applyAll(model, events.throughInstall().subList(0, 11)); // up to stage 2

        assertThat(model.running()).contains(ReinstallStep.INSTALLER_STAGES);
        assertThat(model.highestStage()).isEqualTo(2);
        assertThat(statuses(model).subList(0, 5)).containsOnly(StepStatus.DONE);
        assertThat(model.fraction()).isBetween(5.0 / 9, 6.0 / 9);
        assertThat(model.step(ReinstallStep.INSTALLER_STAGES).elapsed(at(35))).isEqualTo(Duration.ofSeconds(15));
        assertThat(model.step(ReinstallStep.INSTALLER_STAGES).detail()).isEqualTo("stages 1 2 . . .");
    }

    @Test
    void shouldFillStagesTheCheckSkippedAsInferred() {
        ProgressModel model = model(List.of());
        applyAll(model, events.throughInstall().subList(0, 10)); // stage 1
        model.apply(events.event(45, inferredStage(2)));
        model.apply(events.event(45, stage(3)));
        model.apply(events.event(59, stage(5))); // 4 never reported

        List<StageView> stages = model.stages();
        assertThat(stages.get(1).observed()).isFalse();
        assertThat(stages.get(2).observed()).isTrue();
        assertThat(stages.get(3).reached()).isTrue();
        assertThat(stages.get(3).observed()).isFalse();
        assertThat(stages.get(3).reachedAt()).isEqualTo(at(59));
        assertThat(model.step(ReinstallStep.INSTALLER_STAGES).status()).isEqualTo(StepStatus.DONE);
        assertThat(model.step(ReinstallStep.INSTALLER_STAGES).detail()).isEqualTo("stages 1 2* 3 4* 5");
        assertThat(model.running()).contains(ReinstallStep.BOOT_FROM_DISK);
    }

    @Test
    void shouldReportADuplicatedEventOrStageOnce() {
        ProgressModel model = model(List.of());
        applyAll(model, events.throughInstall().subList(0, 10));
        ReinstallEvent stage2 = events.event(30, stage(2));

        assertThat(model.apply(stage2)).isPresent();
        assertThat(model.apply(stage2)).isEmpty(); // same event id
        assertThat(model.apply(events.again(stage2))).isEmpty(); // same fact, new id
        assertThat(model.stages().get(1).reachedAt()).isEqualTo(at(30));
    }

    @Test
    void shouldTakeStageOneAsProofOfTheRebootWhenItsCallbackComesLate() {
        ProgressModel model = model(List.of());
        applyAll(model, events.throughInstall().subList(0, 8)); // reboot accepted at 7s
        assertThat(model.running()).contains(ReinstallStep.REBOOT);

        model.apply(events.event(20, stage(1)));
        Optional<ProgressChange> lateCallback = model.apply(events.event(21, completed(AsyncActionKind.REBOOT)));

        assertThat(lateCallback).isEmpty();
        assertThat(model.step(ReinstallStep.REBOOT).status()).isEqualTo(StepStatus.DONE);
        assertThat(model.step(ReinstallStep.REBOOT).finishedAt()).isEqualTo(at(20));
        assertThat(model.step(ReinstallStep.INSTALL_STARTED).status()).isEqualTo(StepStatus.DONE);
    }

    @Test
    void shouldSettleEarlierStepsWhenTheWatchStartsLate() {
        ProgressModel model = ProgressModel.forServer(SERVER);
        model.apply(events.event(40, stage(3)));

        assertThat(model.reinstallId()).contains("r-1");
        assertThat(statuses(model).subList(0, 5)).containsOnly(StepStatus.DONE);
        assertThat(model.step(ReinstallStep.INSTALLER_STAGES).status()).isEqualTo(StepStatus.RUNNING);
        assertThat(model.stages().get(0).observed()).isFalse();
    }

    @Test
    void shouldRunStepsThreeAndFourAgainWhenNoStageOneCameAfterTheReboot() {
        ProgressModel model = model(List.of());
        applyAll(model, events.throughInstall().subList(0, 9)); // reboot done, waiting for stage 1
        model.apply(events.event(900, Events.deadline(ReinstallPhase.INSTALLING, DeadlineKind.FIRST_STAGE)));
        model.apply(events.event(901, accepted(AsyncActionKind.BOOT_FROM_PXE)));

        assertThat(model.step(ReinstallStep.BOOT_FROM_PXE).status()).isEqualTo(StepStatus.RUNNING);
        assertThat(model.step(ReinstallStep.REBOOT).status()).isEqualTo(StepStatus.PENDING);
        assertThat(model.step(ReinstallStep.INSTALL_STARTED).status()).isEqualTo(StepStatus.PENDING);
        assertThat(model.compensating()).isFalse();
    }

    @Test
    void shouldShowCleanupAndTheFailedStageWhenTheInstallFails() {
        ProgressModel model = model(List.of("agent"));
        applyAll(model, events.throughInstall().subList(0, 12)); // stage 3
        model.apply(events.event(45, Events.installFailed(3)));
        Optional<ProgressChange> cleanup = model.apply(events.event(46, accepted(AsyncActionKind.BOOT_FROM_DISK)));
        model.apply(events.event(47, completed(AsyncActionKind.BOOT_FROM_DISK)));
        model.apply(events.event(48, accepted(AsyncActionKind.CLEAR_PXE)));
        model.apply(events.event(49, completed(AsyncActionKind.CLEAR_PXE)));
        model.complete(events.completion(50, Events.failedOutcome(FailureKind.INSTALL_FAILED, ReinstallPhase.INSTALLING)));

        assertThat(cleanup.get().description().text()).endsWith("(cleanup)");
        assertThat(model.outcome()).contains(Outcome.FAILED);
        assertThat(model.outcome().get().exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(statuses(model)).containsExactly(StepStatus.DONE, StepStatus.DONE, StepStatus.DONE, StepStatus.DONE,
                StepStatus.DONE, StepStatus.FAILED, StepStatus.DONE, StepStatus.SKIPPED, StepStatus.DONE);
        assertThat(model.step(ReinstallStep.BOOT_FROM_DISK).cleanup()).isTrue();
        assertThat(model.step(ReinstallStep.CLEAR_PXE).cleanup()).isTrue();
        assertThat(model.outcomeDescription().get().text()).contains("FAILED in INSTALLING (INSTALL_FAILED)");
    }

    @Test
    void shouldMarkTheFailedStepFromTheCompletionWhenNoEventSaidSo() {
        ProgressModel model = model(List.of());
        applyAll(model, events.throughInstall().subList(0, 4)); // PXE config requested
        model.apply(events.event(5, Events.hostkeyFailed(HostkeyErrorClass.TRANSIENT)));
        model.apply(events.event(6, Events.retry(ReinstallPhase.CREATING_PXE_CONFIG)));
        model.complete(events.completion(7, Events.failedOutcome(FailureKind.DEADLINE, ReinstallPhase.AWAITING_PXE_CONFIG)));

        assertThat(model.retries()).isEqualTo(1);
        assertThat(model.step(ReinstallStep.PXE_CONFIG).status()).isEqualTo(StepStatus.FAILED);
        assertThat(statuses(model).subList(2, 9)).containsOnly(StepStatus.SKIPPED);
        assertThat(model.lastProblem().get().text()).contains("retry 2 of CREATING_PXE_CONFIG");
    }

    @Test
    void shouldShowACancelAsStoppedStepsAndCleanup() {
        ProgressModel model = model(List.of());
        applyAll(model, events.throughInstall().subList(0, 6)); // boot from PXE requested
        model.apply(events.event(6, accepted(AsyncActionKind.BOOT_FROM_DISK)));
        model.apply(events.event(7, completed(AsyncActionKind.BOOT_FROM_DISK)));
        model.apply(events.event(8, accepted(AsyncActionKind.CLEAR_PXE)));
        model.apply(events.event(9, completed(AsyncActionKind.CLEAR_PXE)));
        Optional<ProgressChange> end = model.complete(events.completion(9, Events.cancelledOutcome(ReinstallPhase.AWAITING_BOOT_PXE)));

        assertThat(end.get().finished()).isTrue();
        assertThat(model.outcome()).contains(Outcome.CANCELLED);
        assertThat(model.outcome().get().exitCode()).isEqualTo(ExitCode.CANCELLED);
        assertThat(model.step(ReinstallStep.BOOT_FROM_PXE).status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(model.step(ReinstallStep.BOOT_FROM_DISK).status()).isEqualTo(StepStatus.DONE);
        assertThat(model.step(ReinstallStep.BOOT_FROM_DISK).cleanup()).isTrue();
        assertThat(model.step(ReinstallStep.CLEAR_PXE).cleanup()).isTrue();
        assertThat(model.step(ReinstallStep.REBOOT).status()).isEqualTo(StepStatus.SKIPPED);
    }

    @Test
    void shouldShowARejectionAsFailedValidationWithNoStepRun() {
        ProgressModel model = model(List.of());
        model.apply(events.event(1, Events.validationFailed()));
        model.complete(events.completion(1, Events.rejectedOutcome(RejectionReason.INVALID_HOSTNAME)));

        assertThat(model.validation()).isEqualTo(StepStatus.FAILED);
        assertThat(model.outcome()).contains(Outcome.REJECTED);
        assertThat(model.outcome().get().exitCode()).isEqualTo(ExitCode.REJECTED);
        assertThat(statuses(model)).containsOnly(StepStatus.SKIPPED);
        assertThat(model.fraction()).isZero();
    }

    @Test
    void shouldFollowARefusalOfItsOwnRequestButNotOfAnother() {
        ProgressModel mine = model(List.of());
        Events other = new Events(SERVER, "r-other", "req-other");

        assertThat(mine.apply(other.event(1, other.requestRejected(RejectionReason.ALREADY_IN_PROGRESS)))).isEmpty();
        Events own = new Events(SERVER, "r-1", "req-1");
        assertThat(mine.apply(own.event(1, own.requestRejected(RejectionReason.ALREADY_IN_PROGRESS)))).isPresent();
        assertThat(mine.complete(other.completion(2, Events.rejectedOutcome(RejectionReason.ALREADY_IN_PROGRESS)))).isEmpty();
        assertThat(mine.complete(own.completion(2, Events.rejectedOutcome(RejectionReason.ALREADY_IN_PROGRESS)))).isPresent();
    }

    @Test
    void shouldIgnoreEventsOfAnotherReinstallOfTheSameServer() {
        ProgressModel model = model(List.of());
        Events other = new Events(SERVER, "r-2", "req-2");

        assertThat(model.apply(other.event(1, keyCreated()))).isEmpty();
        assertThat(model.apply(new Events(2002, "r-1", "req-1").event(1, keyCreated()))).isEmpty();
        assertThat(model.step(ReinstallStep.REINSTALL_KEY).status()).isEqualTo(StepStatus.PENDING);
    }

    @Test
    void shouldNotAdoptAFinishedReinstallFromAReleaseEvent() {
        ProgressModel model = ProgressModel.forServer(SERVER);
        Events old = new Events(SERVER, "r-old", "req-old");
        model.apply(old.event(1, Events.released()));
        model.apply(events.event(2, validated()));

        assertThat(model.reinstallId()).contains("r-1");
    }

    @Test
    void shouldFoldEventsThatArriveAfterTheCompletion() {
        ProgressModel model = model(List.of());
        List<ReinstallEvent> all = events.happyPath();
        applyAll(model, all.subList(0, all.size() - 1)); // clear PXE requested, its callback not yet seen
        model.complete(events.completion(70, Events.completedOutcome()));
        assertThat(model.step(ReinstallStep.CLEAR_PXE).finishedAt()).isEqualTo(at(70)); // from the completion

        model.apply(all.getLast());

        assertThat(model.step(ReinstallStep.CLEAR_PXE).finishedAt()).isEqualTo(all.getLast().getOccurredAt());
        assertThat(model.step(ReinstallStep.JENKINS_TASKS).status()).isEqualTo(StepStatus.SKIPPED);
    }

    @Test
    void shouldSkipAnOptionalTaskThatFailedAndCarryOn() {
        ProgressModel model = model(List.of("agent", "extras"));
        applyAll(model, events.throughInstall());
        model.apply(events.event(60, accepted(AsyncActionKind.BOOT_FROM_DISK)));
        model.apply(events.event(61, completed(AsyncActionKind.BOOT_FROM_DISK)));
        model.apply(events.event(62, accepted(AsyncActionKind.JENKINS_TASK, "agent")));
        model.apply(events.event(63, completed(AsyncActionKind.JENKINS_TASK)));
        model.apply(events.event(64, accepted(AsyncActionKind.JENKINS_TASK, "extras")));
        model.apply(events.event(65, actionFailed(AsyncActionKind.JENKINS_TASK, "exit 2")));
        assertThat(model.step(ReinstallStep.JENKINS_TASKS).status()).isEqualTo(StepStatus.FAILED);
        model.apply(events.event(65, Events.skipped("extras")));

        assertThat(model.step(ReinstallStep.JENKINS_TASKS).status()).isEqualTo(StepStatus.DONE);
        assertThat(model.step(ReinstallStep.JENKINS_TASKS).detail()).isEqualTo("1/2 done, 1 skipped: agent, extras");
        assertThat(model.running()).contains(ReinstallStep.CLEAR_PXE);
        assertThat(model.skippedTasks()).containsExactly("extras");
    }

    @Test
    void shouldSeedAReinstallUnderWayFromTheProjectorsState() throws Exception {
        ReinstallStateView view = ReinstallStateView.from(new ObjectMapper().readTree("""
                {"serverId": 1001, "reinstallId": "r-1", "requestId": "req-1", "phase": "INSTALLING", "installStage": 2,
                 "osName": "Ubuntu 22.04", "location": "NL", "jenkinsTasks": ["agent"], "optionalJenkinsTasks": [],
                 "requestedAt": "2026-11-24T10:00:00Z",
                 "stepTimes": {"VALIDATING": "2026-11-24T10:00:00Z", "QUEUED": "2026-11-24T10:00:00.500Z",
                   "CREATING_REINSTALL_KEY": "2026-11-24T10:00:01Z", "CREATING_PXE_CONFIG": "2026-11-24T10:00:01.500Z",
                   "AWAITING_PXE_CONFIG": "2026-11-24T10:00:02Z", "SETTING_BOOT_PXE": "2026-11-24T10:00:04Z",
                   "AWAITING_BOOT_PXE": "2026-11-24T10:00:05Z", "REBOOTING": "2026-11-24T10:00:06Z",
                   "INSTALLING": "2026-11-24T10:00:07Z"},
                 "stageTimes": {"1": "2026-11-24T10:00:20Z", "2": "2026-11-24T10:00:30Z"}}
                """));
        ProgressModel model = ProgressModel.forServer(SERVER);
        model.seed(view, false);

        assertThat(model.reinstallId()).contains("r-1");
        assertThat(model.validation()).isEqualTo(StepStatus.DONE);
        assertThat(statuses(model).subList(0, 5)).containsOnly(StepStatus.DONE);
        assertThat(model.running()).contains(ReinstallStep.INSTALLER_STAGES);
        assertThat(model.step(ReinstallStep.PXE_CONFIG).elapsed(at(100))).isEqualTo(Duration.ofMillis(2500));
        // Later events continue the seeded view.
        model.apply(events.event(40, stage(3)));
        assertThat(model.highestStage()).isEqualTo(3);
        assertThat(model.step(ReinstallStep.JENKINS_TASKS).detail()).startsWith("0/1 done");

        // The watch missed the task's callback; the completion still proves the task ran.
        model.complete(events.completion(80, Events.completedOutcome("agent")));
        assertThat(model.step(ReinstallStep.JENKINS_TASKS).detail()).startsWith("1/1 done");
    }

    @Test
    void shouldAdoptAFinishedReinstallOnlyWhenAsked() throws Exception {
        ReinstallStateView view = ReinstallStateView.from(new ObjectMapper().readTree("""
                {"serverId": 1001, "reinstallId": "r-0", "phase": "FAILED", "failureKind": "API_REJECTED",
                 "failurePhase": "AWAITING_PXE_CONFIG", "failureMessage": "CREATE_PXE failed: no such OS",
                 "cancelRequested": false, "finishedAt": "2026-11-24T10:00:09Z",
                 "stepTimes": {"CREATING_REINSTALL_KEY": "2026-11-24T10:00:01Z", "CREATING_PXE_CONFIG": "2026-11-24T10:00:02Z",
                   "AWAITING_PXE_CONFIG": "2026-11-24T10:00:03Z", "SETTING_BOOT_DISK": "2026-11-24T10:00:05Z",
                   "AWAITING_BOOT_DISK": "2026-11-24T10:00:06Z", "CLEARING_PXE_CONFIG": "2026-11-24T10:00:07Z",
                   "AWAITING_PXE_CLEARED": "2026-11-24T10:00:08Z", "FAILED": "2026-11-24T10:00:09Z"}}
                """));
        ProgressModel waiting = ProgressModel.forServer(SERVER);
        waiting.seed(view, false);
        assertThat(waiting.isFinished()).isFalse();
        assertThat(waiting.apply(new Events(SERVER, "r-0", "x").event(10, Events.released()))).isEmpty();

        ProgressModel finished = ProgressModel.forServer(SERVER);
        finished.seed(view, true);
        assertThat(finished.outcome()).contains(Outcome.FAILED);
        assertThat(finished.outcomeDescription().get().text()).isEqualTo("FAILED (API_REJECTED): CREATE_PXE failed: no such OS");
        assertThat(statuses(finished)).containsExactly(StepStatus.DONE, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.SKIPPED,
                StepStatus.SKIPPED, StepStatus.SKIPPED, StepStatus.DONE, StepStatus.SKIPPED, StepStatus.DONE);
        assertThat(finished.step(ReinstallStep.BOOT_FROM_DISK).cleanup()).isTrue();
    }

    @Test
    void shouldDescribeQueueAndAdmission() {
        ProgressModel model = model(List.of());
        model.apply(events.event(0.5, validated()));
        model.apply(events.event(0.6, Events.queued(3)));
        assertThat(model.queuePosition()).contains(3);
        Optional<ProgressChange> admission = model.apply(events.event(30, admitted()));

        assertThat(admission.get().description().line()).isEqualTo("    admitted");
        assertThat(model.queuePosition()).isEmpty();
        assertThat(model.running()).contains(ReinstallStep.REINSTALL_KEY);
        assertThat(model.osName()).contains("Ubuntu 22.04");
    }
}
