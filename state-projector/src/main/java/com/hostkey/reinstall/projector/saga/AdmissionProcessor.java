package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.avro.AdmissionEntry;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AdmissionMessage;
import com.hostkey.reinstall.schemas.avro.AdmissionReleased;
import com.hostkey.reinstall.schemas.avro.AdmissionRequested;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallQueued;
import com.hostkey.reinstall.schemas.avro.ReserveLent;
import com.hostkey.reinstall.schemas.avro.ReserveRecalled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The one owner of reinstall slots. Reads reinstall-admissions (all under one key, so one task
 * sees every request and release in order), keeps who holds a slot and who waits in the
 * {@value ReinstallTopology#ADMISSION_STORE} store, and answers on reinstall-events (key: server id)
 * with AdmissionGranted or ReinstallQueued. Queued reinstalls are admitted in arrival order, skipping
 * those whose location is at its cap.
 *
 * <p>Slots have names: the reinstall a slot was first granted to, and for the reserve lent with that
 * grant the same name with {@code #1}, {@code #2}... While nobody waits and the caps leave room, a
 * grant lends the saga task of its server up to
 * {@link AdmissionSettings#taskReserve()} more slots of the location ({@link TaskSlots}): that task
 * admits its next reinstalls with them without asking, asks for more ({@link ReserveLent}) when it
 * took its last one, and gives every slot back here by name. A slot
 * counts as held from the grant until it comes back, wherever it is meanwhile (in a grant on its way,
 * with a reinstall, free in a task's reserve, in a release on its way): the caps are never exceeded.
 * When a reinstall has to wait, the tasks lent slots of its location (of every location, the fleet
 * being full) are told to give them back ({@link ReserveRecalled}), and nothing is lent
 * while anyone waits for a slot lending would take.
 *
 * <p>Store keys: {@code slot|<name>} for held slots, {@code active|<serverId>} for slots held since
 * before slots had names, {@code queue|<19-digit seq>} for the queue in order. The counts and an index
 * of the queue (per location, in arrival order; by reinstall) are derived from the store when the task
 * starts and kept beside it, this processor being the store's only writer: a release finds the next
 * reinstall to admit, or the waiting one it removes, without reading the queue (read whole per
 * release, a queue of thousands cost the projector more than everything else it did: figure 3 at
 * 5,000 reinstalls).
 */
final class AdmissionProcessor implements Processor<String, AdmissionMessage, String, ReinstallEvent> {

    /** Slots held since before slots had names, by server. */
    private static final String ACTIVE = "active|";
    private static final String SLOT = "slot|";
    private static final String QUEUE = "queue|";

    private final AdmissionSettings settings;
    private final CommitPacer pacer;
    private ProcessorContext<String, ReinstallEvent> context;
    private KeyValueStore<String, AdmissionEntry> store;
    private BacklogGuard backlog;
    private CommitPacer.Task commits;
    private int activeTotal;
    private final Map<String, Integer> activeByLocation = new HashMap<>();
    private long nextSeq;
    /** Waiting reinstalls by location key ({@link #key}), each in arrival order (seq to entry). */
    private final Map<String, TreeMap<Long, AdmissionEntry>> waiting = new HashMap<>();
    /** Each waiting reinstall by id, with its place in the queue. */
    private final Map<String, Waiting> waitingById = new HashMap<>();

    /**
     * By location: the servers whose grants lent slots there (to each, its reinstall), not recalled
     * since. Kept beside the store; after a restart, rebuilt from the lent slots still held.
     */
    private final Map<String, Map<Long, String>> lenders = new HashMap<>();

    private record Waiting(long seq, AdmissionEntry entry) {}

    AdmissionProcessor(AdmissionSettings settings, CommitPacer pacer) {
        this.settings = settings;
        this.pacer = pacer;
    }

    @Override
    public void init(ProcessorContext<String, ReinstallEvent> context) {
        this.context = context;
        this.store = context.getStateStore(ReinstallTopology.ADMISSION_STORE);
        this.backlog = BacklogGuard.standard(context.currentSystemTimeMs());
        this.commits = pacer.forTask(context, backlog);
        activeTotal = 0;
        activeByLocation.clear();
        lenders.clear();
        for (String held : new String[] {ACTIVE, SLOT}) {
            try (KeyValueIterator<String, AdmissionEntry> active = store.prefixScan(held, new StringSerializer())) {
                active.forEachRemaining(kv -> {
                    hold(kv.value.getLocation(), +1);
                    if (kv.key.indexOf('#') > 0) {
                        lent(kv.value);
                    }
                });
            }
        }
        waiting.clear();
        waitingById.clear();
        try (KeyValueIterator<String, AdmissionEntry> queue = store.prefixScan(QUEUE, new StringSerializer())) {
            queue.forEachRemaining(kv -> {
                long seq = Long.parseLong(kv.key.substring(QUEUE.length()));
                enqueued(seq, kv.value);
                nextSeq = Math.max(nextSeq, seq + 1);
            });
        }
    }

    @Override
    public void process(Record<String, AdmissionMessage> record) {
        AdmissionMessage message = record.value();
        if (message == null) {
            return;
        }
        // The message's timestamp is that of the record the saga decided on: old while the saga reads a backlog.
        long wallClock = context.currentSystemTimeMs();
        backlog.processed(record.timestamp(), wallClock);
        Instant now = ReinstallSagaProcessor.nowFor(record.timestamp(), wallClock);
        switch (message.getPayload()) {
            case AdmissionRequested requested when requested.getReserveOnly() -> topUp(message, now);
            case AdmissionRequested requested -> request(message, now);
            case AdmissionReleased released -> release(message, released, now);
            default -> { }
        }
    }

    /** A task took its last free slot of a location: more reserve for it, if nobody waits and the caps leave room. */
    private void topUp(AdmissionMessage message, Instant now) {
        AdmissionEntry entry = entryOf(message);
        List<String> lent = lend(entry);
        if (!lent.isEmpty()) {
            emit(entry, ReserveLent.newBuilder().setLocation(entry.getLocation()).setReserved(lent).build(), now);
        }
    }

    private static AdmissionEntry entryOf(AdmissionMessage message) {
        return AdmissionEntry.newBuilder()
                .setServerId(message.getServerId())
                .setReinstallId(message.getReinstallId())
                .setLocation(message.getLocation())
                .setRequestedAt(message.getAt())
                .build();
    }

    private void request(AdmissionMessage message, Instant now) {
        if (store.get(SLOT + message.getReinstallId()) != null || legacyHolder(message) != null
                || waitingById.containsKey(message.getReinstallId())) {
            return; // already holds its slot, or already waits for one
        }
        AdmissionEntry entry = entryOf(message);
        // Whoever waits is blocked by a full cap (room is handed out at every release), so room for
        // this location now means no earlier arrival could use it.
        if (hasRoom(entry.getLocation())) {
            grant(entry, now);
            return;
        }
        long seq = nextSeq++;
        store.put(queueKey(seq), entry);
        enqueued(seq, entry);
        emit(entry, ReinstallQueued.newBuilder().setPosition(waitingById.size()).build(), now);
        recallReserves(activeTotal >= settings.maxActive() ? List.copyOf(lenders.keySet()) : List.of(key(entry.getLocation())), now);
    }

    /**
     * Asks the tasks lent slots of these locations to give back the free ones, and the others when
     * their reinstalls end: a reinstall waits for one. Each task is reached through a server of its
     * own, the one whose grant lent it slots (it may be asked more than once: giving back is idempotent).
     */
    private void recallReserves(List<String> locations, Instant now) {
        for (String location : locations) {
            Map<Long, String> servers = lenders.remove(location);
            if (servers == null) {
                continue;
            }
            String named = location.isEmpty() ? null : location;
            servers.forEach((server, reinstall) -> emit(server, reinstall, ReserveRecalled.newBuilder().setLocation(named).build(), now));
        }
    }

    /**
     * Lends the task of {@code entry}'s server what {@link #reserveFor} allows: slots named after its
     * reinstall ({@code <reinstall id>#1}...), held from now on.
     */
    private List<String> lend(AdmissionEntry entry) {
        List<String> reserve = new ArrayList<>();
        int lend = reserveFor(entry.getLocation());
        for (int i = 1; i <= lend; i++) {
            String name = entry.getReinstallId() + "#" + i;
            if (store.get(SLOT + name) == null) {
                store.put(SLOT + name, entry);
                hold(entry.getLocation(), +1);
                reserve.add(name);
            }
        }
        if (!reserve.isEmpty()) {
            lent(entry);
        }
        return reserve;
    }

    private void lent(AdmissionEntry grant) {
        lenders.computeIfAbsent(key(grant.getLocation()), k -> new HashMap<>()).put(grant.getServerId(), grant.getReinstallId());
    }

    private void release(AdmissionMessage message, AdmissionReleased released, Instant now) {
        String name = released.getSlot() != null ? released.getSlot() : message.getReinstallId();
        AdmissionEntry held = store.get(SLOT + name);
        if (held != null) {
            store.delete(SLOT + name);
            hold(held.getLocation(), -1);
            admitWaiting(now);
            return;
        }
        if (!name.equals(message.getReinstallId())) {
            return; // a slot given back twice: nothing left to count
        }
        AdmissionEntry legacy = legacyHolder(message);
        if (legacy != null) {
            store.delete(ACTIVE + message.getServerId());
            hold(legacy.getLocation(), -1);
            admitWaiting(now);
            return;
        }
        // Released while still waiting (cancelled, failed or timed out in the queue).
        Waiting gone = waitingById.get(message.getReinstallId());
        if (gone != null) {
            dequeue(gone.seq(), gone.entry());
        }
    }

    /** The slot this reinstall holds since before slots had names, if any. */
    private AdmissionEntry legacyHolder(AdmissionMessage message) {
        AdmissionEntry holder = store.get(ACTIVE + message.getServerId());
        return holder != null && holder.getReinstallId().equals(message.getReinstallId()) ? holder : null;
    }

    /**
     * Admits queued reinstalls in arrival order while there is room for them: each time the earliest
     * arrival among the locations below their cap.
     */
    private void admitWaiting(Instant now) {
        admitWhileRoom(now);
        if (!waitingById.isEmpty() && activeTotal >= settings.maxActive()) {
            // The fleet's cap stops whoever waits: lent slots of any location would do.
            recallReserves(List.copyOf(lenders.keySet()), now);
        }
    }

    private void admitWhileRoom(Instant now) {
        while (activeTotal < settings.maxActive()) {
            Map.Entry<Long, AdmissionEntry> next = null;
            for (TreeMap<Long, AdmissionEntry> location : waiting.values()) {
                Map.Entry<Long, AdmissionEntry> head = location.firstEntry();
                if (head != null && (next == null || head.getKey() < next.getKey()) && hasRoom(head.getValue().getLocation())) {
                    next = head;
                }
            }
            if (next == null) {
                return;
            }
            dequeue(next.getKey(), next.getValue());
            grant(next.getValue(), now);
        }
    }

    private void enqueued(long seq, AdmissionEntry entry) {
        waiting.computeIfAbsent(key(entry.getLocation()), k -> new TreeMap<>()).put(seq, entry);
        waitingById.put(entry.getReinstallId(), new Waiting(seq, entry));
    }

    private void dequeue(long seq, AdmissionEntry entry) {
        store.delete(queueKey(seq));
        TreeMap<Long, AdmissionEntry> location = waiting.get(key(entry.getLocation()));
        if (location != null) {
            location.remove(seq);
            if (location.isEmpty()) {
                waiting.remove(key(entry.getLocation()));
            }
        }
        waitingById.remove(entry.getReinstallId());
    }

    private static String queueKey(long seq) {
        return QUEUE + String.format("%019d", seq);
    }

    private void grant(AdmissionEntry entry, Instant now) {
        store.put(SLOT + entry.getReinstallId(), entry);
        hold(entry.getLocation(), +1);
        List<String> reserve = lend(entry);
        long waited = Math.max(0, now.toEpochMilli() - entry.getRequestedAt().toEpochMilli());
        emit(entry, AdmissionGranted.newBuilder().setWaitedMillis(waited).setSlot(entry.getReinstallId())
                .setLocation(entry.getLocation()).setReserved(reserve).build(), now);
    }

    /**
     * How many slots to lend with a grant: while nobody waits for one of the location (or for any, the
     * fleet being full), as many as the task may keep
     * ({@link AdmissionSettings#taskReserve()}) and the fleet's and the location's caps leave room for.
     * A lent slot lies idle until used; the first reinstall that has to wait has them recalled.
     */
    private int reserveFor(String location) {
        if (anyoneWaitsFor(location)) {
            return 0;
        }
        int lend = settings.taskReserve();
        while (lend > 0 && (activeTotal + lend > settings.maxActive()
                || activeByLocation.getOrDefault(key(location), 0) + lend > settings.limitFor(location))) {
            lend--;
        }
        return lend;
    }

    /**
     * Whether a waiting reinstall could use a slot of {@code location}: one of the location itself, or
     * one elsewhere whose location has room (the fleet's cap stops it, and any slot counts against that).
     */
    private boolean anyoneWaitsFor(String location) {
        if (waiting.containsKey(key(location))) {
            return true;
        }
        for (TreeMap<Long, AdmissionEntry> queue : waiting.values()) {
            String elsewhere = queue.firstEntry().getValue().getLocation();
            if (activeByLocation.getOrDefault(key(elsewhere), 0) < settings.limitFor(elsewhere)) {
                return true;
            }
        }
        return false;
    }

    private boolean hasRoom(String location) {
        return activeTotal < settings.maxActive()
                && activeByLocation.getOrDefault(key(location), 0) < settings.limitFor(location);
    }

    private void hold(String location, int delta) {
        activeTotal += delta;
        activeByLocation.merge(key(location), delta, Integer::sum);
    }

    private static String key(String location) {
        return location == null ? "" : location;
    }

    private void emit(AdmissionEntry entry, Object payload, Instant now) {
        emit(entry.getServerId(), entry.getReinstallId(), payload, now);
    }

    private void emit(long serverId, String reinstallId, Object payload, Instant now) {
        ReinstallEvent event = ReinstallStateMachine.issued(serverId, reinstallId, payload, now);
        context.forward(new Record<>(String.valueOf(serverId), event, now.toEpochMilli()));
        commits.forwarded();
    }
}
