package com.hostkey.reinstall.cli.kafka;

import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;

/** One record a watch follows: an event or a completion. */
public sealed interface FeedItem {

    long serverId();

    record Event(ReinstallEvent event) implements FeedItem {
        @Override
        public long serverId() {
            return event.getServerId();
        }
    }

    record Completion(ReinstallCompletion completion) implements FeedItem {
        @Override
        public long serverId() {
            return completion.getServerId();
        }
    }

    /** A record that could not be read (e.g. written with a schema the registry no longer has). */
    record Unreadable(long serverId, String topic, int partition, long offset, String reason) implements FeedItem {}
}
