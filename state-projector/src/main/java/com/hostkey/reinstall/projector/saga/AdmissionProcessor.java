package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.avro.AdmissionEntry;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AdmissionMessage;
import com.hostkey.reinstall.schemas.avro.AdmissionReleased;
import com.hostkey.reinstall.schemas.avro.AdmissionRequested;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallQueued;
import java.time.Instant;
import java.util.HashMap;
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
 * <p>Store keys: {@code active|<serverId>} for slot holders, {@code queue|<19-digit seq>} for the
 * queue in order. The counts and an index of the queue (per location, in arrival order; by reinstall)
 * are derived from the store when the task starts and kept beside it, this processor being the
 * store's only writer: a release finds the next reinstall to admit, or the waiting one it removes,
 * without reading the queue (read whole per release, a queue of thousands cost the projector more
 * than everything else it did: figure 3 at 5,000 reinstalls).
 */
final class AdmissionProcessor implements Processor<String, AdmissionMessage, String, ReinstallEvent> {

    private static final String ACTIVE = "active|";
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
        try (KeyValueIterator<String, AdmissionEntry> active = store.prefixScan(ACTIVE, new StringSerializer())) {
            active.forEachRemaining(kv -> hold(kv.value.getLocation(), +1));
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
            case AdmissionRequested requested -> request(message, now);
            case AdmissionReleased released -> release(message, now);
            default -> { }
        }
    }

    private void request(AdmissionMessage message, Instant now) {
        AdmissionEntry holder = store.get(ACTIVE + message.getServerId());
        if (holder != null && holder.getReinstallId().equals(message.getReinstallId())
                || waitingById.containsKey(message.getReinstallId())) {
            return; // already holds its slot, or already waits for one
        }
        AdmissionEntry entry = AdmissionEntry.newBuilder()
                .setServerId(message.getServerId())
                .setReinstallId(message.getReinstallId())
                .setLocation(message.getLocation())
                .setRequestedAt(message.getAt())
                .build();
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
    }

    private void release(AdmissionMessage message, Instant now) {
        String activeKey = ACTIVE + message.getServerId();
        AdmissionEntry holder = store.get(activeKey);
        if (holder != null && holder.getReinstallId().equals(message.getReinstallId())) {
            store.delete(activeKey);
            hold(holder.getLocation(), -1);
            admitWaiting(now);
            return;
        }
        // Released while still waiting (cancelled, failed or timed out in the queue).
        Waiting gone = waitingById.get(message.getReinstallId());
        if (gone != null) {
            dequeue(gone.seq(), gone.entry());
        }
    }

    /**
     * Admits queued reinstalls in arrival order while there is room for them: each time the earliest
     * arrival among the locations below their cap.
     */
    private void admitWaiting(Instant now) {
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
        store.put(ACTIVE + entry.getServerId(), entry);
        hold(entry.getLocation(), +1);
        long waited = Math.max(0, now.toEpochMilli() - entry.getRequestedAt().toEpochMilli());
        emit(entry, AdmissionGranted.newBuilder().setWaitedMillis(waited).build(), now);
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
        ReinstallEvent event = ReinstallEvent.newBuilder()
                .setEventId(entry.getReinstallId() + ":" + payload.getClass().getSimpleName() + ":" + now.toEpochMilli())
                .setServerId(entry.getServerId())
                .setReinstallId(entry.getReinstallId())
                .setCommandId(null)
                .setOccurredAt(now)
                .setSource(ReinstallStateMachine.ISSUER)
                .setPayload(payload)
                .build();
        context.forward(new Record<>(String.valueOf(entry.getServerId()), event, now.toEpochMilli()));
        commits.forwarded();
    }
}
