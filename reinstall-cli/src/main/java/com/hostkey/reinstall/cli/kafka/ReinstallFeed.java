package com.hostkey.reinstall.cli.kafka;

import java.time.Duration;
import java.util.List;

/**
 * The watched servers' records on reinstall-events and reinstall-completions, from the end of
 * each topic as it was at {@link #start()}.
 */
public interface ReinstallFeed extends AutoCloseable {

    /** Fixes the starting positions at the current ends; call before publishing what is to be watched. */
    void start();

    /** The next records of the watched servers; empty when none came within {@code timeout}. */
    List<FeedItem> poll(Duration timeout);

    @Override
    void close();
}
