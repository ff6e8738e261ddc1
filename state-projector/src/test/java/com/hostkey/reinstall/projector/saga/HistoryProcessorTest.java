package com.hostkey.reinstall.projector.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.HistoryEntry;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The history processor on its own, over a store that outlives it: what it keeps in memory is lost
 * (a task initialised again, a server pushed out of memory by others) while the store keeps every
 * entry, as after a restart or a rebalance; and what each record costs the store.
 */
class HistoryProcessorTest {

    private static final String SERVER = "1001";
    private static final Set<String> STORE_CALLS = Set.of("get", "put", "putIfAbsent", "putAll", "delete", "range", "reverseRange",
            "all", "reverseAll", "prefixScan");

    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
    private final List<String> storeCalls = new ArrayList<>();
    private KeyValueStore<String, HistoryEntry> store;

    @BeforeEach
    void setUp() {
        ReinstallTopics topics = ReinstallTopics.create(
                Map.of(AvroSerde.SCHEMA_REGISTRY_URL, SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID()));
        KeyValueStore<String, HistoryEntry> inMemory = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(ReinstallTopology.HISTORY_STORE), Serdes.String(), topics.historyEntrySerde())
                .withLoggingDisabled().build();
        inMemory.init(context.getStateStoreContext(), inMemory);
        store = recording(inMemory);
        context.addStateStore(store);
    }

    @Test
    void shouldKeepARecordReadTwiceOnceAfterTheTaskIsInitialisedAgain() {
        HistoryProcessor before = started(new HistoryProcessor());
        List<ReinstallEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(failedCall(SERVER, "try " + i));
            before.process(record(SERVER, events.get(i)));
        }

        HistoryProcessor after = started(new HistoryProcessor());
        after.process(record(SERVER, events.get(2)));
        after.process(record(SERVER, events.get(4)));
        after.process(record(SERVER, failedCall(SERVER, "after the restart")));

        List<HistoryEntry> timeline = TimelineStore.timeline(store, SERVER);
        assertThat(timeline).extracting(e -> e.getFacts().get("message"))
                .containsExactly("try 0", "try 1", "try 2", "try 3", "try 4", "after the restart");
        assertThat(store.get(TimelineStore.key(SERVER, 5)).getFacts()).containsEntry("message", "after the restart");
    }

    @Test
    void shouldForgetWhatItKnewWhenInitialisedAgainOverARestoredStore() {
        HistoryProcessor processor = started(new HistoryProcessor());
        processor.process(record(SERVER, failedCall(SERVER, "here")));
        // Meanwhile another instance owned the server and appended; its changelog is restored here.
        ReinstallEvent elsewhere = null;
        for (int seq = 1; seq <= 2; seq++) {
            elsewhere = failedCall(SERVER, "elsewhere " + seq);
            store.put(TimelineStore.key(SERVER, seq), TimelineEntries.of(elsewhere));
        }

        processor.init(context);
        processor.process(record(SERVER, elsewhere));
        processor.process(record(SERVER, failedCall(SERVER, "here again")));

        assertThat(TimelineStore.timeline(store, SERVER)).extracting(e -> e.getFacts().get("message"))
                .containsExactly("here", "elsewhere 1", "elsewhere 2", "here again");
    }

    @Test
    void shouldReadTheTailAgainOfAServerPushedOutOfMemory() {
        HistoryProcessor processor = started(new HistoryProcessor(2));
        ReinstallEvent first = failedCall(SERVER, "first");
        processor.process(record(SERVER, first));
        for (String other : List.of("2002", "3003")) {
            processor.process(record(other, failedCall(other, "other")));
        }
        storeCalls.clear();

        processor.process(record(SERVER, first));
        processor.process(record(SERVER, failedCall(SERVER, "second")));

        assertThat(storeCalls).containsExactly("reverseRange", "put " + TimelineStore.key(SERVER, 1));
        assertThat(TimelineStore.timeline(store, SERVER)).extracting(e -> e.getFacts().get("message")).containsExactly("first", "second");
    }

    @Test
    void shouldAppendWithOnePutAndDropTheOldestWithOneMoreReadingNothing() {
        HistoryProcessor processor = started(new HistoryProcessor());
        for (int i = 0; i < TimelineEntries.MAX_ENTRIES; i++) {
            processor.process(record(SERVER, failedCall(SERVER, "try " + i)));
        }
        assertThat(storeCalls).first().isEqualTo("reverseRange");
        assertThat(storeCalls.subList(1, storeCalls.size())).allMatch(call -> call.startsWith("put "))
                .hasSize(TimelineEntries.MAX_ENTRIES);
        storeCalls.clear();

        processor.process(record(SERVER, failedCall(SERVER, "one too many")));

        assertThat(storeCalls).containsExactly("put " + TimelineStore.key(SERVER, TimelineEntries.MAX_ENTRIES),
                "put " + TimelineStore.key(SERVER, 0) + " null");
        assertThat(store.get(TimelineStore.key(SERVER, 0))).isNull();
        assertThat(TimelineStore.timeline(store, SERVER)).hasSize(TimelineEntries.MAX_ENTRIES)
                .extracting(e -> e.getFacts().get("message")).startsWith("try 1").endsWith("one too many");
    }

    @Test
    void shouldAppendARecordReadAgainOnceItHasLeftTheNewestEntries() {
        HistoryProcessor processor = started(new HistoryProcessor());
        ReinstallEvent first = failedCall(SERVER, "first");
        processor.process(record(SERVER, first));
        for (int i = 0; i < HistoryProcessor.DUPLICATE_WINDOW; i++) {
            processor.process(record(SERVER, failedCall(SERVER, "then " + i)));
        }

        processor.process(record(SERVER, first));

        assertThat(TimelineStore.timeline(store, SERVER)).hasSize(HistoryProcessor.DUPLICATE_WINDOW + 2)
                .filteredOn(e -> e.getId().equals(first.getEventId())).hasSize(2);
    }

    private HistoryProcessor started(HistoryProcessor processor) {
        processor.init(context);
        return processor;
    }

    private static Record<String, Object> record(String serverKey, ReinstallEvent event) {
        return new Record<>(serverKey, event, event.getOccurredAt().toEpochMilli());
    }

    private static ReinstallEvent failedCall(String serverKey, String message) {
        return ReinstallEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setServerId(Long.parseLong(serverKey))
                .setReinstallId("r-" + serverKey)
                .setCommandId(null)
                .setOccurredAt(Instant.parse("2026-11-24T10:00:00Z"))
                .setSource("stage-poller")
                .setPayload(HostkeyCallFailed.newBuilder().setCall("eq/show").setErrorClass(HostkeyErrorClass.TRANSIENT)
                        .setMessage(message).build())
                .build();
    }

    /** The store, noting each read and write the processor makes: {@code put <key>} ({@code put <key> null} for a removal), else the method. */
    @SuppressWarnings("unchecked")
    private KeyValueStore<String, HistoryEntry> recording(KeyValueStore<String, HistoryEntry> delegate) {
        return (KeyValueStore<String, HistoryEntry>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {KeyValueStore.class},
                (proxy, method, args) -> {
                    if (STORE_CALLS.contains(method.getName())) {
                        storeCalls.add(method.getName().equals("put")
                                ? "put " + args[0] + (args[1] == null ? " null" : "")
                                : method.getName());
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
