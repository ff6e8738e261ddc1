package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.projector.ProjectorConfig;
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
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.test.TestRecord;
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

/**
 * Drives the projector's topology record by record, built from the same factory production uses;
 * wall-clock time is advanced explicitly for deadlines and retries, never slept for.
 */
abstract class ProjectorTopologyTestBase {


    protected static final long SERVER = 1001;
    protected static final String KEY = String.valueOf(SERVER);

    protected static final SagaSettings SAGA = SagaSettings.defaults();

    protected TopologyTestDriver driver;
    /** The step keys the topology signs with; {@link #nextCommand} verifies every step with them. */
    protected static final StepAuthenticator STEP_AUTH = StepAuthenticator.of(Map.of("k1", StepAuthenticator.generateKey()), "k1");

    protected TestInputTopic<String, ReinstallRequest> commandsIn;
    protected TestInputTopic<String, ReinstallEvent> eventsIn;
    protected TestOutputTopic<String, byte[]> commandsOut;
    private Deserializer<StepCommand> steps;
    protected TestOutputTopic<String, PollTargets> pollTargetsOut;
    protected TestOutputTopic<String, ReinstallCompletion> completionsOut;
    protected TestOutputTopic<String, ReinstallEvent> eventsOut;
    protected KeyValueStore<String, ReinstallState> store;
    /** The topics the driver was built with (their serdes share its mock registry). */
    protected ReinstallTopics topics;
    protected Instant clock = Instant.parse("2026-11-24T10:00:00Z");

    @BeforeEach
    void setUp() {
        start(AdmissionSettings.defaults());
    }

    /** (Re)builds the driver from the production factory, with the given caps. */
    protected void start(AdmissionSettings admission) {
        if (driver != null) {
            driver.close();
        }
        topics = ReinstallTopics.create(
                Map.of(AvroSerde.SCHEMA_REGISTRY_URL, SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID()));
        Properties props = new ProjectorConfig("unused:9092", "mock://unused", "projector-test", "/tmp/unused", "127.0.0.1", 0, 1,
                SAGA, admission, Duration.ofSeconds(1), STEP_AUTH).streamsConfig(8083);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/projector-ttd-" + UUID.randomUUID());
        driver = new TopologyTestDriver(ReinstallTopology.build(topics, SAGA, admission, Duration.ofSeconds(1), STEP_AUTH, sagaMetrics()), props, clock);
        commandsIn = driver.createInputTopic(topics.requests.name(), Serdes.String().serializer(), topics.requests.valueSerde().serializer());
        eventsIn = driver.createInputTopic(topics.events.name(), Serdes.String().serializer(), topics.events.valueSerde().serializer());
        commandsOut = driver.createOutputTopic(topics.steps.name(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        steps = topics.steps.valueSerde().deserializer();
        pollTargetsOut = driver.createOutputTopic(topics.pollTargets.name(), Serdes.String().deserializer(),
                topics.pollTargets.valueSerde().deserializer());
        completionsOut = driver.createOutputTopic(topics.completions.name(), Serdes.String().deserializer(),
                topics.completions.valueSerde().deserializer());
        eventsOut = driver.createOutputTopic(topics.events.name(), Serdes.String().deserializer(), topics.events.valueSerde().deserializer());
        store = driver.getKeyValueStore(ReinstallTopology.STATE_STORE);
    }

    /** What the saga reports to; tests of the metrics override it. */
    protected SagaMetrics sagaMetrics() {
        return SagaMetrics.disabled();
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    // ------------------------------------------------------------------ helpers

    protected void driveToReboot() {
        submit("req-1", List.of());
        answer(nextCommand(ValidateReinstall.class), validated());
        answer(nextCommand(CreateReinstallKey.class), ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());
        acceptAndComplete(nextCommand(CreatePxeConfig.class), AsyncActionKind.CREATE_PXE, "pxe-key");
        acceptAndComplete(nextCommand(SetBootDevice.class), AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key");
    }

    protected void submit(String requestId, List<String> tasks) {
        submit(SERVER, requestId, tasks, List.of());
    }

    protected void submit(long server, String requestId, List<String> tasks, List<String> optionalTasks) {
        commandsIn.pipeInput(String.valueOf(server), upstream(server, ReinstallServer.newBuilder()
                .setRequestId(requestId)
                .setOsId(101)
                .setHostname("srv" + server + ".example.net")
                .setRootPassword(sealed())
                .setJenkinsTasks(tasks)
                .setOptionalJenkinsTasks(optionalTasks)
                .build()), tick());
    }

    protected void upstreamFor(long server, Object payload) {
        commandsIn.pipeInput(String.valueOf(server), upstream(server, payload), tick());
    }

    protected static ReinstallRequest upstream(Object payload) {
        return upstream(SERVER, payload);
    }

    protected static ReinstallRequest upstream(long server, Object payload) {
        return ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(server)
                .setIssuedAt(Instant.parse("2026-11-24T10:00:00Z"))
                .setIssuedBy("test-upstream")
                .setPayload(payload)
                .build();
    }

    protected StepCommand nextCommand(Class<?> payloadType) {
        assertThat(commandsOut.isEmpty()).as("a %s command was expected", payloadType.getSimpleName()).isFalse();
        StepCommand command = verified(commandsOut.readRecord());
        assertThat(command.getPayload()).isInstanceOf(payloadType);
        return command;
    }

    /** The step of a record on reinstall-steps, after checking the projector signed it. */
    private StepCommand verified(TestRecord<String, byte[]> record) {
        assertThat(STEP_AUTH.refusal(ReinstallTopics.STEPS, record.headers(), record.value())).as("step signature").isEmpty();
        StepCommand command = steps.deserialize(ReinstallTopics.STEPS, record.value());
        assertThat(record.key()).isEqualTo(String.valueOf(command.getServerId()));
        return command;
    }

    protected void answer(StepCommand command, Object payload) {
        eventsIn.pipeInput(String.valueOf(command.getServerId()), event(command.getReinstallId(), command.getCommandId(), payload), tick());
    }

    /** Moves both record time and wall-clock time on, firing due timers. */
    protected void advance(Duration by) {
        clock = clock.plus(by);
        driver.advanceWallClockTime(by);
    }

    protected List<StepCommand> drainCommands() {
        return commandsOut.readRecordsToList().stream().map(this::verified).toList();
    }

    protected List<Object> drainEventPayloads() {
        return eventsOut.readValuesToList().stream().map(e -> (Object) e.getPayload()).toList();
    }

    protected void acceptAndComplete(StepCommand command, AsyncActionKind action, String callbackKey) {
        answer(command, accepted(action, callbackKey));
        assertThat(lastPollTargets().getKeys()).extracting(k -> k.getKey()).contains(callbackKey);
        poller(ActionCompleted.newBuilder().setAction(action).setCallbackKey(callbackKey).build());
    }

    protected void poller(Object payload) {
        pollerFor(SERVER, payload);
    }

    protected void pollerFor(long server, Object payload) {
        eventsIn.pipeInput(String.valueOf(server), event(stateOf(server).getReinstallId(), null, payload), tick());
    }

    protected static ReinstallEvent event(String reinstallId, String commandId, Object payload) {
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

    protected static ReinstallValidated validated() {
        return ReinstallValidated.newBuilder().setOsName("Ubuntu 22.04").setServerType("bm").setLocation("NL").build();
    }

    protected static ActionAccepted accepted(AsyncActionKind action, String key) {
        return ActionAccepted.newBuilder().setAction(action).setCallbackKey(key).build();
    }

    protected static InstallStageReached stage(int n) {
        return InstallStageReached.newBuilder().setStage(n).setScope("Stage " + n).build();
    }

    /** A sealed secret as the projector sees one: a JWE compact string it carries and never opens. */
    protected static String sealed() {
        return "eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiazEifQ.d3JhcHBlZC1rZXk.aXYtaXYtaXY.Y2lwaGVydGV4dA.dGFn";
    }

    protected PollTargets lastPollTargets() {
        List<PollTargets> all = pollTargetsOut.readValuesToList();
        assertThat(all).as("poll targets were emitted").isNotEmpty();
        return all.get(all.size() - 1);
    }

    protected boolean lastPollTargetsRecordIsTombstone() {
        List<PollTargets> all = pollTargetsOut.readValuesToList();
        return !all.isEmpty() && all.get(all.size() - 1) == null;
    }

    protected ReinstallState state() {
        return store.get(KEY);
    }

    protected ReinstallState stateOf(long server) {
        return store.get(String.valueOf(server));
    }

    /** One second passes, for record time and wall-clock time alike, before each record. */
    protected Instant tick() {
        advance(Duration.ofSeconds(1));
        return clock;
    }
}
