package com.hostkey.reinstall.cli.watch;

import com.hostkey.reinstall.cli.state.HistoryEntryView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** How a watch shows what the projector tells it: for people, or as JSON lines for scripts. */
public interface ProgressRenderer {

    /** The first answer showed nothing to follow yet: the server has no reinstall, or not the awaited one. */
    void waiting(WatchedReinstall watched, Instant now);

    /** The watch knows which reinstall it follows; {@code joined}: its first look found it already in the nine steps, or ended. */
    void following(WatchedReinstall watched, boolean joined, Instant now);

    /** A history entry of the followed reinstall, in the projector's words. */
    void entry(WatchedReinstall watched, HistoryEntryView entry, Instant now);

    /** The projector's progress for the followed reinstall moved. */
    void progressed(WatchedReinstall watched, Instant now);

    /** Nothing happened for a while: say where the reinstall stands, so a quiet watch is not mistaken for a hung one. */
    void heartbeat(WatchedReinstall watched, Instant now);

    /** The watch ends: every reinstall ended, or those not {@link WatchedReinstall#isEnded() ended} did not within {@code timeout}. */
    void finished(List<WatchedReinstall> watched, Duration timeout, Instant now);
}
