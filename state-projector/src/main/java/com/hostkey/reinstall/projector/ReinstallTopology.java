package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.Topic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The projector's topology, built by a pure factory.
 *
 * <pre>
 *  reinstall-commands (ReinstallServer, CancelReinstall) ─┐
 *                                                          ├─▶ reinstall-saga [reinstall-state] ─┬─▶ reinstall-commands (step commands)
 *  reinstall-events ───────────────────────────────────────┘                                    ├─▶ reinstall-poll-targets
 *                                                                                                 └─▶ reinstall-completions
 * </pre>
 * Both sources are keyed by server id and co-partitioned, so one task owns all of a server's
 * records and its state.
 */
public final class ReinstallTopology {

    public static final String STATE_STORE = "reinstall-state";
    static final String COMMANDS_SOURCE = "reinstall-commands-source";
    static final String EVENTS_SOURCE = "reinstall-events-source";
    static final String SAGA = "reinstall-saga";
    static final String COMMANDS_SINK = "reinstall-commands-sink";
    static final String POLL_TARGETS_SINK = "reinstall-poll-targets-sink";
    static final String COMPLETIONS_SINK = "reinstall-completions-sink";

    private ReinstallTopology() {}

    public static Topology build(ReinstallTopics topics) {
        Topology topology = new Topology();
        topology.addSource(COMMANDS_SOURCE, Serdes.String().deserializer(),
                topics.commands.valueSerde().deserializer(), topics.commands.name());
        topology.addSource(EVENTS_SOURCE, Serdes.String().deserializer(),
                topics.events.valueSerde().deserializer(), topics.events.name());
        topology.addProcessor(SAGA, ReinstallSagaProcessor::new, COMMANDS_SOURCE, EVENTS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), topics.stateSerde()), SAGA);
        addSink(topology, COMMANDS_SINK, topics.commands);
        addSink(topology, POLL_TARGETS_SINK, topics.pollTargets);
        addSink(topology, COMPLETIONS_SINK, topics.completions);
        return topology;
    }

    private static <V> void addSink(Topology topology, String name, Topic<String, V> topic) {
        Serializer<String> keys = Serdes.String().serializer();
        topology.addSink(name, topic.name(), keys, topic.valueSerde().serializer(), SAGA);
    }
}
