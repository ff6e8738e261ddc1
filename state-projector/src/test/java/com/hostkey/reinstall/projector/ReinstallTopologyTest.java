package com.hostkey.reinstall.projector;

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
import com.hostkey.reinstall.schemas.avro.SealedSecret;
import com.hostkey.reinstall.schemas.avro.SetBootDevice;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.nio.ByteBuffer;
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

/** The projector's topology, driven record by record, from the same factory production uses. */
class ReinstallTopologyTest {

    private static final long SERVER = 1001;
    private static final String KEY = String.valueOf(SERVER);

    static final SagaSettings SAGA = SagaSettings.defaults();

    private TopologyTestDriver driver;
    private TestInputTopic<String, ReinstallCommand> commandsIn;
    private TestInputTopic<String, ReinstallEvent> eventsIn;
    private TestOutputTopic<String, ReinstallCommand> commandsOut;
    private TestOutputTopic<String, PollTargets> pollTargetsOut;
    private TestOutputTopic<String, ReinstallCompletion> completionsOut;
    private TestOutputTopic<String, ReinstallEvent> eventsOut;
    private KeyValueStore<String, ReinstallState> store;
    private Instant clock = Instant.parse("2026-11-24T10:00:00Z");

    @BeforeEach
    void setUp() {
        start(AdmissionSettings.defaults());
    }

    /** (Re)builds the driver from the production factory, with the given caps. */
    private void start(AdmissionSettings admission) {
        if (driver != null) {
            driver.close();
        }
        ReinstallTopics topics = ReinstallTopics.create(
                Map.of(AvroSerde.SCHEMA_REGISTRY_URL, SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID()));
        Properties props = new ProjectorConfig("unused:9092", "mock://unused", "projector-test", "/tmp/unused", "127.0.0.1", 0, 1,
                SAGA, admission, Duration.ofSeconds(1)).streamsConfig(8083);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/projector-ttd-" + UUID.randomUUID());
        driver = new TopologyTestDriver(ReinstallTopology.build(topics, SAGA, admission, Duration.ofSeconds(1)), props, clock);
        commandsIn = driver.createInputTopic(topics.commands.name(), Serdes.String().serializer(), topics.commands.valueSerde().serializer());
        eventsIn = driver.createInputTopic(topics.events.name(), Serdes.String().serializer(), topics.events.valueSerde().serializer());
        commandsOut = driver.createOutputTopic(topics.commands.name(), Serdes.String().deserializer(), topics.commands.valueSerde().deserializer());
        pollTargetsOut = driver.createOutputTopic(topics.pollTargets.name(), Serdes.String().deserializer(),
                topics.pollTargets.valueSerde().deserializer());
        completionsOut = driver.createOutputTopic(topics.completions.name(), Serdes.String().deserializer(),
                topics.completions.valueSerde().deserializer());
        eventsOut = driver.createOutputTopic(topics.events.name(), Serdes.String().deserializer(), topics.events.valueSerde().deserializer());
        store = driver.getKeyValueStore(ReinstallTopology.STATE_STORE);
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldDriveTheHappyPathThroughAllNineStepsAndCompleteOnce() {
        submit("req-1", List.of("gpu-drivers"));

        ReinstallCommand validate = nextCommand(ValidateReinstall.class);
        answer(validate, validated());
        ReinstallCommand createKey = nextCommand(CreateReinstallKey.class);
        answer(createKey, ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());

        ReinstallCommand createPxe = nextCommand(CreatePxeConfig.class);
        CreatePxeConfig pxe = (CreatePxeConfig) createPxe.getPayload();
        assertThat(pxe.getReinstallKey()).isEqualTo("master-key");
        assertThat(pxe.getRootPassword().getKeyId()).isEqualTo("k1");
        acceptAndComplete(createPxe, AsyncActionKind.CREATE_PXE, "pxe-key");

        ReinstallCommand bootPxe = nextCommand(SetBootDevice.class);
        assertThat(((SetBootDevice) bootPxe.getPayload()).getMedia()).isEqualTo(BootMedia.PXE);
        acceptAndComplete(bootPxe, AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key");

        ReinstallCommand reboot = nextCommand(RebootServer.class);
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

        ReinstallCommand bootDisk = nextCommand(SetBootDevice.class);
        assertThat(((SetBootDevice) bootDisk.getPayload()).getMedia()).isEqualTo(BootMedia.DISK);
        acceptAndComplete(bootDisk, AsyncActionKind.BOOT_FROM_DISK, "boot-disk-key");
        ReinstallCommand jenkins = nextCommand(RunJenkinsTask.class);
        assertThat(((RunJenkinsTask) jenkins.getPayload()).getTaskId()).isEqualTo("gpu-drivers");
        acceptAndComplete(jenkins, AsyncActionKind.JENKINS_TASK, "jenkins-key");
        ReinstallCommand clear = nextCommand(ClearPxeConfig.class);
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
        ReinstallCommand validate = nextCommand(ValidateReinstall.class);
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
        ReinstallCommand reboot = nextCommand(RebootServer.class);
        answer(reboot, HostkeyCallFailed.newBuilder().setCall("eq/reboot").setErrorClass(HostkeyErrorClass.REJECTED)
                .setMessage("eq/reboot: server is locked").build());

        ReinstallCommand bootDisk = nextCommand(SetBootDevice.class);
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

        ReinstallCommand bootDisk = nextCommand(SetBootDevice.class);
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

    // ------------------------------------------------------------------ helpers

    private void driveToReboot() {
        submit("req-1", List.of());
        answer(nextCommand(ValidateReinstall.class), validated());
        answer(nextCommand(CreateReinstallKey.class), ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());
        acceptAndComplete(nextCommand(CreatePxeConfig.class), AsyncActionKind.CREATE_PXE, "pxe-key");
        acceptAndComplete(nextCommand(SetBootDevice.class), AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key");
    }

    private void submit(String requestId, List<String> tasks) {
        commandsIn.pipeInput(KEY, upstream(ReinstallServer.newBuilder()
                .setRequestId(requestId)
                .setOsId(101)
                .setHostname("srv1001.example.net")
                .setRootPassword(sealed())
                .setJenkinsTasks(tasks)
                .build()), tick());
    }

    private static ReinstallCommand upstream(Object payload) {
        return ReinstallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(SERVER)
                .setIssuedAt(Instant.parse("2026-11-24T10:00:00Z"))
                .setIssuedBy("test-upstream")
                .setPayload(payload)
                .build();
    }

    private ReinstallCommand nextCommand(Class<?> payloadType) {
        assertThat(commandsOut.isEmpty()).as("a %s command was expected", payloadType.getSimpleName()).isFalse();
        ReinstallCommand command = commandsOut.readValue();
        assertThat(command.getPayload()).isInstanceOf(payloadType);
        assertThat(command.getIssuedBy()).isEqualTo(ReinstallStateMachine.ISSUER);
        return command;
    }

    private void answer(ReinstallCommand command, Object payload) {
        eventsIn.pipeInput(KEY, event(command.getReinstallId(), command.getCommandId(), payload), tick());
    }

    private void acceptAndComplete(ReinstallCommand command, AsyncActionKind action, String callbackKey) {
        answer(command, accepted(action, callbackKey));
        assertThat(lastPollTargets().getKeys()).extracting(k -> k.getKey()).contains(callbackKey);
        poller(ActionCompleted.newBuilder().setAction(action).setCallbackKey(callbackKey).build());
    }

    private void poller(Object payload) {
        eventsIn.pipeInput(KEY, event(state().getReinstallId(), null, payload), tick());
    }

    private static ReinstallEvent event(String reinstallId, String commandId, Object payload) {
        return ReinstallEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setServerId(SERVER)
                .setReinstallId(reinstallId)
                .setCommandId(commandId)
                .setOccurredAt(Instant.parse("2026-11-24T10:00:00Z"))
                .setSource("test")
                .setPayload(payload)
                .build();
    }

    private static ReinstallValidated validated() {
        return ReinstallValidated.newBuilder().setOsName("Ubuntu 22.04").setServerType("bm").setLocation("NL").build();
    }

    private static ActionAccepted accepted(AsyncActionKind action, String key) {
        return ActionAccepted.newBuilder().setAction(action).setCallbackKey(key).build();
    }

    private static InstallStageReached stage(int n) {
        return InstallStageReached.newBuilder().setStage(n).setScope("Stage " + n).build();
    }

    private static SealedSecret sealed() {
        return SealedSecret.newBuilder().setKeyId("k1").setAlgorithm("RSA-OAEP-256+A256GCM")
                .setWrappedKey(ByteBuffer.wrap(new byte[] {1})).setIv(ByteBuffer.wrap(new byte[] {2}))
                .setCiphertext(ByteBuffer.wrap(new byte[] {3})).build();
    }

    private PollTargets lastPollTargets() {
        List<PollTargets> all = pollTargetsOut.readValuesToList();
        assertThat(all).as("poll targets were emitted").isNotEmpty();
        return all.get(all.size() - 1);
    }

    private boolean lastPollTargetsRecordIsTombstone() {
        List<PollTargets> all = pollTargetsOut.readValuesToList();
        return !all.isEmpty() && all.get(all.size() - 1) == null;
    }

    private ReinstallState state() {
        return store.get(KEY);
    }

    private ReinstallState stateOf(long server) {
        return store.get(String.valueOf(server));
    }

    private Instant tick() {
        clock = clock.plusSeconds(1);
        return clock;
    }
}
