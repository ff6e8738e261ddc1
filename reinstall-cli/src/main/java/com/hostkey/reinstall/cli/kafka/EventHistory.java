package com.hostkey.reinstall.cli.kafka;

import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.util.List;

/** A server's events on reinstall-events, from the beginning of the log to its current end. */
public interface EventHistory extends AutoCloseable {

    Result read(long serverId);

    @Override
    void close();

    /** The events in log order, and how many of the server's records could not be read. */
    record Result(List<ReinstallEvent> events, int unreadable) {}
}
