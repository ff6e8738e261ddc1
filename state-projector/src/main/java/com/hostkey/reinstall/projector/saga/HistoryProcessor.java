package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.avro.HistoryEntry;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReserveLent;
import com.hostkey.reinstall.schemas.avro.ReserveRecalled;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Owns the {@value ReinstallTopology#HISTORY_STORE} store: for every record of reinstall-events
 * (the handler's, the poller's and the saga's own) and every upstream command on
 * reinstall-requests (request, cancel, release, with who issued it; routed by server id), appends one
 * {@link HistoryEntry} to the server's timeline, keeping the newest {@value TimelineEntries#MAX_ENTRIES}. Step
 * commands never come here: the events that answer them tell the story. Forwards nothing.
 *
 * <p>Appending writes the new entry under its own key ({@link TimelineStore}) and, once the server
 * has more than {@value TimelineEntries#MAX_ENTRIES}, removes the one that falls out: the timeline
 * is never read back and written whole (that was 15 % of the stream thread, figure 3's profile).
 * What an append needs to know, the server's next sequence number and the ids of its newest entries,
 * is kept in memory for the servers this task wrote last; for any other server it is read once from
 * the newest entries of its key range.
 *
 * <p>Keyed by server id like the saga's store, in the same sub-topology, so the instance that
 * owns a server's state owns its history too.
 */
final class HistoryProcessor implements Processor<String, Object, Void, Void> {

    /** A record read twice (a retried poll, a replay after a crash) lands among the newest entries. */
    static final int DUPLICATE_WINDOW = 20;
    /** Servers whose tail is kept in memory, per task: the servers in flight, at about 2 KB each (the ids). */
    static final int RECENT_SERVERS = 4_096;

    /**
     * The tails of the servers this task appended to last. Right only because this processor is the
     * store's only writer; emptied whenever Streams (re)initialises the task, whose store may then
     * hold anything the changelog restored.
     */
    private final Map<String, Tail> tails;
    private KeyValueStore<String, HistoryEntry> store;

    HistoryProcessor() {
        this(RECENT_SERVERS);
    }

    /** @param recentServers how many servers' tails to keep in memory */
    HistoryProcessor(int recentServers) {
        this.tails = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Tail> eldest) {
                return size() > recentServers;
            }
        };
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        tails.clear();
        this.store = context.getStateStore(ReinstallTopology.HISTORY_STORE);
    }

    @Override
    public void process(Record<String, Object> record) {
        if (!isServerKey(record.key())) {
            return;
        }
        Optional<HistoryEntry> entry = switch (record.value()) {
            // Slots lent or recalled are addressed to the server's task, not about the server.
            case ReinstallEvent event when event.getPayload() instanceof ReserveRecalled || event.getPayload() instanceof ReserveLent ->
                    Optional.empty();
            case ReinstallEvent event when String.valueOf(event.getServerId()).equals(record.key()) -> Optional.of(TimelineEntries.of(event));
            // A request keyed by another server is refused by the saga: its refusal event tells the story.
            case ReinstallRequest command when RequestRouter.otherServersKey(record.headers(), record.key()).isEmpty() ->
                    TimelineEntries.of(command);
            case null, default -> Optional.empty();
        };
        entry.ifPresent(e -> append(record.key(), e));
    }

    private void append(String serverKey, HistoryEntry entry) {
        Tail tail = tails.get(serverKey);
        if (tail == null) {
            tail = Tail.read(store, serverKey);
            tails.put(serverKey, tail);
        }
        if (tail.recentIds.contains(entry.getId())) {
            return;
        }
        long seq = tail.next;
        store.put(TimelineStore.key(serverKey, seq), entry);
        if (seq >= TimelineEntries.MAX_ENTRIES) {
            // A put of null removes the key without delete()'s read and deserialisation of the value it returns.
            store.put(TimelineStore.key(serverKey, seq - TimelineEntries.MAX_ENTRIES), null);
        }
        tail.appended(entry.getId());
    }

    /** What appending to one server's timeline needs: its next sequence number and the ids of its newest entries. */
    private static final class Tail {
        private long next;
        /** Oldest first, at most {@value #DUPLICATE_WINDOW}. */
        private final ArrayDeque<String> recentIds = new ArrayDeque<>(DUPLICATE_WINDOW);

        static Tail read(KeyValueStore<String, HistoryEntry> store, String serverKey) {
            Tail tail = new Tail();
            List<TimelineStore.Numbered> newest = TimelineStore.newest(store, serverKey, DUPLICATE_WINDOW);
            if (!newest.isEmpty()) {
                tail.next = newest.get(0).seq() + 1;
            }
            for (int i = newest.size() - 1; i >= 0; i--) {
                tail.recentIds.addLast(newest.get(i).entry().getId());
            }
            return tail;
        }

        void appended(String id) {
            next++;
            if (recentIds.size() == DUPLICATE_WINDOW) {
                recentIds.removeFirst();
            }
            recentIds.addLast(id);
        }
    }

    /** One to 18 ASCII digits: a regex here was 2 % of the stream thread (figure 3's final profile). */
    static boolean isServerKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 18) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
