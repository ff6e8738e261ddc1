package com.hostkey.reinstall.handler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The handler's bookkeeping between poll and commit, owned by its loop thread: a lane per server
 * (its commands in offset order, at most one running), the lanes ready to run, and for each
 * partition the offsets still unanswered. A partition's offset may be committed up to its oldest
 * unanswered command and no further, so a crash replays exactly the commands whose outcome was not
 * published.
 */
final class Pipeline {

    /** One server's commands: the running one and those waiting behind it. */
    private static final class Lane {
        final String server;
        final TopicPartition partition;
        final ArrayDeque<Work> waiting = new ArrayDeque<>();
        Work running;

        Lane(String server, TopicPartition partition) {
            this.server = server;
            this.partition = partition;
        }
    }

    /** A partition's read position and unanswered offsets. */
    private static final class Progress {
        final TreeSet<Long> unanswered = new TreeSet<>();
        long next = -1;
        long committed = -1;

        long committable() {
            return unanswered.isEmpty() ? next : unanswered.first();
        }
    }

    private final Map<String, Lane> lanes = new HashMap<>();
    /** Lanes with nothing running and something waiting, oldest first. */
    private final ArrayDeque<Lane> ready = new ArrayDeque<>();
    private final Map<TopicPartition, Progress> progress = new HashMap<>();
    private int running;
    private int buffered;

    /** A command to run after the server's earlier ones. */
    void queue(Work work) {
        Progress p = progress.computeIfAbsent(work.partition, tp -> new Progress());
        p.unanswered.add(work.offset);
        p.next = Math.max(p.next, work.offset + 1);
        Lane lane = lanes.computeIfAbsent(work.server, server -> new Lane(server, work.partition));
        if (lane.running == null && lane.waiting.isEmpty()) {
            ready.add(lane);
        }
        lane.waiting.add(work);
        buffered++;
    }

    /** A record with nothing to run (not a step command, or dead-lettered in this turn's transaction). */
    void skipped(TopicPartition partition, long offset) {
        Progress p = progress.computeIfAbsent(partition, tp -> new Progress());
        p.next = Math.max(p.next, offset + 1);
    }

    /** The next command of ready lanes, oldest lane first, while fewer than {@code maxRunning} run; now running. */
    List<Work> pickNext(int maxRunning) {
        List<Work> picked = new ArrayList<>();
        while (running < maxRunning && !ready.isEmpty()) {
            Lane lane = ready.poll();
            lane.running = lane.waiting.poll();
            running++;
            picked.add(lane.running);
        }
        return picked;
    }

    /**
     * A running command answered. False when this pipeline no longer knows it (abandoned by a
     * rebalance or a reconnect): its answer must not be published.
     */
    boolean answered(Work work) {
        Lane lane = lanes.get(work.server);
        if (lane == null || lane.running != work) {
            return false;
        }
        lane.running = null;
        running--;
        buffered--;
        Progress p = progress.get(work.partition);
        if (p != null) {
            p.unanswered.remove(work.offset);
        }
        if (lane.waiting.isEmpty()) {
            lanes.remove(work.server);
        } else {
            ready.add(lane);
        }
        return true;
    }

    /** The offsets that moved since the last commit: each partition up to its oldest unanswered command. */
    Map<TopicPartition, OffsetAndMetadata> advancedOffsets() {
        Map<TopicPartition, OffsetAndMetadata> offsets = committableOffsets();
        offsets.entrySet().removeIf(e -> e.getValue().offset() <= progress.get(e.getKey()).committed);
        return offsets;
    }

    /** Every partition's offset as far as it may be committed, moved since the last commit or not. */
    Map<TopicPartition, OffsetAndMetadata> committableOffsets() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        progress.forEach((partition, p) -> offsets.put(partition, new OffsetAndMetadata(p.committable())));
        return offsets;
    }

    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            Progress p = progress.get(partition);
            if (p != null) {
                p.committed = Math.max(p.committed, offset.offset());
            }
        });
    }

    /** Forgets the commands not started yet on these partitions (their offsets stay uncommitted). */
    void dropWaiting(Set<TopicPartition> partitions) {
        forget(partitions::contains, false);
    }

    /** Commands running on these partitions. */
    int runningOn(Set<TopicPartition> partitions) {
        int n = 0;
        for (Lane lane : lanes.values()) {
            if (lane.running != null && partitions.contains(lane.partition)) {
                n++;
            }
        }
        return n;
    }

    /** Forgets every command of these partitions, running or waiting, and their progress. */
    void abandon(Predicate<TopicPartition> partitions) {
        forget(partitions, true);
        progress.keySet().removeIf(partitions);
    }

    /** Marks the waiting (and, if asked, running) commands of these partitions abandoned and drops them. */
    private void forget(Predicate<TopicPartition> partitions, boolean runningToo) {
        ready.removeIf(lane -> partitions.test(lane.partition));
        Iterator<Lane> it = lanes.values().iterator();
        while (it.hasNext()) {
            Lane lane = it.next();
            if (!partitions.test(lane.partition)) {
                continue;
            }
            lane.waiting.forEach(work -> work.abandoned = true);
            buffered -= lane.waiting.size();
            lane.waiting.clear();
            if (runningToo && lane.running != null) {
                lane.running.abandoned = true;
                lane.running = null;
                running--;
                buffered--;
            }
            if (lane.running == null) {
                it.remove();
            }
        }
    }

    boolean isIdle() {
        return buffered == 0;
    }

    /** Commands read and not yet answered (running or waiting). */
    int buffered() {
        return buffered;
    }

    int running() {
        return running;
    }
}
