package com.hostkey.reinstall.projector.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.BootMedia;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.ClearPxeConfig;
import com.hostkey.reinstall.schemas.avro.CreatePxeConfig;
import com.hostkey.reinstall.schemas.avro.CreateReinstallKey;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.DeadlineKind;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.JenkinsTaskSkipped;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.StepExpired;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallQueued;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.ReleaseServer;
import com.hostkey.reinstall.schemas.avro.RequestRejected;
import com.hostkey.reinstall.schemas.avro.RunJenkinsTask;
import com.hostkey.reinstall.schemas.avro.ServerReleased;
import com.hostkey.reinstall.schemas.avro.SetBootDevice;
import com.hostkey.reinstall.schemas.avro.StepRetryScheduled;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Retries, deadlines, admission caps, quarantine and optional tasks, through the real topology. */
class ReinstallSagaTest extends ProjectorTopologyTestBase {

    @Test
    void shouldRetryATransientFailureAfterBackoffWithANewCommandId() {
        driveToCreatePxe();
        StepCommand first = nextCommand(CreatePxeConfig.class);
        answer(first, failure(HostkeyErrorClass.TRANSIENT, "eq/create_pxe", "HTTP 503"));

        assertThat(drainEventPayloads()).hasAtLeastOneElementOfType(StepRetryScheduled.class);
        assertThat(commandsOut.isEmpty()).as("no retry before the backoff").isTrue();
        advance(Duration.ofSeconds(13)); // first backoff: 10 s +-20%

        StepCommand retry = nextCommand(CreatePxeConfig.class);
        assertThat(retry.getCommandId()).isEqualTo(first.getCommandId() + ":attempt-2");
        assertThat(state().getAttempts()).containsEntry("CREATING_PXE_CONFIG", 2);
        acceptAndComplete(retry, AsyncActionKind.CREATE_PXE, "pxe-key");
        assertThat(nextCommand(SetBootDevice.class).getPayload()).extracting("media").isEqualTo(BootMedia.PXE);
    }

    @Test
    void shouldRetryNoSoonerThanHostkeyAsked() {
        driveToCreatePxe();
        StepCommand first = nextCommand(CreatePxeConfig.class);
        answer(first, HostkeyCallFailed.newBuilder(failure(HostkeyErrorClass.TRANSIENT, "eq/create_pxe", "HTTP 429"))
                .setRetryAfterMillis(120_000L).build());

        assertThat(state().getRetryAt()).isEqualTo(clock.plusSeconds(120));
        advance(Duration.ofSeconds(100)); // far past the saga's own backoff (10 s +-20%)
        assertThat(commandsOut.isEmpty()).as("no retry before Hostkey's Retry-After").isTrue();
        advance(Duration.ofSeconds(25));
        assertThat(nextCommand(CreatePxeConfig.class).getCommandId()).isEqualTo(first.getCommandId() + ":attempt-2");
    }

    @Test
    void shouldFailAtOnceWhenHostkeyAsksToWaitPastTheReinstallsDeadline() {
        driveToCreatePxe();
        long pastDeadline = SAGA.wholeReinstall().plusHours(1).toMillis();
        answer(nextCommand(CreatePxeConfig.class), HostkeyCallFailed.newBuilder(
                failure(HostkeyErrorClass.TRANSIENT, "eq/create_pxe", "HTTP 503")).setRetryAfterMillis(pastDeadline).build());

        assertThat(state().getRetryAt()).isNull();
        assertThat(state().getFailureMessage()).contains("asked to wait", "past the reinstall's deadline");
        assertThat(nextCommand(SetBootDevice.class).getPayload()).as("cleanup begins: a PXE config may exist")
                .extracting("media").isEqualTo(BootMedia.DISK);
    }

    @Test
    void shouldIssueEveryStepWithHalfItsAnswerTimeToStartAndRetryOneThatArrivedTooLate() {
        driveToCreatePxe();
        StepCommand first = nextCommand(CreatePxeConfig.class);
        assertThat(first.getNotAfter()).isEqualTo(first.getIssuedAt().plus(SAGA.commandAnswer().dividedBy(2)));

        answer(first, StepExpired.newBuilder().setCall("eq/create_pxe").setNotAfter(first.getNotAfter())
                .setMessage("late").build());

        assertThat(drainEventPayloads()).hasAtLeastOneElementOfType(StepRetryScheduled.class);
        advance(Duration.ofSeconds(13));
        StepCommand retry = nextCommand(CreatePxeConfig.class);
        assertThat(retry.getCommandId()).isNotEqualTo(first.getCommandId());
        assertThat(retry.getNotAfter()).isAfter(first.getNotAfter());
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.CREATING_PXE_CONFIG);
    }

    @Test
    void shouldHoldADueDeadlineWhileTheTaskReadsABacklogThatMaySettleIt() {
        long other = SERVER + 1;
        submit(SERVER, "req-a", List.of(), List.of());
        StepCommand validateA = nextCommand(ValidateReinstall.class);
        submit(other, "req-b", List.of(), List.of());
        StepCommand validateB = nextCommand(ValidateReinstall.class);
        Instant answeredAt = clock.plusSeconds(3);
        advance(SAGA.commandAnswer().minusSeconds(2));

        // The projector stalled: both answers were written within seconds and are read only now, one by
        // one. The first is old (a backlog); the second server's deadline passes before its answer is read.
        eventsIn.pipeInput(KEY, event(validateA.getReinstallId(), validateA.getCommandId(), validated()), answeredAt);
        advance(Duration.ofSeconds(2));
        assertThat(stateOf(other).getDeadlineAt()).as("due").isBeforeOrEqualTo(clock);
        assertThat(drainEventPayloads()).as("no deadline fires while the backlog is read").noneMatch(DeadlineExceeded.class::isInstance);

        eventsIn.pipeInput(String.valueOf(other), event(validateB.getReinstallId(), validateB.getCommandId(), validated()), answeredAt);
        advance(Duration.ofSeconds(5));
        assertThat(drainEventPayloads()).noneMatch(DeadlineExceeded.class::isInstance);
        assertThat(drainCommands()).extracting(c -> c.getPayload().getClass().getSimpleName())
                .containsExactly("CreateReinstallKey", "CreateReinstallKey");
    }

    @Test
    void shouldGiveTheNextCommandItsFullAnswerTimeFromTheWallClockWhenItsCauseIsReadLate() {
        submit("req-1", List.of());
        answer(nextCommand(ValidateReinstall.class), validated());
        StepCommand createKey = nextCommand(CreateReinstallKey.class);
        advance(Duration.ofSeconds(100));
        // The handler's answer was written 100 s ago and is read only now, as after a projector restart.
        eventsIn.pipeInput(KEY, event(createKey.getReinstallId(), createKey.getCommandId(),
                ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build()), clock.minusSeconds(100));

        nextCommand(CreatePxeConfig.class);
        assertThat(state().getDeadlineKind()).isEqualTo(DeadlineKind.COMMAND_ANSWER);
        assertThat(state().getDeadlineAt()).isEqualTo(clock.plus(SAGA.commandAnswer()));
        advance(SAGA.commandAnswer().minusSeconds(10));
        assertThat(drainEventPayloads()).as("the handler still has 10 s to answer").noneMatch(DeadlineExceeded.class::isInstance);
        advance(Duration.ofSeconds(20));
        assertThat(drainEventPayloads()).anyMatch(p -> p instanceof DeadlineExceeded d && d.getDeadline() == DeadlineKind.COMMAND_ANSWER);
    }

    @Test
    void shouldGiveUpAfterTheLastAttemptAndCleanUp() {
        driveToCreatePxe();
        StepCommand command = nextCommand(CreatePxeConfig.class);
        for (int attempt = 1; attempt < SAGA.maxAttempts(); attempt++) {
            answer(command, failure(HostkeyErrorClass.TRANSIENT, "eq/create_pxe", "HTTP 503"));
            advance(SAGA.maxRetryBackoff().plusSeconds(60));
            command = nextCommand(CreatePxeConfig.class);
        }
        answer(command, failure(HostkeyErrorClass.TRANSIENT, "eq/create_pxe", "HTTP 503"));

        StepCommand cleanup = nextCommand(SetBootDevice.class);
        assertThat(((SetBootDevice) cleanup.getPayload()).getMedia()).isEqualTo(BootMedia.DISK);
        finishCleanup(cleanup);
        ReinstallFailed failed = (ReinstallFailed) completionsOut.readValue().getOutcome();
        assertThat(failed.getKind()).isEqualTo(FailureKind.API_REJECTED);
        assertThat(failed.getPhase()).isEqualTo(ReinstallPhase.CREATING_PXE_CONFIG);
    }

    @Test
    void shouldFailAtOnceOnAWrongPinWithoutRetrying() {
        driveToCreatePxe();
        acceptAndComplete(nextCommand(CreatePxeConfig.class), AsyncActionKind.CREATE_PXE, "pxe-key");
        answer(nextCommand(SetBootDevice.class), failure(HostkeyErrorClass.WRONG_PIN, "eq/boot_dev", "wrong PIN code"));

        assertThat(drainEventPayloads()).noneMatch(StepRetryScheduled.class::isInstance);
        StepCommand cleanup = nextCommand(SetBootDevice.class);
        assertThat(cleanup.getCommandId()).endsWith(":cleanup");
        finishCleanup(cleanup);
        assertThat(((ReinstallFailed) completionsOut.readValue().getOutcome()).getKind()).isEqualTo(FailureKind.AUTH);
    }

    @Test
    void shouldClearAndRecreateThePxeConfigAtMostTwiceWhenCreatePxeIsAmbiguous() {
        driveToCreatePxe();
        StepCommand first = nextCommand(CreatePxeConfig.class);
        StepCommand again = first;
        for (int reset = 1; reset <= ReinstallStateMachine.MAX_PXE_RESETS; reset++) {
            answer(again, failure(HostkeyErrorClass.AMBIGUOUS, "eq/create_pxe", "read timeout"));
            StepCommand clear = nextCommand(ClearPxeConfig.class);
            assertThat(clear.getCommandId()).contains(":reset-" + reset);
            acceptAndComplete(clear, AsyncActionKind.CLEAR_PXE, "reset-key-" + reset);
            again = nextCommand(CreatePxeConfig.class);
            assertThat(again.getCommandId()).isEqualTo(first.getCommandId() + ":after-reset-" + reset);
        }

        answer(again, failure(HostkeyErrorClass.AMBIGUOUS, "eq/create_pxe", "read timeout"));
        finishCleanup(nextCommand(SetBootDevice.class));
        ReinstallFailed failed = (ReinstallFailed) completionsOut.readValue().getOutcome();
        assertThat(failed.getPhase()).isEqualTo(ReinstallPhase.CREATING_PXE_CONFIG);
        assertThat(failed.getKind()).as("Hostkey did not refuse anything: the outcome stayed unknown")
                .isEqualTo(FailureKind.OUTCOME_UNKNOWN);
    }

    @Test
    void shouldCreateThePxeConfigAgainWhenTheResetFindsNothingToClear() {
        driveToCreatePxe();
        StepCommand first = nextCommand(CreatePxeConfig.class);
        // A handler died with create_pxe in flight: its successor answers AMBIGUOUS; the call never reached Hostkey.
        answer(first, failure(HostkeyErrorClass.AMBIGUOUS, "eq/create_pxe", "outcome unknown"));
        StepCommand reset = nextCommand(ClearPxeConfig.class);
        answer(reset, failure(HostkeyErrorClass.UNKNOWN_HOSTNAME, "eq/clear_pxe", "rejected: eq/clear_pxe: hostname does not match server 1001"));

        StepCommand again = nextCommand(CreatePxeConfig.class);
        assertThat(again.getCommandId()).isEqualTo(first.getCommandId() + ":after-reset-1");
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.CREATING_PXE_CONFIG);
        assertThat(completionsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldStillFailWhenClearPxeIsRefusedForAnotherReason() {
        driveToCreatePxe();
        answer(nextCommand(CreatePxeConfig.class), failure(HostkeyErrorClass.AMBIGUOUS, "eq/create_pxe", "outcome unknown"));
        answer(nextCommand(ClearPxeConfig.class), failure(HostkeyErrorClass.REJECTED, "eq/clear_pxe", "rejected: server is locked"));
        assertThat(drainCommands()).noneMatch(c -> c.getPayload() instanceof CreatePxeConfig);
    }

    @Test
    void shouldMoveOnAtOnceWhenHostkeyFinishesAnActionInItsAnswer() {
        driveToCreatePxe();
        answer(nextCommand(CreatePxeConfig.class), doneAtOnce(AsyncActionKind.CREATE_PXE));
        assertThat(state().getPendingCallbackKey()).as("nothing to poll").isNull();
        answer(nextCommand(SetBootDevice.class), doneAtOnce(AsyncActionKind.BOOT_FROM_PXE));
        answer(nextCommand(RebootServer.class), doneAtOnce(AsyncActionKind.REBOOT));
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.INSTALLING);
        assertThat(state().getDeadlineKind()).as("the install's first stage is still awaited").isEqualTo(DeadlineKind.FIRST_STAGE);
        for (int stage = 1; stage <= 5; stage++) {
            poller(stage(stage));
        }
        answer(nextCommand(SetBootDevice.class), doneAtOnce(AsyncActionKind.BOOT_FROM_DISK));
        answer(nextCommand(ClearPxeConfig.class), doneAtOnce(AsyncActionKind.CLEAR_PXE));

        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.COMPLETED);
        assertThat(completionsOut.readValue().getOutcome()).isInstanceOf(ReinstallCompleted.class);
        assertThat(state().getPhaseTimes()).containsKeys("AWAITING_PXE_CONFIG", "AWAITING_BOOT_PXE", "AWAITING_BOOT_DISK",
                "AWAITING_PXE_CLEARED");
    }

    @Test
    void shouldIgnoreADoneAtOnceThatAnswersNoCommandOfItsOwn() {
        driveToCreatePxe();
        StepCommand createPxe = nextCommand(CreatePxeConfig.class);
        answer(createPxe, doneAtOnce(AsyncActionKind.BOOT_FROM_DISK));
        assertThat(state().getPhase()).as("another action's answer").isEqualTo(ReinstallPhase.CREATING_PXE_CONFIG);
        poller(com.hostkey.reinstall.schemas.avro.ActionCompleted.newBuilder().setAction(AsyncActionKind.CREATE_PXE).build());
        assertThat(state().getPhase()).as("no command id: not an answer").isEqualTo(ReinstallPhase.CREATING_PXE_CONFIG);
    }

    private static com.hostkey.reinstall.schemas.avro.ActionCompleted doneAtOnce(AsyncActionKind action) {
        return com.hostkey.reinstall.schemas.avro.ActionCompleted.newBuilder().setAction(action).setCallbackKey(null).build();
    }

    @Test
    void shouldNeverRepeatAnAmbiguousRebootAndLetStageOneDecide() {
        driveToReboot();
        answer(nextCommand(RebootServer.class), failure(HostkeyErrorClass.AMBIGUOUS, "eq/reboot", "read timeout"));

        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.INSTALLING);
        assertThat(commandsOut.isEmpty()).isTrue();
        poller(stage(1));
        assertThat(state().getInstallStage()).isEqualTo(1);
        assertThat(drainCommands()).noneMatch(c -> c.getPayload() instanceof RebootServer);
    }

    @Test
    void shouldBootFromPxeAndRebootOnceMoreWhenNoStageOneArrivesThenFail() {
        driveToReboot();
        answer(nextCommand(RebootServer.class), accepted(AsyncActionKind.REBOOT, "reboot-key"));
        advance(SAGA.firstStage().plusSeconds(2));

        assertThat(drainEventPayloads()).anyMatch(p -> p instanceof DeadlineExceeded d && d.getDeadline() == DeadlineKind.FIRST_STAGE);
        StepCommand bootPxeAgain = nextCommand(SetBootDevice.class);
        assertThat(((SetBootDevice) bootPxeAgain.getPayload()).getMedia()).isEqualTo(BootMedia.PXE);
        assertThat(bootPxeAgain.getCommandId()).contains("pxe-round-2");
        acceptAndComplete(bootPxeAgain, AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key-2");
        answer(nextCommand(RebootServer.class), accepted(AsyncActionKind.REBOOT, "reboot-key-2"));
        advance(SAGA.firstStage().plusSeconds(2));

        StepCommand cleanup = nextCommand(SetBootDevice.class);
        assertThat(((SetBootDevice) cleanup.getPayload()).getMedia()).isEqualTo(BootMedia.DISK);
        finishCleanup(cleanup);
        ReinstallFailed failed = (ReinstallFailed) completionsOut.readValue().getOutcome();
        assertThat(failed.getKind()).isEqualTo(FailureKind.DEADLINE);
        assertThat(failed.getPhase()).isEqualTo(ReinstallPhase.INSTALLING);
        assertThat(failed.getMessage()).contains("did not catch PXE");
    }

    @Test
    void shouldFailWithADeadlineWhenTheInstallStallsAtAStage() {
        driveToReboot();
        answer(nextCommand(RebootServer.class), accepted(AsyncActionKind.REBOOT, "reboot-key"));
        poller(stage(1));
        poller(stage(2));
        advance(SAGA.nextStage().minusSeconds(30));
        assertThat(commandsOut.isEmpty()).as("not yet due").isTrue();
        advance(Duration.ofSeconds(40));

        assertThat(drainEventPayloads()).anyMatch(p -> p instanceof DeadlineExceeded d && d.getDeadline() == DeadlineKind.NEXT_STAGE);
        finishCleanup(nextCommand(SetBootDevice.class));
        ReinstallFailed failed = (ReinstallFailed) completionsOut.readValue().getOutcome();
        assertThat(failed.getKind()).isEqualTo(FailureKind.DEADLINE);
    }

    @Test
    void shouldEndTheWholeReinstallAtItsDeadlineEvenWhileStagesTrickleIn() {
        driveToReboot();
        answer(nextCommand(RebootServer.class), accepted(AsyncActionKind.REBOOT, "reboot-key"));
        advance(Duration.ofMinutes(10));
        poller(stage(1));
        for (int stage = 2; stage <= 4; stage++) {
            advance(SAGA.nextStage().minusMinutes(5)); // each stage within its own deadline
            poller(stage(stage));
        }
        assertThat(drainEventPayloads()).noneMatch(DeadlineExceeded.class::isInstance);
        advance(Duration.ofMinutes(10)); // 95 minutes in all

        assertThat(drainEventPayloads()).anyMatch(p -> p instanceof DeadlineExceeded d && d.getDeadline() == DeadlineKind.WHOLE_REINSTALL);
        finishCleanup(nextCommand(SetBootDevice.class));
        assertThat(((ReinstallFailed) completionsOut.readValue().getOutcome()).getKind()).isEqualTo(FailureKind.DEADLINE);
    }

    @Test
    void shouldQueueBeyondTheFleetCapAndAdmitInArrivalOrder() {
        start(new AdmissionSettings(1, 10, Map.of()));
        for (long server : List.of(1001L, 1002L, 1003L)) {
            submit(server, "req-" + server, List.of(), List.of());
        }
        for (StepCommand validate : drainCommands()) {
            answer(validate, validated());
        }
        assertThat(nextCommand(CreateReinstallKey.class).getServerId()).isEqualTo(1001);
        assertThat(stateOf(1002).getPhase()).isEqualTo(ReinstallPhase.QUEUED);
        assertThat(stateOf(1002).getQueuePosition()).isEqualTo(1);
        assertThat(stateOf(1003).getQueuePosition()).isEqualTo(2);
        assertThat(commandsOut.isEmpty()).isTrue();

        upstreamFor(1001, CancelReinstall.newBuilder().setReason("make room").build());

        assertThat(stateOf(1001).getPhase()).isEqualTo(ReinstallPhase.CANCELLED);
        StepCommand admitted = nextCommand(CreateReinstallKey.class);
        assertThat(admitted.getServerId()).isEqualTo(1002);
        assertThat(stateOf(1003).getPhase()).isEqualTo(ReinstallPhase.QUEUED);
        assertThat(commandsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldCapEachLocationWithoutHoldingUpOthers() {
        start(new AdmissionSettings(10, 1, Map.of()));
        submit(1001, "a", List.of(), List.of());
        submit(1002, "b", List.of(), List.of());
        submit(1003, "c", List.of(), List.of());
        List<StepCommand> validations = drainCommands();
        answer(validations.get(0), validatedIn("NL"));
        answer(validations.get(1), validatedIn("NL"));
        answer(validations.get(2), validatedIn("US"));

        assertThat(drainCommands()).extracting(StepCommand::getServerId).containsExactly(1001L, 1003L);
        assertThat(stateOf(1002).getPhase()).isEqualTo(ReinstallPhase.QUEUED);
        assertThat(drainEventPayloads()).hasAtLeastOneElementOfType(ReinstallQueued.class).hasAtLeastOneElementOfType(AdmissionGranted.class);
    }

    @Test
    void shouldFailAReinstallThatWaitsInTheQueueTooLong() {
        start(new AdmissionSettings(1, 10, Map.of()));
        submit(1001, "a", List.of(), List.of());
        submit(1002, "b", List.of(), List.of());
        for (StepCommand validate : drainCommands()) {
            answer(validate, validated());
        }
        nextCommand(CreateReinstallKey.class);
        answer(commandFor(1001), ReinstallKeyCreated.newBuilder().setReinstallKey("k").build());
        drainCommands();

        advance(SAGA.admissionWait().plusSeconds(1));
        assertThat(stateOf(1002).getPhase()).isEqualTo(ReinstallPhase.FAILED);
        assertThat(stateOf(1002).getFailureKind()).isEqualTo(FailureKind.DEADLINE);
    }

    @Test
    void shouldQuarantineAServerAfterFailuresInARowUntilAnOperatorReleasesIt() {
        for (int i = 1; i <= SAGA.quarantineAfter(); i++) {
            submit("req-" + i, List.of());
            answer(nextCommand(ValidateReinstall.class), validated());
            answer(nextCommand(CreateReinstallKey.class), failure(HostkeyErrorClass.REJECTED, "eq/reinstall", "server busy"));
            assertThat(state().getPhase()).isEqualTo(ReinstallPhase.FAILED);
        }
        completionsOut.readValuesToList();

        submit("req-next", List.of());
        ReinstallRejected refused = (ReinstallRejected) completionsOut.readValue().getOutcome();
        assertThat(refused.getReason()).isEqualTo(RejectionReason.QUARANTINED);
        assertThat(drainEventPayloads()).anyMatch(p -> p instanceof RequestRejected r && r.getReason() == RejectionReason.QUARANTINED);
        assertThat(commandsOut.isEmpty()).isTrue();

        upstreamFor(SERVER, ReleaseServer.newBuilder().setReason("disk replaced").build());
        assertThat(drainEventPayloads()).hasAtLeastOneElementOfType(ServerReleased.class);
        submit("req-after-release", List.of());
        nextCommand(ValidateReinstall.class);
    }

    @Test
    void shouldNotQuarantineAServerForItsAccountsFaults() {
        for (int i = 1; i <= SAGA.quarantineAfter() + 1; i++) {
            submit("req-" + i, List.of());
            answer(nextCommand(ValidateReinstall.class), validated());
            HostkeyCallFailed accountFault = i % 2 == 0
                    ? failure(HostkeyErrorClass.WRONG_PIN, "eq/reinstall", "wrong PIN code")
                    : failure(HostkeyErrorClass.AUTH, "auth/login", "no credentials configured for account 'default'");
            answer(nextCommand(CreateReinstallKey.class), accountFault);
            assertThat(state().getPhase()).isEqualTo(ReinstallPhase.FAILED);
            assertThat(state().getFailureKind()).isEqualTo(FailureKind.AUTH);
        }
        assertThat(state().getConsecutiveFailures()).isZero();
        completionsOut.readValuesToList();

        submit("req-next", List.of());
        assertThat(nextCommand(ValidateReinstall.class)).as("not quarantined").isNotNull();
    }

    @Test
    void shouldNotQuarantineForACleanupTheAccountsLockStopped() {
        driveToCreatePxe();
        answer(nextCommand(CreatePxeConfig.class), failure(HostkeyErrorClass.AUTH, "eq/create_pxe", "account locked"));
        answer(nextCommand(SetBootDevice.class), failure(HostkeyErrorClass.AUTH, "eq/boot_dev", "account locked"));

        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.FAILED);
        assertThat(state().getFailureKind()).isEqualTo(FailureKind.COMPENSATION_FAILED);
        assertThat(state().getFaultOutsideServer()).isTrue();
        assertThat(state().getConsecutiveFailures()).isZero();
    }

    @Test
    void shouldQuarantineForACleanupThatFailedAfterTheServersOwnFailure() {
        driveToCreatePxe();
        answer(nextCommand(CreatePxeConfig.class), failure(HostkeyErrorClass.REJECTED, "eq/create_pxe", "disk controller error"));
        answer(nextCommand(SetBootDevice.class), failure(HostkeyErrorClass.AUTH, "eq/boot_dev", "account locked"));

        assertThat(state().getFailureKind()).isEqualTo(FailureKind.COMPENSATION_FAILED);
        assertThat(state().getConsecutiveFailures()).as("the server failed first").isEqualTo(1);
    }

    @Test
    void shouldSkipAFailedOptionalTaskButFailOnARequiredOne() {
        submit(SERVER, "req-1", List.of("monitoring-agent"), List.of("gpu-drivers"));
        driveFromValidationToBootDisk();
        acceptAndComplete(nextCommand(RunJenkinsTask.class), AsyncActionKind.JENKINS_TASK, "task-1");
        StepCommand optional = nextCommand(RunJenkinsTask.class);
        assertThat(((RunJenkinsTask) optional.getPayload()).getTaskId()).isEqualTo("gpu-drivers");
        answer(optional, accepted(AsyncActionKind.JENKINS_TASK, "task-2"));
        poller(ActionFailed.newBuilder().setAction(AsyncActionKind.JENKINS_TASK).setCallbackKey("task-2").setReason("no GPU found").build());

        assertThat(drainEventPayloads()).anyMatch(p -> p instanceof JenkinsTaskSkipped s && s.getTaskId().equals("gpu-drivers"));
        acceptAndComplete(nextCommand(ClearPxeConfig.class), AsyncActionKind.CLEAR_PXE, "clear-key");
        ReinstallCompletion completion = completionsOut.readValue();
        assertThat(completion.getOutcome()).isInstanceOf(ReinstallCompleted.class);
        assertThat(completion.getSkippedJenkinsTasks()).containsExactly("gpu-drivers");
    }

    @Test
    void shouldCleanUpAndFailThePostInstallWhenARequiredTaskFails() {
        submit(SERVER, "req-1", List.of("monitoring-agent"), List.of());
        driveFromValidationToBootDisk();
        StepCommand task = nextCommand(RunJenkinsTask.class);
        answer(task, accepted(AsyncActionKind.JENKINS_TASK, "task-1"));
        poller(ActionFailed.newBuilder().setAction(AsyncActionKind.JENKINS_TASK).setCallbackKey("task-1").setReason("ansible failed").build());

        StepCommand cleanup = nextCommand(SetBootDevice.class);
        assertThat(cleanup.getCommandId()).endsWith(":cleanup");
        finishCleanup(cleanup);
        ReinstallFailed failed = (ReinstallFailed) completionsOut.readValue().getOutcome();
        assertThat(failed.getKind()).isEqualTo(FailureKind.POST_INSTALL_FAILED);
        assertThat(failed.getPhase()).isEqualTo(ReinstallPhase.AWAITING_JENKINS_TASK);
    }

    @Test
    void shouldReportACleanupThatCannotFinishAsCompensationFailed() {
        driveToReboot();
        answer(nextCommand(RebootServer.class), failure(HostkeyErrorClass.REJECTED, "eq/reboot", "locked"));
        StepCommand bootDisk = nextCommand(SetBootDevice.class);
        answer(bootDisk, accepted(AsyncActionKind.BOOT_FROM_DISK, "boot-disk-key"));
        advance(SAGA.actionCallback().plusSeconds(1));

        ReinstallFailed failed = (ReinstallFailed) completionsOut.readValue().getOutcome();
        assertThat(failed.getKind()).isEqualTo(FailureKind.COMPENSATION_FAILED);
        assertThat(failed.getMessage()).contains("locked").contains("cleanup failed");
        assertThat(state().getConsecutiveFailures()).isEqualTo(1);
    }

    @ParameterizedTest(name = "cancel in {0}")
    @EnumSource(value = ReinstallPhase.class, names = {"VALIDATING", "CREATING_REINSTALL_KEY", "CREATING_PXE_CONFIG",
            "AWAITING_PXE_CONFIG", "SETTING_BOOT_PXE", "AWAITING_BOOT_PXE", "REBOOTING", "INSTALLING", "SETTING_BOOT_DISK",
            "AWAITING_BOOT_DISK", "LAUNCHING_JENKINS_TASK", "AWAITING_JENKINS_TASK", "CLEARING_PXE_CONFIG", "AWAITING_PXE_CLEARED"})
    void shouldEndCancelledFromEveryPhaseAndCleanUpWhenAPxeConfigMayExist(ReinstallPhase phase) {
        submit(SERVER, "req-cancel", List.of("monitoring-agent"), List.of());
        List<StepCommand> beforeCancel = new java.util.ArrayList<>();
        while (state().getPhase() != phase) {
            beforeCancel.addAll(stepOnce());
        }
        List<StepCommand> stillInFlight = drainCommands(); // issued before the cancel, still to be answered
        inFlight.addAll(stillInFlight);
        beforeCancel.addAll(stillInFlight);
        upstreamFor(SERVER, CancelReinstall.newBuilder().setReason("table test").build());
        List<StepCommand> afterCancel = new java.util.ArrayList<>();
        for (int guard = 0; !ReinstallStateMachine.isTerminal(state().getPhase()) && guard < 60; guard++) {
            afterCancel.addAll(stepOnce());
        }

        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.CANCELLED);
        assertThat(completionsOut.readValuesToList()).hasSize(1);
        assertThat(afterCancel).as("nothing that installs after the cancel")
                .noneMatch(c -> c.getPayload() instanceof CreatePxeConfig || c.getPayload() instanceof RebootServer
                        || (c.getPayload() instanceof SetBootDevice b && b.getMedia() == BootMedia.PXE));
        List<StepCommand> all = new java.util.ArrayList<>(beforeCancel);
        all.addAll(afterCancel);
        int lastInstallStep = -1;
        int lastClear = -1;
        for (int i = 0; i < all.size(); i++) {
            Object payload = all.get(i).getPayload();
            if (payload instanceof CreatePxeConfig || payload instanceof RebootServer
                    || (payload instanceof SetBootDevice b && b.getMedia() == BootMedia.PXE)) {
                lastInstallStep = i;
            }
            if (payload instanceof ClearPxeConfig) {
                lastClear = i;
            }
        }
        if (lastInstallStep >= 0) {
            assertThat(lastClear).as("clear_pxe after the last step that could leave a PXE config, cancel in %s", phase)
                    .isGreaterThan(lastInstallStep);
        }
    }

    private final java.util.ArrayDeque<StepCommand> inFlight = new java.util.ArrayDeque<>();

    /**
     * Plays the handler and the poller for one step: answers the oldest command in flight with
     * success, else completes the awaited callback, else reports the next installer stage. Returns
     * the commands the saga issued since the last call.
     */
    private List<StepCommand> stepOnce() {
        List<StepCommand> issued = drainCommands();
        inFlight.addAll(issued);
        StepCommand command = inFlight.poll();
        if (command != null) {
            Object answer = switch (command.getPayload()) {
                case ValidateReinstall v -> validated();
                case CreateReinstallKey c -> ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build();
                case CreatePxeConfig c -> accepted(AsyncActionKind.CREATE_PXE, "k-" + command.getCommandId());
                case SetBootDevice b -> accepted(b.getMedia() == BootMedia.PXE ? AsyncActionKind.BOOT_FROM_PXE : AsyncActionKind.BOOT_FROM_DISK,
                        "k-" + command.getCommandId());
                case RebootServer r -> accepted(AsyncActionKind.REBOOT, "k-" + command.getCommandId());
                case RunJenkinsTask t -> accepted(AsyncActionKind.JENKINS_TASK, "k-" + command.getCommandId());
                default -> accepted(AsyncActionKind.CLEAR_PXE, "k-" + command.getCommandId());
            };
            answer(command, answer);
            return issued;
        }
        var state = state();
        if (state.getPendingCallbackKey() != null && state.getPhase() != ReinstallPhase.INSTALLING) {
            AsyncActionKind action = switch (state.getPhase()) {
                case AWAITING_PXE_CONFIG -> AsyncActionKind.CREATE_PXE;
                case AWAITING_BOOT_PXE -> AsyncActionKind.BOOT_FROM_PXE;
                case AWAITING_BOOT_DISK -> AsyncActionKind.BOOT_FROM_DISK;
                case AWAITING_JENKINS_TASK -> AsyncActionKind.JENKINS_TASK;
                default -> AsyncActionKind.CLEAR_PXE;
            };
            poller(com.hostkey.reinstall.schemas.avro.ActionCompleted.newBuilder().setAction(action)
                    .setCallbackKey(state.getPendingCallbackKey()).build());
        } else if (state.getPhase() == ReinstallPhase.INSTALLING) {
            poller(stage(state.getInstallStage() + 1));
        }
        return issued;
    }

    // ------------------------------------------------------------------ helpers

    private void driveToCreatePxe() {
        submit("req-1", List.of());
        answer(nextCommand(ValidateReinstall.class), validated());
        answer(nextCommand(CreateReinstallKey.class), ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());
    }

    private void driveFromValidationToBootDisk() {
        answer(nextCommand(ValidateReinstall.class), validated());
        answer(nextCommand(CreateReinstallKey.class), ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());
        acceptAndComplete(nextCommand(CreatePxeConfig.class), AsyncActionKind.CREATE_PXE, "pxe-key");
        acceptAndComplete(nextCommand(SetBootDevice.class), AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key");
        answer(nextCommand(RebootServer.class), accepted(AsyncActionKind.REBOOT, "reboot-key"));
        for (int stage = 1; stage <= 5; stage++) {
            poller(stage(stage));
        }
        acceptAndComplete(nextCommand(SetBootDevice.class), AsyncActionKind.BOOT_FROM_DISK, "boot-disk-key");
    }

    private void finishCleanup(StepCommand bootDisk) {
        acceptAndComplete(bootDisk, AsyncActionKind.BOOT_FROM_DISK, "cleanup-boot-disk-key");
        acceptAndComplete(nextCommand(ClearPxeConfig.class), AsyncActionKind.CLEAR_PXE, "cleanup-clear-key");
    }

    private StepCommand commandFor(long server) {
        return StepCommand.newBuilder()
                .setCommandId(stateOf(server).getPendingCommandId())
                .setServerId(server)
                .setReinstallId(stateOf(server).getReinstallId())
                .setIssuedAt(clock)
                .setNotAfter(clock.plusSeconds(60))
                .setPayload(CreateReinstallKey.newBuilder().setAccount("default").build())
                .build();
    }

    private static HostkeyCallFailed failure(HostkeyErrorClass error, String call, String message) {
        return HostkeyCallFailed.newBuilder().setCall(call).setErrorClass(error).setMessage(message).build();
    }

    private static ReinstallValidated validatedIn(String location) {
        return ReinstallValidated.newBuilder().setOsName("Ubuntu 22.04").setServerType("bm").setLocation(location).build();
    }
}
