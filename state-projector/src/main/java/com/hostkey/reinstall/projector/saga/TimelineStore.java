package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.avro.HistoryEntry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The layout of the {@value ReinstallTopology#HISTORY_STORE} store, the one place its writer
 * ({@link HistoryProcessor}) and its readers (the dashboard) agree on: one {@link HistoryEntry} per
 * record, under {@code <server id>/<sequence number>}, the number counting the server's entries from
 * 0 and zero-padded to {@value #SEQ_DIGITS} digits. RocksDB orders keys by their UTF-8 bytes, so a
 * server's timeline is one contiguous key range in the order it was written, and appending an entry
 * writes that entry alone rather than the whole timeline again. The range of server 7 ({@code 7/}
 * to {@code 7/~}) never reaches server 70's: '/' sorts before every digit.
 */
public final class TimelineStore {

    /** Wide enough for a server that writes an entry every second for three centuries. */
    static final int SEQ_DIGITS = 10;
    private static final String ZEROS = "0".repeat(SEQ_DIGITS);

    private TimelineStore() {}

    /** An entry and its sequence number in its server's timeline. */
    record Numbered(long seq, HistoryEntry entry) {}

    static String key(String serverKey, long seq) {
        String digits = Long.toString(seq);
        return serverKey + '/' + ZEROS.substring(digits.length()) + digits;
    }

    /** Up to {@code limit} of the server's newest entries, newest first; reads nothing of other servers. */
    static List<Numbered> newest(ReadOnlyKeyValueStore<String, HistoryEntry> store, String serverKey, int limit) {
        List<Numbered> newest = new ArrayList<>(Math.min(limit, TimelineEntries.MAX_ENTRIES));
        try (KeyValueIterator<String, HistoryEntry> range = store.reverseRange(serverKey + '/', serverKey + "/~")) {
            while (newest.size() < limit && range.hasNext()) {
                KeyValue<String, HistoryEntry> next = range.next();
                newest.add(new Numbered(Long.parseLong(next.key.substring(next.key.length() - SEQ_DIGITS)), next.value));
            }
        }
        return newest;
    }

    /**
     * The server's timeline as the dashboard shows it: its newest {@value TimelineEntries#MAX_ENTRIES}
     * entries, oldest first; empty when it has none.
     */
    public static List<HistoryEntry> timeline(ReadOnlyKeyValueStore<String, HistoryEntry> store, String serverKey) {
        List<Numbered> newest = newest(store, serverKey, TimelineEntries.MAX_ENTRIES);
        List<HistoryEntry> timeline = new ArrayList<>(newest.size());
        for (int i = newest.size() - 1; i >= 0; i--) {
            timeline.add(newest.get(i).entry());
        }
        return timeline;
    }
}
