package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.avro.TaskSlot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The admission slots one saga task holds ({@value ReinstallTopology#TASK_SLOTS_STORE}): those its
 * reinstalls were granted, and those {@link AdmissionProcessor} lent it in reserve with a grant. A
 * reinstall that needs a slot takes a free one of its location here, and goes straight on, instead of
 * asking the admission owner and waiting for its answer (two topic round trips). A slot that a
 * reinstall gives back stays here, free, if the owner let the task keep it (lent, or granted with a
 * reserve: capacity was plentiful), while the task keeps fewer than
 * {@link AdmissionSettings#taskReserve()} free slots of that location and the slot's term
 * ({@link AdmissionSettings#reserveTerm()}, from its grant) runs and the owner has not recalled the
 * slots of the location (a reinstall waits there); a free slot idle for
 * {@link AdmissionSettings#reserveIdle()} goes back too. Everything else goes back to the owner at once.
 *
 * <p>The saga processor is the store's only writer; the slots are few (the task's reinstalls in
 * flight and a reserve per location), so they are also kept in memory, read from the store whenever
 * Streams initialises the task. Store, state and admission messages change in one transaction, so
 * a slot is never in two places after a crash.
 */
final class TaskSlots {

    private final AdmissionSettings settings;
    private KeyValueStore<String, TaskSlot> store;
    private final Map<String, TaskSlot> slots = new HashMap<>();

    TaskSlots(AdmissionSettings settings) {
        this.settings = settings;
    }

    /** Reads the task's slots from its store: called whenever Streams initialises the task. */
    void init(KeyValueStore<String, TaskSlot> store) {
        this.store = store;
        slots.clear();
        try (KeyValueIterator<String, TaskSlot> all = store.all()) {
            all.forEachRemaining(kv -> slots.put(kv.key, kv.value));
        }
    }

    /**
     * Takes a free slot of {@code location} for a reinstall, if the task has one whose term still runs.
     *
     * @return the slot's name
     */
    Optional<String> take(String location, long serverId, String reinstallId, Instant now) {
        for (TaskSlot slot : slots.values()) {
            if (!slot.getInUse() && Objects.equals(slot.getLocation(), location) && withinTerm(slot, now)) {
                put(TaskSlot.newBuilder(slot).setServerId(serverId).setReinstallId(reinstallId).setInUse(true).setFreeSince(null).build());
                return Optional.of(slot.getSlot());
            }
        }
        return Optional.empty();
    }

    /**
     * A slot the admission owner granted to one of the task's reinstalls; {@code keep} when it came with a
     * reserve (capacity was plentiful), so the task may keep it after the reinstall.
     */
    void granted(String name, String location, long serverId, String reinstallId, boolean keep, Instant now) {
        if (!slots.containsKey(name)) {
            put(slot(name, location, serverId, reinstallId, now).setKeep(keep).setInUse(true).build());
        }
    }

    /** Slots the admission owner lent the task with a grant to {@code serverId}'s reinstall. */
    void lent(List<String> names, String location, long serverId, String reinstallId, Instant since, Instant now) {
        for (String name : names) {
            if (!slots.containsKey(name)) {
                put(slot(name, location, serverId, reinstallId, since).setKeep(true).setFreeSince(now).build());
            }
        }
    }

    /**
     * A reinstall that held slot {@code name} ended. True when the slot goes back to the admission
     * owner; false when the task keeps it free for its next reinstall of the same location.
     */
    boolean givesBack(String name, Instant now) {
        TaskSlot slot = slots.get(name);
        if (slot == null) {
            return true; // not on this task's books (a state restored from elsewhere): the owner decides
        }
        if (slot.getKeep() && withinTerm(slot, now) && freeOf(slot.getLocation()) < settings.taskReserve()) {
            put(TaskSlot.newBuilder(slot).setInUse(false).setFreeSince(now).build());
            return false;
        }
        remove(name);
        return true;
    }

    /** Free slots idle too long, or past their term: removed here, to be given back by the caller. */
    List<TaskSlot> idle(Instant now) {
        List<TaskSlot> back = new ArrayList<>();
        for (TaskSlot slot : slots.values()) {
            if (!slot.getInUse() && (!withinTerm(slot, now)
                    || !slot.getFreeSince().plus(settings.reserveIdle()).isAfter(now))) {
                back.add(slot);
            }
        }
        back.forEach(slot -> remove(slot.getSlot()));
        return back;
    }

    /**
     * The admission owner wants the slots of {@code location} back (a reinstall waits for one): the free
     * ones are removed here, to be given back by the caller; those in use go back when their reinstalls end.
     */
    List<TaskSlot> recalled(String location) {
        List<TaskSlot> back = new ArrayList<>();
        for (TaskSlot slot : List.copyOf(slots.values())) {
            if (!Objects.equals(slot.getLocation(), location)) {
                continue;
            }
            if (slot.getInUse()) {
                if (slot.getKeep()) {
                    put(TaskSlot.newBuilder(slot).setKeep(false).build());
                }
            } else {
                back.add(slot);
                remove(slot.getSlot());
            }
        }
        return back;
    }

    /** Free slots of {@code location}. */
    int freeOf(String location) {
        int free = 0;
        for (TaskSlot slot : slots.values()) {
            if (!slot.getInUse() && Objects.equals(slot.getLocation(), location)) {
                free++;
            }
        }
        return free;
    }

    private boolean withinTerm(TaskSlot slot, Instant now) {
        return slot.getSince().plus(settings.reserveTerm()).isAfter(now);
    }

    private static TaskSlot.Builder slot(String name, String location, long serverId, String reinstallId, Instant since) {
        return TaskSlot.newBuilder().setSlot(name).setLocation(location).setSince(since)
                .setServerId(serverId).setReinstallId(reinstallId).setInUse(false).setFreeSince(null);
    }

    private void put(TaskSlot slot) {
        store.put(slot.getSlot(), slot);
        slots.put(slot.getSlot(), slot);
    }

    private void remove(String name) {
        store.delete(name);
        slots.remove(name);
    }
}
