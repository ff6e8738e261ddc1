package com.hostkey.reinstall.cli.watch;

import com.hostkey.reinstall.cli.kafka.FeedItem;
import com.hostkey.reinstall.cli.progress.ProgressChange;
import com.hostkey.reinstall.cli.progress.ProgressModel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** How a watch shows what happens: for people, or as JSON lines for scripts. */
public interface ProgressRenderer {

    /** The watch begins; seeded models already show the steps done so far. */
    void started(List<ProgressModel> models, Instant now);

    void changed(ProgressModel model, ProgressChange change, Instant now);

    /** Nothing happened for a while: say where the reinstall stands, so a quiet watch is not mistaken for a hung one. */
    void heartbeat(ProgressModel model, Instant now);

    void unreadable(FeedItem.Unreadable item);

    /** The watch ends: every model finished, or {@code timedOut} did not within {@code timeout}. */
    void finished(List<ProgressModel> models, Set<Long> timedOut, Duration timeout, Instant now);
}
