package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.runtime.DeadLetters;
import com.hostkey.reinstall.projector.ProjectorConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.CreateReinstallKey;
import com.hostkey.reinstall.schemas.avro.PollTargets;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Poison records on every input topic of the projector, through the production topology and
 * settings: each lands on reinstall-dead-letters with its original bytes and coordinates, and the
 * next valid record is processed as if nothing had happened.
 */
class DeadLetterTopologyTest {

    private static final String SERVER = "2001";
    private static final Record<?, ?> NO_RECORD = null;
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    private TopologyTestDriver driver;
    private ReinstallTopics topics;
    private Map<String, Object> serdeConfig;
    private TestInputTopic<String, ReinstallRequest> commandsIn;
    private TestInputTopic<String, ReinstallEvent> eventsIn;
    private TestOutputTopic<String, StepCommand> commandsOut;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private final Map<String, TestInputTopic<byte[], byte[]>> rawIn = new HashMap<>();
    private Instant clock = START;

    @BeforeEach
    void setUp() {
        serdeConfig = Map.of(AvroSerde.SCHEMA_REGISTRY_URL, SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID());
        topics = ReinstallTopics.create(serdeConfig);
        driver = new TopologyTestDriver(ReinstallTopology.build(topics, SagaSettings.defaults(), AdmissionSettings.defaults(),
                Duration.ofSeconds(1), StepAuthenticator.of(Map.of("k1", StepAuthenticator.generateKey()), "k1")), productionProps(), START);
        commandsIn = driver.createInputTopic(ReinstallTopics.REQUESTS, Serdes.String().serializer(), topics.requests.valueSerde().serializer());
        eventsIn = driver.createInputTopic(ReinstallTopics.EVENTS, Serdes.String().serializer(), topics.events.valueSerde().serializer());
        commandsOut = driver.createOutputTopic(ReinstallTopics.STEPS, Serdes.String().deserializer(),
                topics.steps.valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(ReinstallTopics.DEAD_LETTERS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (String topic : List.of(ReinstallTopics.REQUESTS, ReinstallTopics.EVENTS, ReinstallTopics.ADMISSIONS)) {
            rawIn.put(topic, driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer()));
        }
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldDeadLetterUnreadableUpstreamCommandsAndStillStartTheNextReinstall() {
        List<Poison> poison = poisonFor(ReinstallTopics.REQUESTS);
        poison.forEach(this::pipe);

        submit();

        assertThat(assertDeadLettered(poison)).containsExactly(0L, 1L, 2L);
        assertThat(nextCommand().getPayload()).isInstanceOf(ValidateReinstall.class);
        assertThat(driver.getKeyValueStore(ReinstallTopology.STATE_STORE).get(SERVER)).isNotNull();
    }

    @Test
    void shouldDeadLetterUnreadableEventsAndAdmissionsAndStillCarryTheReinstallOn() {
        submit();
        StepCommand validate = nextCommand();
        List<Poison> poison = new ArrayList<>(poisonFor(ReinstallTopics.EVENTS));
        poison.addAll(poisonFor(ReinstallTopics.ADMISSIONS));
        poison.forEach(this::pipe);

        // The valid answer after the poison: validated, admitted (through reinstall-admissions), next step issued.
        eventsIn.pipeInput(SERVER, event(validate, ReinstallValidated.newBuilder().setOsName("Ubuntu").setServerType("bm")
                .setLocation("NL").build()), tick());

        assertDeadLettered(poison);
        assertThat(nextCommand().getPayload()).isInstanceOf(CreateReinstallKey.class);
        ReinstallState state = (ReinstallState) driver.getKeyValueStore(ReinstallTopology.STATE_STORE).get(SERVER);
        assertThat(state.getPhase()).isEqualTo(ReinstallPhase.CREATING_REINSTALL_KEY);
    }

    @Test
    void shouldDeadLetterARecordWhoseProcessingThrowsAndGoOn() {
        // The production settings around a processor that fails on one record: the handler is the
        // topology's, whatever processor throws.
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), ReinstallTopics.REQUESTS);
        topology.addProcessor("fussy", () -> new Processor<String, String, String, String>() {
            private ProcessorContext<String, String> context;

            @Override
            public void init(ProcessorContext<String, String> context) {
                this.context = context;
            }

            @Override
            public void process(Record<String, String> record) {
                if (record.value().equals("boom")) {
                    throw new IllegalStateException("cannot process this one");
                }
                context.forward(record);
            }
        }, "in");
        topology.addSink("out", ReinstallTopics.COMPLETIONS, new StringSerializer(), new StringSerializer(), "fussy");
        try (TopologyTestDriver fussy = new TopologyTestDriver(topology, productionProps(), START)) {
            TestInputTopic<String, String> in = fussy.createInputTopic(ReinstallTopics.REQUESTS, new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, String> out = fussy.createOutputTopic(ReinstallTopics.COMPLETIONS, new StringDeserializer(),
                    new StringDeserializer());
            TestOutputTopic<byte[], byte[]> letters = fussy.createOutputTopic(ReinstallTopics.DEAD_LETTERS, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());

            in.pipeInput("7", "fine");
            in.pipeInput("8", "boom");
            in.pipeInput("9", "fine again");

            assertThat(out.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("7", "9");
            List<TestRecord<byte[], byte[]>> dead = letters.readRecordsToList();
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).key()).isEqualTo("8".getBytes(StandardCharsets.UTF_8));
            assertThat(dead.get(0).value()).isEqualTo("boom".getBytes(StandardCharsets.UTF_8));
            assertThat(header(dead.get(0), DeadLetters.SOURCE_TOPIC)).isEqualTo(ReinstallTopics.REQUESTS);
            assertThat(header(dead.get(0), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
            assertThat(header(dead.get(0), DeadLetters.PROCESSOR)).isEqualTo("fussy");
            assertThat(header(dead.get(0), DeadLetters.ERROR_CLASS)).isEqualTo(IllegalStateException.class.getName());
            assertThat(header(dead.get(0), DeadLetters.ERROR_MESSAGE)).isEqualTo("cannot process this one");
        }
    }

    @Test
    void shouldStopRatherThanDeadLetterWhenTheRegistryCannotBeReached() {
        SerializationException unreachable = assertThrows(SerializationException.class,
                () -> new SchemaRegistryClient("http://127.0.0.1:1").byId(42));
        DeadLetterHandler handler = new DeadLetterHandler();
        handler.configure(Map.of());
        var record = new ConsumerRecord<>(ReinstallTopics.EVENTS, 0, 7L,
                new byte[] {1}, new byte[] {0, 0, 0, 0, 42, 1});

        DeserializationExceptionHandler.Response response = handler.handleError(null, record, unreachable);

        assertThat(DeadLetterHandler.isPoison(unreachable)).isFalse();
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void shouldStopRatherThanDeadLetterWhenWritingAnOutputFailsForKafkaOrRegistryReasons() {
        SerializationException unreachable = assertThrows(SerializationException.class,
                () -> new SchemaRegistryClient("http://127.0.0.1:1").register("reinstall-requests-value", ReinstallRequest.getClassSchema()));
        DeadLetterHandler handler = new DeadLetterHandler();
        handler.configure(Map.of());

        ProcessingExceptionHandler.Response outputFailed = handler.handleError(context(ReinstallTopics.EVENTS),
                NO_RECORD, new StreamsException("Unable to serialize record", unreachable));
        ProcessingExceptionHandler.Response brokerTimeout = handler.handleError(context(ReinstallTopics.EVENTS),
                NO_RECORD, new org.apache.kafka.common.errors.TimeoutException("no answer"));
        ProcessingExceptionHandler.Response timerFailed = handler.handleError(context(null), NO_RECORD,
                new StreamsException("Unable to serialize record", unreachable));
        ProcessingExceptionHandler.Response bug = handler.handleError(context(ReinstallTopics.EVENTS), NO_RECORD,
                new NumberFormatException("For input string: \"x\""));
        ProcessingExceptionHandler.Response refusedData = handler.handleError(context(ReinstallTopics.EVENTS), NO_RECORD,
                new StreamsException("Unable to serialize record", serdeRefusal()));

        assertThat(List.of(outputFailed, brokerTimeout, timerFailed)).allSatisfy(r -> {
            assertThat(r.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
            assertThat(r.deadLetterQueueRecords()).isEmpty();
        });
        assertThat(List.of(bug, refusedData)).allSatisfy(r -> {
            assertThat(r.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
            assertThat(r.deadLetterQueueRecords()).hasSize(1);
        });
    }

    // ------------------------------------------------------------------ helpers

    /** What our serde throws when the data itself cannot be written (a required field left null). */
    private SerializationException serdeRefusal() {
        ReinstallRequest incomplete = upstream(request());
        incomplete.setIssuedBy(null);
        return assertThrows(SerializationException.class,
                () -> topics.requests.valueSerde().serializer().serialize(ReinstallTopics.REQUESTS, incomplete));
    }

    /** An error context of a record read from {@code topic}, or of a punctuation when it is null. */
    private static ErrorHandlerContext context(String topic) {
        return new ErrorHandlerContext() {
            public String topic() { return topic; }
            public int partition() { return topic == null ? -1 : 0; }
            public long offset() { return topic == null ? -1 : 5; }
            public org.apache.kafka.common.header.Headers headers() { return new RecordHeaders(); }
            public String processorNodeId() { return ReinstallTopology.SAGA; }
            public org.apache.kafka.streams.processor.TaskId taskId() { return new org.apache.kafka.streams.processor.TaskId(0, 0); }
            public long timestamp() { return 1L; }
            public byte[] sourceRawKey() { return topic == null ? null : new byte[] {'1'}; }
            public byte[] sourceRawValue() { return topic == null ? null : new byte[] {0, 0, 0, 0, 1}; }
        };
    }

    /** The production Streams settings (the dead-letter handler), with a private state dir. */
    private static Properties productionProps() {
        Properties props = new ProjectorConfig("unused:9092", "mock://unused", "dead-letter-test", "/tmp/unused", "127.0.0.1", 0, 1,
                SagaSettings.defaults(), AdmissionSettings.defaults(), Duration.ofSeconds(1), StepAuthenticator.of(Map.of("k1", StepAuthenticator.generateKey()), "k1")).streamsConfig(8083);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/projector-dlq-" + UUID.randomUUID());
        // TopologyTestDriver clears its mock producer's open transaction before each input record, so
        // under exactly-once it drops dead letters written while a record is deserialized (before the
        // task processes anything). At-least-once shows them; the ITs run exactly-once on a real broker.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        return props;
    }

    record Poison(String topic, byte[] key, byte[] value, String expectedErrorClass) {}

    /** Not the wire format, an unknown schema id, a record of another type: each readable by nobody. */
    private List<Poison> poisonFor(String topic) {
        byte[] key = SERVER.getBytes(StandardCharsets.UTF_8);
        PollTargets otherType = PollTargets.newBuilder().setServerId(2001).setReinstallId("r").setKeys(List.of()).build();
        byte[] wrongType = AvroSerde.of(PollTargets.class, serdeConfig, false).serializer().serialize(topic, otherType);
        return List.of(
                new Poison(topic, key, "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8), AvroSerde.NotWireFormatException.class.getName()),
                new Poison(topic, key, new byte[] {0, 0x7f, 0, 0, 1, 2, 3, 4}, SchemaRegistryClient.UnknownSchemaIdException.class.getName()),
                new Poison(topic, key, wrongType, SerializationException.class.getName()));
    }

    private void pipe(Poison poison) {
        TestRecord<byte[], byte[]> record = new TestRecord<>(poison.key(), poison.value(),
                new RecordHeaders().add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8)), tick());
        rawIn.get(poison.topic()).pipeInput(record);
    }

    /** @return the source offsets the dead letters name, in order */
    private List<Long> assertDeadLettered(List<Poison> poison) {
        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(poison.size());
        List<Long> offsets = new ArrayList<>();
        Map<String, Long> lastOffset = new HashMap<>();
        for (int i = 0; i < poison.size(); i++) {
            Poison expected = poison.get(i);
            TestRecord<byte[], byte[]> letter = letters.get(i);
            assertThat(letter.key()).as("original key bytes").isEqualTo(expected.key());
            assertThat(letter.value()).as("original value bytes").isEqualTo(expected.value());
            assertThat(header(letter, DeadLetters.SOURCE_TOPIC)).isEqualTo(expected.topic());
            assertThat(header(letter, DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
            long offset = Long.parseLong(header(letter, DeadLetters.SOURCE_OFFSET));
            assertThat(offset).as("offsets of one topic increase").isGreaterThan(lastOffset.getOrDefault(expected.topic(), -1L));
            lastOffset.put(expected.topic(), offset);
            offsets.add(offset);
            assertThat(header(letter, DeadLetters.ERROR_CLASS)).isEqualTo(expected.expectedErrorClass());
            assertThat(header(letter, DeadLetters.ERROR_MESSAGE)).isNotBlank().doesNotContain("{\"not\"");
            assertThat(header(letter, DeadLetters.SERVICE)).isEqualTo("state-projector");
            assertThat(header(letter, "trace-id")).as("original headers kept").isEqualTo("t-1");
            assertThat(letter.headers().lastHeader("__streams.errors.stacktrace")).as("no stack trace").isNull();
        }
        return offsets;
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private void submit() {
        commandsIn.pipeInput(SERVER, upstream(request()), tick());
    }

    private static ReinstallServer request() {
        return ReinstallServer.newBuilder()
                .setRequestId("req-" + UUID.randomUUID())
                .setOsId(101)
                .setHostname("srv2001.example.net")
                .setRootPassword(ProjectorTopologyTestBase.sealed())
                .build();
    }

    private static ReinstallRequest upstream(Object payload) {
        return ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(Long.parseLong(SERVER))
                .setIssuedAt(START)
                .setIssuedBy("test-upstream")
                .setPayload(payload)
                .build();
    }

    private static ReinstallEvent event(StepCommand answered, Object payload) {
        return ReinstallEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setServerId(answered.getServerId())
                .setReinstallId(answered.getReinstallId())
                .setCommandId(answered.getCommandId())
                .setOccurredAt(START)
                .setSource("test")
                .setPayload(payload)
                .build();
    }

    private StepCommand nextCommand() {
        assertThat(commandsOut.isEmpty()).as("a step command was expected").isFalse();
        return commandsOut.readValue();
    }

    private Instant tick() {
        clock = clock.plusSeconds(1);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        return clock;
    }
}
