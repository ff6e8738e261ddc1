package com.hostkey.reinstall.projector.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.avro.AdmissionEntry;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AdmissionMessage;
import com.hostkey.reinstall.schemas.avro.AdmissionReleased;
import com.hostkey.reinstall.schemas.avro.AdmissionRequested;
import com.hostkey.reinstall.schemas.avro.CreateReinstallKey;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.hostkey.reinstall.schemas.avro.ReserveLent;
import com.hostkey.reinstall.schemas.avro.ReserveRecalled;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.TaskSlot;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Task reserves ({@link TaskSlots}): a saga task admits a reinstall with a slot the admission owner
 * lent it, without asking, and the caps still hold whatever the order of grants, releases and loans.
 */
class TaskReserveTest extends ProjectorTopologyTestBase {

    private TestOutputTopic<String, AdmissionMessage> admissionsOut;

    @Override
    protected void start(AdmissionSettings admission) {
        super.start(admission);
        admissionsOut = driver.createOutputTopic(topics.admissions.name(), Serdes.String().deserializer(),
                topics.admissions.valueSerde().deserializer());
    }

    @Test
    void shouldAdmitFromTheTaskReserveWithoutAskingTheOwner() {
        submit(1001, "a", List.of(), List.of());
        answer(nextCommand(ValidateReinstall.class), validated());
        assertThat(nextCommand(CreateReinstallKey.class).getServerId()).isEqualTo(1001);
        assertThat(admissionsOut.readValuesToList()).extracting(m -> m.getPayload().getClass().getSimpleName())
                .containsExactly(AdmissionRequested.class.getSimpleName());
        AdmissionGranted owners = grants().getFirst();
        assertThat(owners.getFromReserve()).isFalse();
        assertThat(owners.getReserved()).as("capacity is plentiful: two slots lent with the grant").hasSize(2);

        submit(1002, "b", List.of(), List.of());
        answer(nextCommand(ValidateReinstall.class), validated());

        assertThat(nextCommand(CreateReinstallKey.class).getServerId()).as("admitted at once").isEqualTo(1002);
        assertThat(admissionsOut.isEmpty()).as("the owner was not asked").isTrue();
        AdmissionGranted local = grants().getFirst();
        assertThat(local.getFromReserve()).isTrue();
        assertThat(owners.getReserved()).contains(local.getSlot());
        assertThat(stateOf(1002).getAdmissionSlot()).isEqualTo(local.getSlot());
        assertThat(heldAtOwner()).as("the owner counts the grant and its loan").isEqualTo(3);
    }

    @Test
    void shouldAskForMoreReserveWhenItTakesTheLastFreeSlot() {
        for (long server = 1001; server <= 1004; server++) {
            submit(server, "r" + server, List.of(), List.of());
            answer(nextCommand(ValidateReinstall.class), validated());
            assertThat(nextCommand(CreateReinstallKey.class).getServerId()).isEqualTo(server);
        }
        assertThat(admissionsOut.readValuesToList()).extracting(m -> m.getServerId() + ":" + m.getPayload())
                .as("1001 asks; 1003 took the last lent slot and asked for more, off its own path; 1004 took one of those")
                .containsExactly("1001:{\"reserveOnly\": false}", "1003:{\"reserveOnly\": true}");
        assertThat(drainEventPayloads()).hasAtLeastOneElementOfType(ReserveLent.class);
        assertThat(heldAtOwner()).as("1 granted + 2 lent + 2 lent").isEqualTo(5);
    }

    @Test
    void shouldKeepAFreedSlotForTheNextReinstallAndGiveBackWhatLiesIdle() {
        submit(1001, "a", List.of(), List.of());
        answer(nextCommand(ValidateReinstall.class), validated());
        failKeyCreation(nextCommand(CreateReinstallKey.class));
        assertThat(released()).as("two free in reserve already: the grant's own slot goes back")
                .containsExactly(stateOfGrant());
        submit(1002, "b", List.of(), List.of());
        answer(nextCommand(ValidateReinstall.class), validated());
        failKeyCreation(nextCommand(CreateReinstallKey.class));
        assertThat(admissionsOut.isEmpty()).as("admitted from the reserve, and its slot kept for the next").isTrue();
        assertThat(freeSlots()).isEqualTo(2);

        advance(AdmissionSettings.DEFAULT_RESERVE_IDLE.plusSeconds(2));

        assertThat(released()).as("idle slots go back").hasSize(2);
        assertThat(heldAtOwner()).isZero();
        assertThat(freeSlots()).isZero();
    }

    @Test
    void shouldRecallTheReserveWhenAReinstallWaitsSoTheQueueMovesOn() {
        // Fleet cap 4: 1001's grant lends two slots, which 1002 and 1003 take; 1004 asks; 1005 waits.
        start(new AdmissionSettings(4, 4, Map.of()));
        for (long server = 1001; server <= 1005; server++) {
            submit(server, "r" + server, List.of(), List.of());
        }
        for (StepCommand validate : drainCommands()) {
            answer(validate, validated());
        }
        assertThat(stateOf(1005).getPhase()).isEqualTo(ReinstallPhase.QUEUED);
        assertThat(drainEventPayloads()).as("the slot lent to 1001's task is recalled").hasAtLeastOneElementOfType(ReserveRecalled.class);
        drainCommands();

        failKeyCreation(keyCommandOf(1001));

        assertThat(stateOf(1005).getPhase()).as("1001's slot went back and the owner gave it to 1005")
                .isEqualTo(ReinstallPhase.CREATING_REINSTALL_KEY);
    }

    /**
     * A flood of one location in random order, with random ends: the reinstalls holding a slot never
     * outnumber the cap, the cap is reached (the check could fail), some admissions come from the
     * reserve, and once everything ended and the reserve lay idle, every slot is back with the owner.
     */
    @Test
    void shouldNeverHoldMoreThanTheCapWhateverTheOrderAndGiveEverySlotBack() {
        int cap = 8;
        start(new AdmissionSettings(100, 100, Map.of("NL", cap)));
        Random random = new Random(20261205L);
        int servers = 80;
        long nextServer = 1001;
        int mostHeld = 0;
        while (nextServer < 1001 + servers || open() > 0) {
            int choice = random.nextInt(3);
            if (choice == 0 && nextServer < 1001 + servers) {
                submit(nextServer, "r" + nextServer, List.of(), List.of());
                nextServer++;
            } else if (choice == 1) {
                inPhase(ReinstallPhase.VALIDATING, random).ifPresent(server -> answer(pendingOf(server, ValidateReinstall.class), validated()));
            } else {
                inPhase(ReinstallPhase.CREATING_REINSTALL_KEY, random).ifPresent(server -> failKeyCreation(keyCommandOf(server)));
            }
            drainCommands();
            int held = holdingASlot();
            assertThat(held).as("reinstalls holding a slot of NL").isLessThanOrEqualTo(cap);
            mostHeld = Math.max(mostHeld, held);
        }
        assertThat(mostHeld).as("the flood filled the cap").isEqualTo(cap);
        assertThat(eventsOut.readValuesToList()).as("some admitted from the reserve")
                .anyMatch(e -> e.getPayload() instanceof AdmissionGranted g && g.getFromReserve());

        advance(AdmissionSettings.DEFAULT_RESERVE_IDLE.plusSeconds(2));

        assertThat(heldAtOwner()).as("every slot back with the owner").isZero();
        assertThat(freeSlots()).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private List<AdmissionGranted> grants() {
        return drainEventPayloads().stream().filter(AdmissionGranted.class::isInstance).map(AdmissionGranted.class::cast).toList();
    }

    private List<String> released() {
        return admissionsOut.readValuesToList().stream().filter(m -> m.getPayload() instanceof AdmissionReleased)
                .map(m -> ((AdmissionReleased) m.getPayload()).getSlot()).toList();
    }

    private String stateOfGrant() {
        return stateOf(1001).getReinstallId();
    }

    private void failKeyCreation(StepCommand createKey) {
        answer(createKey, HostkeyCallFailed.newBuilder().setCall("eq/reinstall").setErrorClass(HostkeyErrorClass.REJECTED)
                .setMessage("server busy").build());
    }

    private StepCommand keyCommandOf(long server) {
        return pendingOf(server, CreateReinstallKey.class);
    }

    /** The command a server's state waits on ({@code type}: for the reader), as the handler would answer it. */
    private StepCommand pendingOf(long server, Class<?> type) {
        ReinstallState state = stateOf(server);
        assertThat(state.getPendingCommandId()).as("server %d waits on a command", server).isNotNull();
        return StepCommand.newBuilder()
                .setCommandId(state.getPendingCommandId())
                .setServerId(server)
                .setReinstallId(state.getReinstallId())
                .setIssuedAt(clock)
                .setNotAfter(clock.plusSeconds(60))
                .setPayload(CreateReinstallKey.newBuilder().setAccount("default").build()) // answer() reads only the ids
                .build();
    }

    private java.util.Optional<Long> inPhase(ReinstallPhase phase, Random random) {
        List<Long> in = new ArrayList<>();
        try (var all = store.all()) {
            all.forEachRemaining(kv -> {
                if (kv.value.getPhase() == phase) {
                    in.add(kv.value.getServerId());
                }
            });
        }
        return in.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(in.get(random.nextInt(in.size())));
    }

    private int open() {
        return count(store, (key, state) -> !ReinstallStateMachine.isTerminal(state.getPhase()));
    }

    private int holdingASlot() {
        return count(store, (key, state) -> state.getAdmissionSlot() != null);
    }

    private int heldAtOwner() {
        KeyValueStore<String, AdmissionEntry> owner = driver.getKeyValueStore(ReinstallTopology.ADMISSION_STORE);
        return count(owner, (key, entry) -> key.startsWith("slot|") || key.startsWith("active|"));
    }

    private int freeSlots() {
        KeyValueStore<String, TaskSlot> slots = driver.getKeyValueStore(ReinstallTopology.TASK_SLOTS_STORE);
        return count(slots, (key, slot) -> !slot.getInUse());
    }

    private static <V> int count(KeyValueStore<String, V> store, java.util.function.BiPredicate<String, V> which) {
        int count = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, V> next = all.next();
                count += which.test(next.key, next.value) ? 1 : 0;
            }
        }
        return count;
    }
}
