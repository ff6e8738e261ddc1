package com.hostkey.reinstall.projector.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.AdmissionEntry;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AdmissionMessage;
import com.hostkey.reinstall.schemas.avro.AdmissionReleased;
import com.hostkey.reinstall.schemas.avro.AdmissionRequested;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallQueued;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The admission's queue index against its store: a processor started over a store with holders and a
 * queue admits as the store says, caps stay exact, and a reinstall released while waiting is never admitted.
 */
class AdmissionProcessorTest {

    private static final Instant T = Instant.parse("2026-12-05T00:00:00Z");

    private final MockProcessorContext<String, ReinstallEvent> context = new MockProcessorContext<>(new Properties());
    private final KeyValueStore<String, AdmissionEntry> store = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(ReinstallTopology.ADMISSION_STORE), Serdes.String(),
                    ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID()))
                            .admissionEntrySerde())
            .withLoggingDisabled().build();

    AdmissionProcessorTest() {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        context.setCurrentSystemTimeMs(T.toEpochMilli());
    }

    @Test
    void shouldAdmitWhatTheStoreQueuedInArrivalOrderSkippingFullLocations() {
        // Fleet cap 2, NL cap 1: server 1 holds NL's slot, server 2 a US one; 3 (NL), 4 (US), 5 (NL) wait.
        store.put("active|1", entry(1, "NL"));
        store.put("active|2", entry(2, "US"));
        store.put("queue|0000000000000000007", entry(3, "NL"));
        store.put("queue|0000000000000000008", entry(4, "US"));
        store.put("queue|0000000000000000009", entry(5, "NL"));
        AdmissionProcessor admission = started(new AdmissionSettings(2, 5, Map.of("NL", 1)));

        admission.process(message(6, "US", new AdmissionRequested()));
        assertThat(answers()).as("the fleet is full: a newcomer waits, fourth in line").containsExactly(Map.entry(6L, "ReinstallQueued"));
        assertThat(((ReinstallQueued) context.forwarded().getFirst().record().value().getPayload()).getPosition()).isEqualTo(4);
        context.resetForwards();

        admission.process(message(2, "US", new AdmissionReleased()));
        assertThat(answers()).as("NL is full: the first waiting US, not the older NL").containsExactly(Map.entry(4L, "AdmissionGranted"));
        context.resetForwards();

        admission.process(message(1, "NL", new AdmissionReleased()));
        assertThat(answers()).as("NL's slot to NL's first").containsExactly(Map.entry(3L, "AdmissionGranted"));
        assertThat(store.get("queue|0000000000000000007")).isNull();
        assertThat(store.get("slot|r-3")).isNotNull();
    }

    @Test
    void shouldNeverAdmitAReinstallReleasedWhileItWaitedNorQueueOneTwice() {
        AdmissionProcessor admission = started(new AdmissionSettings(1, 1, Map.of()));
        admission.process(message(1, "NL", new AdmissionRequested()));
        admission.process(message(2, "NL", new AdmissionRequested()));
        admission.process(message(2, "NL", new AdmissionRequested()));
        admission.process(message(3, "NL", new AdmissionRequested()));
        assertThat(answers()).containsExactly(Map.entry(1L, "AdmissionGranted"), Map.entry(2L, "ReinstallQueued"),
                Map.entry(3L, "ReinstallQueued"));
        context.resetForwards();

        admission.process(message(2, "NL", new AdmissionReleased()));
        admission.process(message(1, "NL", new AdmissionReleased()));
        assertThat(answers()).as("2 left the queue; 3 is next").containsExactly(Map.entry(3L, "AdmissionGranted"));
        try (var queue = store.prefixScan("queue|", new org.apache.kafka.common.serialization.StringSerializer())) {
            assertThat(queue.hasNext()).isFalse();
        }
    }

    @Test
    void shouldLendOnlyWhatTheCapLeavesRoomForAndCountASlotGivenBackOnce() {
        AdmissionProcessor admission = started(new AdmissionSettings(100, 5, Map.of()));
        admission.process(message(1, "NL", new AdmissionRequested()));
        admission.process(message(2, "NL", new AdmissionRequested()));
        assertThat(grantedReserves()).as("1 held + 2 lent; then 4 held: room for 1 more")
                .containsExactly(List.of("r-1#1", "r-1#2"), List.of("r-2#1"));
        assertThat(held()).isEqualTo(5);

        AdmissionReleased back = AdmissionReleased.newBuilder().setSlot("r-1#2").build();
        admission.process(message(1, "NL", back));
        admission.process(message(1, "NL", back));
        assertThat(held()).as("given back twice, counted once").isEqualTo(4);
    }

    @Test
    void shouldRecallWhatItLentWhenAReinstallWaitsAndLendNothingMeanwhile() {
        AdmissionProcessor admission = started(new AdmissionSettings(100, 4, Map.of()));
        admission.process(message(1, "NL", new AdmissionRequested()));   // held 1 + 2 lent
        admission.process(message(2, "NL", new AdmissionRequested()));   // 4: full
        context.resetForwards();

        admission.process(message(3, "NL", new AdmissionRequested()));
        admission.process(message(4, "NL", new AdmissionRequested()));
        assertThat(answers()).as("3 waits; the task of server 1, lent slots with its grant, is asked for them, once")
                .containsExactly(Map.entry(3L, "ReinstallQueued"), Map.entry(1L, "ReserveRecalled"), Map.entry(4L, "ReinstallQueued"));
        context.resetForwards();

        admission.process(message(1, "NL", AdmissionReleased.newBuilder().setSlot("r-1#1").build()));
        assertThat(answers()).containsExactly(Map.entry(3L, "AdmissionGranted"));
        assertThat(grantedReserves()).as("nothing lent while 4 waits").containsExactly(List.of());
    }

    @Test
    void shouldLendElsewhereWhileTheWaitingStandBehindTheirLocationsCapButNotTheFleets() {
        AdmissionProcessor admission = started(new AdmissionSettings(8, 8, Map.of("NL", 1)));
        admission.process(message(1, "NL", new AdmissionRequested()));   // NL full
        admission.process(message(2, "NL", new AdmissionRequested()));   // waits behind NL's cap
        admission.process(message(3, "US", new AdmissionRequested()));   // 1 + 3 = 4 held: room to lend
        admission.process(message(4, "US", new AdmissionRequested()));   // 4 + 1 + 2 = 7 held
        admission.process(message(5, "US", new AdmissionRequested()));   // 8: the fleet is full
        context.resetForwards();
        admission.process(message(6, "US", new AdmissionRequested()));   // waits behind the fleet's cap
        assertThat(answers()).as("lent slots of every location are recalled when the fleet is full")
                .containsExactly(Map.entry(6L, "ReinstallQueued"), Map.entry(3L, "ReserveRecalled"), Map.entry(4L, "ReserveRecalled"));
        context.resetForwards();

        admission.process(message(1, "NL", new AdmissionReleased()));
        assertThat(answers()).as("2 (NL, first in line) gets the slot").containsExactly(Map.entry(2L, "AdmissionGranted"));
        assertThat(grantedReserves()).as("6 still waits behind the fleet's cap: nothing lent").containsExactly(List.of());
    }

    private List<List<String>> grantedReserves() {
        return context.forwarded().stream().map(f -> f.record().value().getPayload())
                .filter(AdmissionGranted.class::isInstance).map(p -> ((AdmissionGranted) p).getReserved()).toList();
    }

    private int held() {
        int held = 0;
        try (var all = store.prefixScan("slot|", new org.apache.kafka.common.serialization.StringSerializer())) {
            while (all.hasNext()) {
                all.next();
                held++;
            }
        }
        return held;
    }

    private AdmissionProcessor started(AdmissionSettings settings) {
        AdmissionProcessor admission = new AdmissionProcessor(settings, new CommitPacer());
        admission.init(context);
        return admission;
    }

    private List<Map.Entry<Long, String>> answers() {
        return context.forwarded().stream()
                .map(f -> Map.entry(f.record().value().getServerId(), f.record().value().getPayload().getClass().getSimpleName()))
                .toList();
    }

    private static AdmissionEntry entry(long server, String location) {
        return AdmissionEntry.newBuilder().setServerId(server).setReinstallId("r-" + server).setLocation(location).setRequestedAt(T).build();
    }

    private static Record<String, AdmissionMessage> message(long server, String location, Object payload) {
        AdmissionMessage message = AdmissionMessage.newBuilder().setServerId(server).setReinstallId("r-" + server)
                .setLocation(location).setAt(T).setPayload(payload).build();
        return new Record<>(ReinstallTopics.ADMISSION_SCOPE, message, T.toEpochMilli());
    }
}
