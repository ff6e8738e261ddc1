package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.Topic;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The projector's topology, built by a pure factory.
 *
 * <pre>
 *  reinstall-requests (public: ReinstallServer, CancelReinstall, ReleaseServer; any key, any partition)
 *        │
 *        ▼ reinstall-request-router (re-key by the payload's server id; producer's key kept in a header)
 *  &lt;app&gt;-reinstall-requests-by-server-repartition
 *        │ reinstall-requests-by-server-repartition-source
 *        ├──────────────────────────────────┐
 *  reinstall-events ───────────────────────┤
 *        │                                  ▼
 *        │   reinstall-saga [reinstall-state, reinstall-task-slots]
 *        │        ├─▶ reinstall-steps (signed step commands)
 *        │        ├─▶ reinstall-poll-targets
 *        │        ├─▶ reinstall-events (deadlines, retries, refusals)
 *        │        ├─▶ reinstall-admissions
 *        │        └─▶ reinstall-completions
 *        └─▶ reinstall-history-processor [reinstall-timeline] (the dashboard's timeline; requests too)
 *  reinstall-admissions ─▶ reinstall-admission [reinstall-admission] ─▶ reinstall-events (AdmissionGranted, ReinstallQueued)
 * </pre>
 * The projector owns routing: a request reaches the task that owns its server through a
 * repartition topic written with Kafka Streams' own partitioner, whatever partitioner (librdkafka's
 * CRC32, Java's murmur2), partition or key its producer used. Events are keyed by server id and
 * written with the Java partitioner by the handler, the poller and this topology, so they are
 * co-partitioned with the repartitioned requests (the requests topic must have as many partitions
 * as reinstall-events: the repartition topic takes its count). Admissions live under one key, so
 * one task counts every slot. Step commands leave through a serializer that signs each record
 * ({@link StepAuthenticator}): the handler acts on nothing else.
 */
public final class ReinstallTopology {

    public static final String STATE_STORE = "reinstall-state";
    public static final String ADMISSION_STORE = "reinstall-admission";
    /** The admission slots each saga task holds: granted to its reinstalls, or lent in reserve ({@link TaskSlots}). */
    public static final String TASK_SLOTS_STORE = "reinstall-task-slots";
    /**
     * Per-server timeline for the dashboard, one entry per record ({@link TimelineStore}), see
     * {@link HistoryProcessor}. Not {@code reinstall-history}: that store held each timeline as one
     * record, and its changelog must never be restored into this layout.
     */
    public static final String HISTORY_STORE = "reinstall-timeline";
    static final String REQUESTS_SOURCE = "reinstall-requests-source";
    static final String REQUEST_ROUTER = "reinstall-request-router";
    /** Names the repartition topic: {@code <application.id>-reinstall-requests-by-server-repartition}. */
    static final String REQUESTS_BY_SERVER = "reinstall-requests-by-server";
    /**
     * The source node Streams builds for that repartition topic, named after it (KIP-307); the saga
     * and the history hang from it. Were the name to change, {@code addProcessor} would refuse the
     * unknown parent and the topology would not build.
     */
    static final String REQUESTS_BY_SERVER_SOURCE = REQUESTS_BY_SERVER + "-repartition-source";

    /** The repartition topic the routed requests pass through, for a projector of {@code applicationId}. */
    public static String requestsByServerTopic(String applicationId) {
        return applicationId + "-" + REQUESTS_BY_SERVER + "-repartition";
    }
    static final String EVENTS_SOURCE = "reinstall-events-source";
    static final String ADMISSIONS_SOURCE = "reinstall-admissions-source";
    static final String SAGA = "reinstall-saga";
    static final String ADMISSION = "reinstall-admission-processor";
    static final String HISTORY = "reinstall-history-processor";
    static final String STEPS_SINK = "reinstall-steps-sink";
    static final String POLL_TARGETS_SINK = "reinstall-poll-targets-sink";
    static final String COMPLETIONS_SINK = "reinstall-completions-sink";
    static final String EVENTS_SINK = "reinstall-events-sink";
    static final String ADMISSIONS_SINK = "reinstall-admissions-sink";
    static final String ADMISSION_EVENTS_SINK = "reinstall-admission-events-sink";

    private ReinstallTopology() {}

    public static Topology build(ReinstallTopics topics, SagaSettings saga, AdmissionSettings admission, Duration timerInterval,
                                 StepAuthenticator steps) {
        return build(topics, saga, admission, timerInterval, steps, SagaMetrics.disabled());
    }

    /** The topology, reporting the saga's completions, deadline expiries and retries to {@code metrics}. */
    public static Topology build(ReinstallTopics topics, SagaSettings saga, AdmissionSettings admission, Duration timerInterval,
                                 StepAuthenticator steps, SagaMetrics metrics) {
        ReinstallStateMachine machine = new ReinstallStateMachine(saga);
        CommitPacer pacer = new CommitPacer();
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topics.requests.name(), Consumed.with(Serdes.String(), topics.requests.valueSerde()).withName(REQUESTS_SOURCE))
                .process(() -> new RequestRouter(pacer), Named.as(REQUEST_ROUTER))
                .repartition(Repartitioned.with(Serdes.String(), topics.requests.valueSerde()).withName(REQUESTS_BY_SERVER));
        Topology topology = builder.build();

        topology.addSource(EVENTS_SOURCE, Serdes.String().deserializer(),
                topics.events.valueSerde().deserializer(), topics.events.name());
        topology.addProcessor(SAGA, () -> new ReinstallSagaProcessor(machine, admission, timerInterval, metrics, pacer),
                REQUESTS_BY_SERVER_SOURCE, EVENTS_SOURCE);
        topology.addStateStore(cached(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), topics.stateSerde())), SAGA);
        topology.addStateStore(cached(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(TASK_SLOTS_STORE), Serdes.String(), topics.taskSlotSerde())), SAGA);
        topology.addSink(STEPS_SINK, topics.steps.name(), Serdes.String().serializer(),
                steps.signing(topics.steps.valueSerde().serializer()), SAGA);
        addSink(topology, POLL_TARGETS_SINK, topics.pollTargets, SAGA);
        addSink(topology, COMPLETIONS_SINK, topics.completions, SAGA);
        addSink(topology, EVENTS_SINK, topics.events, SAGA);
        addSink(topology, ADMISSIONS_SINK, topics.admissions, SAGA);
        // The dashboard's timeline: a second child of both inputs, in the saga's sub-topology (same owner per server).
        topology.addProcessor(HISTORY, HistoryProcessor::new, REQUESTS_BY_SERVER_SOURCE, EVENTS_SOURCE);
        topology.addStateStore(cached(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(HISTORY_STORE), Serdes.String(), topics.historyEntrySerde())), HISTORY);

        topology.addSource(ADMISSIONS_SOURCE, Serdes.String().deserializer(),
                topics.admissions.valueSerde().deserializer(), topics.admissions.name());
        topology.addProcessor(ADMISSION, () -> new AdmissionProcessor(admission, pacer), ADMISSIONS_SOURCE);
        topology.addStateStore(cached(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ADMISSION_STORE), Serdes.String(), topics.admissionEntrySerde())),
                ADMISSION);
        // A sink of its own: sharing EVENTS_SINK would join both sub-topologies and demand co-partitioning.
        addSink(topology, ADMISSION_EVENTS_SINK, topics.events, ADMISSION);
        return topology;
    }

    /**
     * A store with Streams' record cache in front: a server's state and timeline
     * change several times within one commit interval while a backlog is folded, and the cache
     * writes each key to RocksDB and its changelog once per commit instead of once per change.
     * Reads see the cached (newest) value, so the processors and queries see what they did before.
     */
    private static <S extends StateStore> StoreBuilder<S> cached(StoreBuilder<S> store) {
        return store.withCachingEnabled();
    }

    private static <V extends SpecificRecord> void addSink(Topology topology, String name, Topic<String, V> topic, String parent) {
        topology.addSink(name, topic.name(), Serdes.String().serializer(), topic.valueSerde().serializer(), parent);
    }
}
