package com.hostkey.reinstall.handler;

import com.hostkey.reinstall.schemas.avro.CallIntent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the handler has said durably about each server's latest command on {@code reinstall-intents}
 * (compacted, key: server id), mirrored for the assigned partitions and owned by the loop thread.
 *
 * <p>The pipeline commits a partition's offset only up to its oldest unanswered command, so the
 * outcomes of later commands (other servers' lanes) are often published while the offset is still
 * behind them. A crash then redelivers those commands. Two kinds of record keep that safe:
 * <ul>
 *   <li><b>open</b>: written and committed before a call that must not be repeated blindly starts.
 *       Found when its command comes back, it means the outcome is unknown: answer AMBIGUOUS.</li>
 *   <li><b>answered</b>: written with the outcomes, naming the offset through which this server's
 *       outcomes are published ({@code answeredThrough}). A redelivered command at or below it is
 *       skipped: repeating it would repeat a reboot whose answer the saga has already acted on.</li>
 * </ul>
 * A record goes (tombstone) in the transaction whose offsets pass it.
 */
final class IntentLedger {

    /** What to do with a command read from the commands topic. */
    enum Verdict {
        /** Its outcome is published already: skip it. */
        ANSWERED,
        /** Its call was started and its outcome never published: do not repeat it, answer AMBIGUOUS. */
        OUTCOME_UNKNOWN,
        /** Run it. */
        RUN
    }

    /** The writes one transaction makes, in order; a null value is a tombstone. Keys are server ids. */
    record Changes(Map<Slot, CallIntent> writes) {
        boolean isEmpty() {
            return writes.isEmpty();
        }
    }

    /** One server's record: its command partition and its key. */
    record Slot(int partition, String server) {}

    private static final class OfPartition {
        final Map<String, CallIntent> byServer = new HashMap<>();
        /** Answered (not open) records by their answeredThrough offset, to drop once the committed offset passes them. */
        final TreeMap<Long, String> answeredByOffset = new TreeMap<>();
    }

    private final Map<Integer, OfPartition> partitions = new HashMap<>();

    Verdict verdict(int partition, String server, long offset, String commandId) {
        CallIntent known = record(new Slot(partition, server));
        if (known == null) {
            return Verdict.RUN;
        }
        if (offset <= known.getAnsweredThrough()) {
            return Verdict.ANSWERED;
        }
        return known.getOpen() && known.getCommandId().equals(commandId) ? Verdict.OUTCOME_UNKNOWN : Verdict.RUN;
    }

    /**
     * Records read from the topic for newly assigned partitions. An answered record at or past its
     * command partition's end ({@code ends}) cannot be about this incarnation of the topic (it was
     * deleted and created again): it is left out, and its server named in the answer.
     */
    List<String> load(Map<Integer, Map<String, CallIntent>> found, Map<Integer, Long> ends) {
        List<String> stale = new ArrayList<>();
        found.forEach((partition, records) -> records.forEach((server, intent) -> {
            long end = ends.getOrDefault(partition, Long.MAX_VALUE);
            if (!intent.getOpen() && intent.getAnsweredThrough() >= end) {
                stale.add(server);
            } else {
                put(new Slot(partition, server), intent);
            }
        }));
        return stale;
    }

    void forget(int partition) {
        partitions.remove(partition);
    }

    void clear() {
        partitions.clear();
    }

    /** Calls started by an earlier owner whose outcome was never published, e.g. {@code eq/reboot on 1023}. */
    List<String> openCalls() {
        List<String> open = new ArrayList<>();
        partitions.values().forEach(p -> p.byServer.values().stream().filter(CallIntent::getOpen)
                .forEach(i -> open.add(i.getCall() + " on " + i.getServerId())));
        return open;
    }

    /**
     * The records a commit must write: for each answered command an answered record (or a tombstone
     * when the commit's offsets pass it), an open record for each call about to start, and a
     * tombstone for each answered record the offsets pass.
     *
     * @param offsets what the commit sets each partition's committed offset to
     */
    Changes plan(Collection<Work> answered, Collection<Work> opening, Map<TopicPartition, OffsetAndMetadata> offsets, Instant now) {
        Map<Slot, CallIntent> writes = new LinkedHashMap<>();
        for (Work work : answered) {
            Slot slot = new Slot(work.partition.partition(), work.server);
            OffsetAndMetadata committed = offsets.get(work.partition);
            if (committed != null && work.offset < committed.offset()) {
                if (current(slot, writes) != null) {
                    writes.put(slot, null);
                }
            } else {
                writes.put(slot, answeredRecord(work, now));
            }
        }
        for (Work work : opening) {
            Slot slot = new Slot(work.partition.partition(), work.server);
            CallIntent before = current(slot, writes);
            writes.put(slot, CallIntent.newBuilder(work.intent)
                    .setOpen(true)
                    .setAnsweredThrough(before == null ? -1 : before.getAnsweredThrough())
                    .build());
        }
        offsets.forEach((partition, committed) -> {
            OfPartition p = partitions.get(partition.partition());
            if (p != null) {
                p.answeredByOffset.headMap(committed.offset()).values()
                        .forEach(server -> writes.putIfAbsent(new Slot(partition.partition(), server), null));
            }
        });
        return new Changes(writes);
    }

    /** The commit of {@code changes} went through. */
    void apply(Changes changes) {
        changes.writes().forEach(this::put);
    }

    private static CallIntent answeredRecord(Work work, Instant now) {
        return CallIntent.newBuilder()
                .setCommandId(work.command.getCommandId())
                .setServerId(work.command.getServerId())
                .setReinstallId(work.command.getReinstallId())
                .setCall(StepExecutor.callOf(work.command))
                .setStartedAt(work.intent != null ? work.intent.getStartedAt() : now)
                .setOpen(false)
                .setAnsweredThrough(work.offset)
                .build();
    }

    private CallIntent current(Slot slot, Map<Slot, CallIntent> writes) {
        return writes.containsKey(slot) ? writes.get(slot) : record(slot);
    }

    private CallIntent record(Slot slot) {
        OfPartition p = partitions.get(slot.partition());
        return p == null ? null : p.byServer.get(slot.server());
    }

    private void put(Slot slot, CallIntent intent) {
        OfPartition p = partitions.computeIfAbsent(slot.partition(), k -> new OfPartition());
        CallIntent before = intent == null ? p.byServer.remove(slot.server()) : p.byServer.put(slot.server(), intent);
        if (before != null && !before.getOpen()) {
            p.answeredByOffset.remove(before.getAnsweredThrough(), slot.server());
        }
        if (intent != null && !intent.getOpen()) {
            p.answeredByOffset.put(intent.getAnsweredThrough(), slot.server());
        }
        if (p.byServer.isEmpty()) {
            partitions.remove(slot.partition());
        }
    }
}
