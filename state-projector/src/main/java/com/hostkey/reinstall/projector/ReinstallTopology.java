package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.Topic;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The projector's topology, built by a pure factory.
 *
 * <pre>
 *  reinstall-commands (ReinstallServer, CancelReinstall, ReleaseServer) ─┐
 *                                                                        ├─▶ reinstall-saga [reinstall-state, reinstall-timers]
 *  reinstall-events ─────────────────────────────────────────────────────┘      ├─▶ reinstall-commands (step commands)
 *                                                                               ├─▶ reinstall-poll-targets
 *                                                                               ├─▶ reinstall-events (deadlines, retries, refusals)
 *                                                                               ├─▶ reinstall-admissions
 *                                                                               └─▶ reinstall-completions
 *  reinstall-admissions ─▶ reinstall-admission [reinstall-admission] ─▶ reinstall-events (AdmissionGranted, ReinstallQueued)
 *  reinstall-commands (upstream), reinstall-events ─▶ reinstall-history-processor [reinstall-history] (the dashboard's timeline)
 * </pre>
 * Commands and events are keyed by server id and co-partitioned, so one task owns all of a
 * server's records and state. Admissions live under one key, so one task counts every slot.
 */
public final class ReinstallTopology {

    public static final String STATE_STORE = "reinstall-state";
    public static final String TIMER_STORE = "reinstall-timers";
    public static final String ADMISSION_STORE = "reinstall-admission";
    /** Per-server timeline for the dashboard, see {@link HistoryProcessor}. */
    public static final String HISTORY_STORE = "reinstall-history";
    static final String COMMANDS_SOURCE = "reinstall-commands-source";
    static final String EVENTS_SOURCE = "reinstall-events-source";
    static final String ADMISSIONS_SOURCE = "reinstall-admissions-source";
    static final String SAGA = "reinstall-saga";
    static final String ADMISSION = "reinstall-admission-processor";
    static final String HISTORY = "reinstall-history-processor";
    static final String COMMANDS_SINK = "reinstall-commands-sink";
    static final String POLL_TARGETS_SINK = "reinstall-poll-targets-sink";
    static final String COMPLETIONS_SINK = "reinstall-completions-sink";
    static final String EVENTS_SINK = "reinstall-events-sink";
    static final String ADMISSIONS_SINK = "reinstall-admissions-sink";
    static final String ADMISSION_EVENTS_SINK = "reinstall-admission-events-sink";

    private ReinstallTopology() {}

    public static Topology build(ReinstallTopics topics, SagaSettings saga, AdmissionSettings admission, Duration timerInterval) {
        return build(topics, saga, admission, timerInterval, SagaMetrics.disabled());
    }

    /** The topology, reporting the saga's completions, deadline expiries and retries to {@code metrics}. */
    public static Topology build(ReinstallTopics topics, SagaSettings saga, AdmissionSettings admission, Duration timerInterval,
                                 SagaMetrics metrics) {
        ReinstallStateMachine machine = new ReinstallStateMachine(saga);
        Topology topology = new Topology();
        topology.addSource(COMMANDS_SOURCE, Serdes.String().deserializer(),
                topics.commands.valueSerde().deserializer(), topics.commands.name());
        topology.addSource(EVENTS_SOURCE, Serdes.String().deserializer(),
                topics.events.valueSerde().deserializer(), topics.events.name());
        topology.addProcessor(SAGA, () -> new ReinstallSagaProcessor(machine, timerInterval, metrics), COMMANDS_SOURCE, EVENTS_SOURCE);
        topology.addStateStore(cached(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), topics.stateSerde())), SAGA);
        topology.addStateStore(cached(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(TIMER_STORE), Serdes.String(), Serdes.String())), SAGA);
        addSink(topology, COMMANDS_SINK, topics.commands, SAGA);
        addSink(topology, POLL_TARGETS_SINK, topics.pollTargets, SAGA);
        addSink(topology, COMPLETIONS_SINK, topics.completions, SAGA);
        addSink(topology, EVENTS_SINK, topics.events, SAGA);
        addSink(topology, ADMISSIONS_SINK, topics.admissions, SAGA);
        // The dashboard's timeline: a second child of both sources, in the saga's sub-topology (same owner per server).
        topology.addProcessor(HISTORY, HistoryProcessor::new, COMMANDS_SOURCE, EVENTS_SOURCE);
        topology.addStateStore(cached(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(HISTORY_STORE), Serdes.String(), topics.historySerde())), HISTORY);

        topology.addSource(ADMISSIONS_SOURCE, Serdes.String().deserializer(),
                topics.admissions.valueSerde().deserializer(), topics.admissions.name());
        topology.addProcessor(ADMISSION, () -> new AdmissionProcessor(admission), ADMISSIONS_SOURCE);
        topology.addStateStore(cached(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ADMISSION_STORE), Serdes.String(), topics.admissionEntrySerde())),
                ADMISSION);
        // A sink of its own: sharing EVENTS_SINK would join both sub-topologies and demand co-partitioning.
        addSink(topology, ADMISSION_EVENTS_SINK, topics.events, ADMISSION);
        return topology;
    }

    /**
     * A store with Streams' record cache in front: a server's state, timer entries and timeline
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
