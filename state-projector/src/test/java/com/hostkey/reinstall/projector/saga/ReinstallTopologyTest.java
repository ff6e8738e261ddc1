package com.hostkey.reinstall.projector.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.BootMedia;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.ClearPxeConfig;
import com.hostkey.reinstall.schemas.avro.CreatePxeConfig;
import com.hostkey.reinstall.schemas.avro.CreateReinstallKey;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.PollTargets;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.ReleaseServer;
import com.hostkey.reinstall.schemas.avro.RequestRejected;
import com.hostkey.reinstall.schemas.avro.RequestDuplicate;
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
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The saga's main paths through the real topology. */
class ReinstallTopologyTest extends ProjectorTopologyTestBase {

    @Test
    void shouldDriveTheHappyPathThroughAllNineStepsAndCompleteOnce() {
        submit("req-1", List.of("gpu-drivers"));

        StepCommand validate = nextCommand(ValidateReinstall.class);
        answer(validate, validated());
        StepCommand createKey = nextCommand(CreateReinstallKey.class);
        answer(createKey, ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());

        StepCommand createPxe = nextCommand(CreatePxeConfig.class);
        CreatePxeConfig pxe = (CreatePxeConfig) createPxe.getPayload();
        assertThat(pxe.getReinstallKey()).isEqualTo("master-key");
        assertThat(pxe.getRootPassword()).as("carried as it came, never opened").isEqualTo(sealed());
        acceptAndComplete(createPxe, AsyncActionKind.CREATE_PXE, "pxe-key");

        StepCommand bootPxe = nextCommand(SetBootDevice.class);
        assertThat(((SetBootDevice) bootPxe.getPayload()).getMedia()).isEqualTo(BootMedia.PXE);
        acceptAndComplete(bootPxe, AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key");

        StepCommand reboot = nextCommand(RebootServer.class);
        answer(reboot, accepted(AsyncActionKind.REBOOT, "reboot-key"));
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.INSTALLING);
        assertThat(lastPollTargets().getKeys()).extracting(k -> k.getKey()).containsExactlyInAnyOrder("master-key", "reboot-key");
        poller(ActionCompleted.newBuilder().setAction(AsyncActionKind.REBOOT).setCallbackKey("reboot-key").build());
        for (int stage = 1; stage <= 4; stage++) {
            poller(stage(stage));
            assertThat(state().getInstallStage()).isEqualTo(stage);
            assertThat(commandsOut.isEmpty()).isTrue();
        }
        poller(stage(5));

        StepCommand bootDisk = nextCommand(SetBootDevice.class);
        assertThat(((SetBootDevice) bootDisk.getPayload()).getMedia()).isEqualTo(BootMedia.DISK);
        acceptAndComplete(bootDisk, AsyncActionKind.BOOT_FROM_DISK, "boot-disk-key");
        StepCommand jenkins = nextCommand(RunJenkinsTask.class);
        assertThat(((RunJenkinsTask) jenkins.getPayload()).getTaskId()).isEqualTo("gpu-drivers");
        acceptAndComplete(jenkins, AsyncActionKind.JENKINS_TASK, "jenkins-key");
        StepCommand clear = nextCommand(ClearPxeConfig.class);
        acceptAndComplete(clear, AsyncActionKind.CLEAR_PXE, "clear-key");

        List<ReinstallCompletion> completions = completionsOut.readValuesToList();
        assertThat(completions).hasSize(1);
        assertThat(completions.get(0).getOutcome()).isInstanceOf(ReinstallCompleted.class);
        assertThat(completions.get(0).getStageTimes()).containsOnlyKeys("1", "2", "3", "4", "5");
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.COMPLETED);
        assertThat(state().getRootPassword()).as("sealed secrets leave the state at the end").isNull();
        assertThat(state().getIgnoredEvents()).isZero();
        assertThat(lastPollTargetsRecordIsTombstone()).isTrue();
        assertThat(commandsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldSendAndBillTheLicencesValidationConfirmedForAnOsLicensedPerCore() {
        submitLicensed("req-1", 201, 12);
        StepCommand validate = nextCommand(ValidateReinstall.class);
        assertThat(((ValidateReinstall) validate.getPayload()).getLicences()).isEqualTo(12);
        answer(validate, ReinstallValidated.newBuilder(validated()).setOsName("Windows Server 2022").setLicences(12).build());
        answer(nextCommand(CreateReinstallKey.class), ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());

        StepCommand createPxe = nextCommand(CreatePxeConfig.class);
        assertThat(((CreatePxeConfig) createPxe.getPayload()).getLicences()).as("sent with create_pxe").isEqualTo(12);
        finishFrom(createPxe);

        ReinstallCompletion completion = completionsOut.readValue();
        assertThat(completion.getOutcome()).isInstanceOf(ReinstallCompleted.class);
        assertThat(completion.getLicences()).as("on the billing record").isEqualTo(12);
    }

    @Test
    void shouldNeitherSendNorBillLicencesForAnOsValidationFoundNotLicensed() {
        submitLicensed("req-1", 101, 8);
        answer(nextCommand(ValidateReinstall.class), validated());
        answer(nextCommand(CreateReinstallKey.class), ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());

        StepCommand createPxe = nextCommand(CreatePxeConfig.class);
        assertThat(((CreatePxeConfig) createPxe.getPayload()).getLicences()).isNull();
        finishFrom(createPxe);

        assertThat(completionsOut.readValue().getLicences()).isNull();
    }

    @Test
    void shouldBillNoLicencesForARequestRejectedInValidation() {
        submitLicensed("req-1", 201, 10);
        answer(nextCommand(ValidateReinstall.class), ValidationFailed.newBuilder().setReason(RejectionReason.INVALID_LICENCE_COUNT)
                .setField("licences").setMessage("this server has 12 cores and each needs a licence; got 10").build());

        ReinstallCompletion completion = completionsOut.readValue();
        assertThat(completion.getOutcome()).isInstanceOf(ReinstallRejected.class);
        assertThat(completion.getLicences()).isNull();
    }

    private void submitLicensed(String requestId, long osId, int licences) {
        commandsIn.pipeInput(KEY, upstream(ReinstallServer.newBuilder()
                .setRequestId(requestId)
                .setOsId(osId)
                .setHostname("srv" + SERVER + ".example.net")
                .setRootPassword(sealed())
                .setLicences(licences)
                .build()), tick());
    }

    /** Takes a reinstall from its create_pxe step to the end, every action answered at once. */
    private void finishFrom(StepCommand createPxe) {
        acceptAndComplete(createPxe, AsyncActionKind.CREATE_PXE, "pxe-key");
        acceptAndComplete(nextCommand(SetBootDevice.class), AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key");
        answer(nextCommand(RebootServer.class), accepted(AsyncActionKind.REBOOT, "reboot-key"));
        poller(ActionCompleted.newBuilder().setAction(AsyncActionKind.REBOOT).setCallbackKey("reboot-key").build());
        for (int stage = 1; stage <= 5; stage++) {
            poller(stage(stage));
        }
        acceptAndComplete(nextCommand(SetBootDevice.class), AsyncActionKind.BOOT_FROM_DISK, "boot-disk-key");
        acceptAndComplete(nextCommand(ClearPxeConfig.class), AsyncActionKind.CLEAR_PXE, "clear-key");
    }

    @Test
    void shouldAcknowledgeARepeatedRequestOnceAndRejectANewRequestForABusyServer() {
        submit("req-1", List.of());
        nextCommand(ValidateReinstall.class);
        submit("req-1", List.of());
        assertThat(commandsOut.isEmpty()).as("the same request starts nothing new").isTrue();
        assertThat(completionsOut.isEmpty()).isTrue();

        submit("req-2", List.of());
        ReinstallCompletion rejection = completionsOut.readValue();
        assertThat(rejection.getRequestId()).isEqualTo("req-2");
        assertThat(((ReinstallRejected) rejection.getOutcome()).getReason()).isEqualTo(RejectionReason.ALREADY_IN_PROGRESS);
        assertThat(state().getRequestId()).isEqualTo("req-1");
        assertThat(commandsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldRefuseAPlaintextPasswordBeforeStoringOrSendingIt() {
        commandsIn.pipeInput(KEY, upstream(ReinstallServer.newBuilder().setRequestId("plain").setOsId(101)
                .setHostname("srv.example.net").setRootPassword("Plain7%Password").build()), tick());

        ReinstallCompletion rejection = completionsOut.readValue();
        assertThat(((ReinstallRejected) rejection.getOutcome()).getReason()).isEqualTo(RejectionReason.PLAINTEXT_PASSWORD);
        assertThat(((ReinstallRejected) rejection.getOutcome()).getMessage()).contains("rootPassword is not sealed")
                .doesNotContain("Plain7%Password");
        assertThat(commandsOut.isEmpty()).as("no step carries it to the handler").isTrue();
        assertThat(state().getPhase()).as("the refusal is remembered").isEqualTo(ReinstallPhase.REJECTED);
        assertThat(state().getRootPassword()).as("no state holds it").isNull();
        assertThat(state().toString()).doesNotContain("Plain7%Password");

        drainEventPayloads();
        commandsIn.pipeInput(KEY, upstream(ReinstallServer.newBuilder().setRequestId("plain").setOsId(101)
                .setHostname("srv.example.net").setRootPassword("Plain7%Password").build()), tick());
        assertThat(drainEventPayloads()).as("a replay is a duplicate").singleElement().isInstanceOf(RequestDuplicate.class);
        assertThat(completionsOut.isEmpty()).as("one completion per request id").isTrue();

        commandsIn.pipeInput(KEY, upstream(ReinstallServer.newBuilder().setRequestId("plain-script").setOsId(101)
                .setHostname("srv.example.net").setRootPassword(sealed()).setPostInstallScript("#!/bin/sh\necho hi\n").build()), tick());
        assertThat(((ReinstallRejected) completionsOut.readValue().getOutcome()).getReason()).isEqualTo(RejectionReason.UNSEALABLE_SECRET);
        assertThat(commandsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldRouteARequestByTheServerInItsPayloadWhenItCameWithoutAKey() {
        commandsIn.pipeInput((String) null, upstream(ReinstallServer.newBuilder()
                .setRequestId("keyless").setOsId(101).setHostname("srv.example.net").setRootPassword(sealed()).build()), tick());

        nextCommand(ValidateReinstall.class);
        assertThat(state().getRequestId()).isEqualTo("keyless");
    }

    @Test
    void shouldAcknowledgeARequestIdSeenBeforeWithoutASecondReinstallOrCompletion() {
        submit("req-1", List.of());
        answer(nextCommand(ValidateReinstall.class), ValidationFailed.newBuilder()
                .setReason(RejectionReason.OS_NOT_OFFERED).setMessage("no such OS").build());
        submit("req-2", List.of());
        nextCommand(ValidateReinstall.class);
        commandsIn.pipeInput(KEY, upstream(CancelReinstall.newBuilder().build()), tick());
        assertThat(completionsOut.readValuesToList()).extracting(ReinstallCompletion::getRequestId).containsExactly("req-1", "req-2");
        drainEventPayloads();

        submit("req-1", List.of()); // an older request redelivered after a newer one
        submit("req-2", List.of());

        assertThat(commandsOut.isEmpty()).as("a request seen before starts nothing").isTrue();
        assertThat(completionsOut.isEmpty()).as("and gets no second terminal record").isTrue();
        assertThat(drainEventPayloads()).hasSize(2).allSatisfy(p -> assertThat(p).isInstanceOf(RequestDuplicate.class))
                .extracting(p -> ((RequestDuplicate) p).getRequestId()).containsExactly("req-1", "req-2");
        assertThat(state().getRequestId()).isEqualTo("req-2");
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.CANCELLED);

        submit("req-3", List.of());
        nextCommand(ValidateReinstall.class);
        assertThat(state().getSeenRequests()).containsKeys("req-1", "req-2", "req-3");
    }

    @Test
    void shouldRefuseACancelThatNamesAnotherRequestAndLeaveTheRunningReinstallAlone() {
        submit("req-1", List.of());
        nextCommand(ValidateReinstall.class);
        drainEventPayloads();

        commandsIn.pipeInput(KEY, upstream(CancelReinstall.newBuilder().setTargetRequestId("req-0").build()), tick());

        RequestRejected refusal = (RequestRejected) drainEventPayloads().getFirst();
        assertThat(refusal.getReason()).isEqualTo(RejectionReason.NOT_CURRENT);
        assertThat(refusal.getRequestId()).isEqualTo("req-0");
        assertThat(state().getCancelRequested()).isFalse();
        assertThat(completionsOut.isEmpty()).isTrue();

        commandsIn.pipeInput(KEY, upstream(CancelReinstall.newBuilder().setTargetRequestId("req-1").build()), tick());
        assertThat(completionsOut.readValue().getOutcome()).isInstanceOf(ReinstallCancelled.class);

        commandsIn.pipeInput(KEY, upstream(ReleaseServer.newBuilder().setTargetRequestId("req-0").build()), tick());
        assertThat(drainEventPayloads()).anySatisfy(p -> assertThat(p).isInstanceOfSatisfying(RequestRejected.class,
                r -> assertThat(r.getReason()).isEqualTo(RejectionReason.NOT_CURRENT)));
    }

    @Test
    void shouldRefuseARequestPublishedUnderAnotherServersKey() {
        commandsIn.pipeInput("9999", upstream(ReinstallServer.newBuilder()
                .setRequestId("misaddressed").setOsId(101).setHostname("srv.example.net").setRootPassword(sealed()).build()), tick());

        ReinstallCompletion refusal = completionsOut.readKeyValue().value;
        assertThat(((ReinstallRejected) refusal.getOutcome()).getReason()).isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(((ReinstallRejected) refusal.getOutcome()).getMessage()).contains("9999").contains("1001");
        assertThat(store.get("9999")).isNull();
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.REJECTED);
        assertThat(state().getFailureMessage()).contains("9999");
        assertThat(state().getRootPassword()).isNull();
        assertThat(commandsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldNeverCompleteARequestIdTwiceWhenItsMisaddressedCopyWasRefused() {
        ReinstallServer request = ReinstallServer.newBuilder()
                .setRequestId("order-7").setOsId(101).setHostname("srv.example.net").setRootPassword(sealed()).build();
        commandsIn.pipeInput("9999", upstream(request), tick());
        ReinstallCompletion refusal = completionsOut.readValue();
        drainEventPayloads();

        commandsIn.pipeInput(KEY, upstream(request), tick());

        assertThat(drainEventPayloads()).singleElement().isInstanceOfSatisfying(RequestDuplicate.class,
                d -> assertThat(d.getReinstallId()).isEqualTo(refusal.getReinstallId()));
        assertThat(completionsOut.isEmpty()).isTrue();
        assertThat(commandsOut.isEmpty()).isTrue();
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.REJECTED);
    }

    @Test
    void shouldRememberAMisaddressedRequestBesideTheServersCurrentReinstall() {
        submit("req-1", List.of());
        StepCommand validate = nextCommand(ValidateReinstall.class);
        ReinstallServer misaddressed = ReinstallServer.newBuilder()
                .setRequestId("order-8").setOsId(101).setHostname("srv.example.net").setRootPassword(sealed()).build();
        commandsIn.pipeInput("9999", upstream(misaddressed), tick());
        assertThat(((ReinstallRejected) completionsOut.readValue().getOutcome()).getReason()).isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.VALIDATING);
        assertThat(state().getRequestId()).isEqualTo("req-1");

        answer(validate, ValidationFailed.newBuilder()
                .setReason(RejectionReason.OS_NOT_OFFERED).setField("osId").setMessage("OS 999 is not offered").build());
        completionsOut.readValue();
        drainEventPayloads();
        commandsIn.pipeInput(KEY, upstream(misaddressed), tick());

        assertThat(drainEventPayloads()).singleElement().isInstanceOf(RequestDuplicate.class);
        assertThat(completionsOut.isEmpty()).isTrue();
        assertThat(commandsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldRejectWithTheValidationReasonAndTouchNothing() {
        submit("req-1", List.of());
        answer(nextCommand(ValidateReinstall.class), ValidationFailed.newBuilder()
                .setReason(RejectionReason.OS_NOT_OFFERED).setField("osId").setMessage("OS 999 is not offered").build());

        ReinstallRejected rejected = (ReinstallRejected) completionsOut.readValue().getOutcome();
        assertThat(rejected.getReason()).isEqualTo(RejectionReason.OS_NOT_OFFERED);
        assertThat(rejected.getField()).isEqualTo("osId");
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.REJECTED);
        assertThat(commandsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldIgnoreAndCountEventsThatAnswerNothingItWaitsFor() {
        submit("req-1", List.of());
        StepCommand validate = nextCommand(ValidateReinstall.class);
        eventsIn.pipeInput(KEY, event(validate.getReinstallId(), "some-other-command", validated()), tick());
        eventsIn.pipeInput(KEY, event("another-reinstall", validate.getCommandId(), validated()), tick());
        poller(stage(3));

        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.VALIDATING);
        assertThat(state().getIgnoredEvents()).isEqualTo(3);
        assertThat(commandsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldBootFromDiskAndClearPxeBeforeFailingWhenARebootIsRejected() {
        driveToReboot();
        StepCommand reboot = nextCommand(RebootServer.class);
        answer(reboot, HostkeyCallFailed.newBuilder().setCall("eq/reboot").setErrorClass(HostkeyErrorClass.REJECTED)
                .setMessage("eq/reboot: server is locked").build());

        StepCommand bootDisk = nextCommand(SetBootDevice.class);
        assertThat(((SetBootDevice) bootDisk.getPayload()).getMedia()).isEqualTo(BootMedia.DISK);
        assertThat(bootDisk.getCommandId()).endsWith(":cleanup");
        acceptAndComplete(bootDisk, AsyncActionKind.BOOT_FROM_DISK, "boot-disk-key");
        acceptAndComplete(nextCommand(ClearPxeConfig.class), AsyncActionKind.CLEAR_PXE, "clear-key");

        ReinstallFailed failed = (ReinstallFailed) completionsOut.readValue().getOutcome();
        assertThat(failed.getKind()).isEqualTo(FailureKind.API_REJECTED);
        assertThat(failed.getPhase()).isEqualTo(ReinstallPhase.REBOOTING);
        assertThat(failed.getMessage()).contains("server is locked");
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.FAILED);
        assertThat(completionsOut.isEmpty()).isTrue();
    }

    @Test
    void shouldCleanUpAtOnceWhenCancelledDuringTheInstall() {
        driveToReboot();
        answer(nextCommand(RebootServer.class), accepted(AsyncActionKind.REBOOT, "reboot-key"));
        poller(stage(2));
        commandsIn.pipeInput(KEY, upstream(CancelReinstall.newBuilder().setReason("customer changed mind").build()), tick());

        StepCommand bootDisk = nextCommand(SetBootDevice.class);
        assertThat(((SetBootDevice) bootDisk.getPayload()).getMedia()).isEqualTo(BootMedia.DISK);
        poller(stage(3)); // the install's late progress changes nothing any more
        acceptAndComplete(bootDisk, AsyncActionKind.BOOT_FROM_DISK, "boot-disk-key");
        acceptAndComplete(nextCommand(ClearPxeConfig.class), AsyncActionKind.CLEAR_PXE, "clear-key");

        ReinstallCancelled cancelled = (ReinstallCancelled) completionsOut.readValue().getOutcome();
        assertThat(cancelled.getReason()).isEqualTo("customer changed mind");
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.CANCELLED);
    }

    @Test
    void shouldEndAtOnceWhenCancelledBeforeAnyPxeConfigExists() {
        submit("req-1", List.of());
        nextCommand(ValidateReinstall.class);
        commandsIn.pipeInput(KEY, upstream(CancelReinstall.newBuilder().build()), tick());

        assertThat(completionsOut.readValue().getOutcome()).isInstanceOf(ReinstallCancelled.class);
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.CANCELLED);
        assertThat(commandsOut.isEmpty()).isTrue();
    }
}
