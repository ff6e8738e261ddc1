package com.hostkey.reinstall.projector.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.hostkey.reinstall.schemas.avro.TaskSlot;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The saga's wake-ups are an index of its states, rebuilt from the store whenever Streams
 * initialises a task: a deadline survives a restart, a rebalance or a restore without a store of
 * its own.
 */
class WakeUpsTest extends ProjectorTopologyTestBase {

    private static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void shouldKeepOneWakeUpPerServerInWakeUpOrder() {
        WakeUps wakeUps = new WakeUps();
        wakeUps.set("7", Optional.of(T.plusSeconds(30)));
        wakeUps.set("70", Optional.of(T.plusSeconds(10)));
        wakeUps.set("8", Optional.of(T.plusSeconds(20)));
        wakeUps.set("7", Optional.of(T.plusSeconds(5)));   // moved, not added
        wakeUps.set("8", Optional.empty());                 // nothing to wake for any more

        assertThat(wakeUps.size()).isEqualTo(2);
        assertThat(wakeUps.of("8")).isEmpty();
        assertThat(wakeUps.dueBy(T.plusSeconds(4))).isEmpty();
        assertThat(wakeUps.dueBy(T.plusSeconds(10))).containsExactly(
                Map.entry("7", T.plusSeconds(5).toEpochMilli()), Map.entry("70", T.plusSeconds(10).toEpochMilli()));
        assertThat(wakeUps.dueBy(T.plusSeconds(60))).extracting(Map.Entry::getKey).containsExactly("7", "70");
    }

    @Test
    void shouldWakeTheOpenReinstallsOfAStoreItFindsAtInitialisation() {
        driveToReboot();
        ReinstallState waiting = state();
        assertThat(waiting.getPhase()).as("awaiting the reboot's answer").isEqualTo(ReinstallPhase.REBOOTING);
        Instant deadline = ReinstallStateMachine.wakeAt(waiting).orElseThrow();

        // A new task over a store that already holds the state, as after a restore: no timer was ever set on it.
        MockProcessorContext<String, Object> context = new MockProcessorContext<>(new Properties());
        KeyValueStore<String, ReinstallState> restored = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(ReinstallTopology.STATE_STORE), Serdes.String(), stateSerde())
                .withLoggingDisabled().build();
        restored.init(context.getStateStoreContext(), restored);
        context.addStateStore(restored);
        restored.put(KEY, waiting);
        restored.put("2002", ReinstallState.newBuilder(waiting).setServerId(2002).setPhase(ReinstallPhase.COMPLETED).build());
        context.setCurrentSystemTimeMs(deadline.minus(Duration.ofMinutes(10)).toEpochMilli());
        KeyValueStore<String, TaskSlot> slots = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(ReinstallTopology.TASK_SLOTS_STORE), Serdes.String(), registryTopics().taskSlotSerde())
                .withLoggingDisabled().build();
        slots.init(context.getStateStoreContext(), slots);
        context.addStateStore(slots);
        ReinstallSagaProcessor saga = new ReinstallSagaProcessor(new ReinstallStateMachine(SAGA), AdmissionSettings.defaults(),
                Duration.ofSeconds(1), SagaMetrics.disabled(), new CommitPacer());
        saga.init(context);
        MockProcessorContext.CapturedPunctuator timers = context.scheduledPunctuators().stream()
                .filter(punctuator -> punctuator.getInterval().equals(Duration.ofSeconds(1))).findFirst().orElseThrow();

        timers.getPunctuator().punctuate(deadline.minusSeconds(1).toEpochMilli());
        assertThat(context.forwarded()).as("nothing is due before the deadline").isEmpty();

        timers.getPunctuator().punctuate(deadline.plusSeconds(1).toEpochMilli());
        List<Object> events = context.forwarded().stream()
                .map(forwarded -> forwarded.record().value())
                .filter(ReinstallEvent.class::isInstance)
                .map(value -> ((ReinstallEvent) value).getPayload())
                .toList();
        assertThat(events).as("the stored deadline fired once, for the open reinstall only").hasSize(1)
                .first().isInstanceOf(DeadlineExceeded.class);
        assertThat(context.forwarded()).allSatisfy(forwarded -> assertThat(forwarded.record().key()).isEqualTo(KEY));
    }

    private static org.apache.kafka.common.serialization.Serde<ReinstallState> stateSerde() {
        return registryTopics().stateSerde();
    }

    private static ReinstallTopics registryTopics() {
        return ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID()));
    }
}
