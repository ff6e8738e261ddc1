package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.avro.HistoryEntry;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
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
 * <p>Keyed by server id like the saga's store, in the same sub-topology, so the instance that
 * owns a server's state owns its history too.
 */
final class HistoryProcessor implements Processor<String, Object, Void, Void> {

    /** A record read twice (a retried poll, a replay after a crash) lands among the newest entries. */
    private static final int DUPLICATE_WINDOW = 20;
    private static final Pattern SERVER_KEY = Pattern.compile("\\d{1,18}");

    private KeyValueStore<String, ReinstallHistory> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(ReinstallTopology.HISTORY_STORE);
    }

    @Override
    public void process(Record<String, Object> record) {
        if (record.key() == null || !SERVER_KEY.matcher(record.key()).matches()) {
            return;
        }
        Optional<HistoryEntry> entry = switch (record.value()) {
            case ReinstallEvent event when String.valueOf(event.getServerId()).equals(record.key()) -> Optional.of(TimelineEntries.of(event));
            // A request keyed by another server is refused by the saga: its refusal event tells the story.
            case ReinstallRequest command when RequestRouter.otherServersKey(record.headers(), record.key()).isEmpty() ->
                    TimelineEntries.of(command);
            case null, default -> Optional.empty();
        };
        entry.ifPresent(e -> append(record.key(), e));
    }

    private void append(String serverKey, HistoryEntry entry) {
        ReinstallHistory history = store.get(serverKey);
        List<HistoryEntry> entries = history == null ? new ArrayList<>() : new ArrayList<>(history.getEntries());
        for (int i = Math.max(0, entries.size() - DUPLICATE_WINDOW); i < entries.size(); i++) {
            if (entries.get(i).getId().equals(entry.getId())) {
                return;
            }
        }
        entries.add(entry);
        if (entries.size() > TimelineEntries.MAX_ENTRIES) {
            entries = new ArrayList<>(entries.subList(entries.size() - TimelineEntries.MAX_ENTRIES, entries.size()));
        }
        store.put(serverKey, ReinstallHistory.newBuilder().setServerId(Long.parseLong(serverKey)).setEntries(entries).build());
    }
}
