package com.hostkey.reinstall.cli.watch;

import com.hostkey.reinstall.cli.progress.Durations;
import com.hostkey.reinstall.cli.progress.ProgressFormatter;
import com.hostkey.reinstall.cli.progress.TimelineFormatter;
import com.hostkey.reinstall.cli.state.HistoryEntryView;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.cli.state.StepProgressView;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One line per history entry and per move of the projector's progress, with the time since the
 * watch began, the server and the progress bar; the table of the nine steps when joining a
 * reinstall under way, and for every server at the end.
 *
 * <pre>
 * [   +4.4s] 1001 [##########----------]  50% 6/9 installer stage 2/5: base system
 * [   +4.4s] 1001 [##########----------]  50%     now 6/9 installer stages 2-5
 * </pre>
 */
public final class HumanProgressRenderer implements ProgressRenderer {

    private final PrintWriter out;
    private final Instant start;

    /** @param start when the watch began: lines show the time since */
    public HumanProgressRenderer(PrintWriter out, Instant start) {
        this.out = out;
        this.start = start;
    }

    @Override
    public void waiting(WatchedReinstall watched, Instant now) {
        String awaited = switch (watched.target()) {
            case WatchTarget.Request request -> "waiting for the state projector to take up request " + request.requestId();
            case WatchTarget.Current current -> "waiting for a reinstall";
            case WatchTarget.Next next -> "waiting for its next reinstall";
        };
        print("Watching server " + watched.serverId() + ": " + awaited);
    }

    @Override
    public void following(WatchedReinstall watched, boolean joined, Instant now) {
        ReinstallStateView state = watched.state().orElseThrow();
        if (joined && watched.isEnded()) {
            return; // the table at the end says it all
        }
        if (joined) {
            out.println("Watching a reinstall under way:");
            ProgressFormatter.table(state, now).forEach(out::println);
            out.flush();
            return;
        }
        print(prefix(watched, now) + "     following reinstall " + state.reinstallId()
                + watched.requestId().map(id -> " (request " + id + ")").orElse("") + ": " + ProgressFormatter.where(state));
    }

    @Override
    public void entry(WatchedReinstall watched, HistoryEntryView entry, Instant now) {
        print(prefix(watched, now) + " " + TimelineFormatter.describe(entry));
    }

    @Override
    public void progressed(WatchedReinstall watched, Instant now) {
        print(prefix(watched, now) + "     now " + ProgressFormatter.where(watched.state().orElseThrow()));
    }

    @Override
    public void heartbeat(WatchedReinstall watched, Instant now) {
        String where = watched.state().map(state -> {
            StepProgressView progress = state.progress();
            Duration elapsed = progress == null ? null : progress.running().map(step -> step.elapsed(now)).orElse(null);
            return (elapsed == null ? "" : "in ") + ProgressFormatter.where(state) + (elapsed == null ? "" : " for " + Durations.format(elapsed));
        }).orElse(!watched.looked() ? "waiting for the state projector to answer"
                : watched.target() instanceof WatchTarget.Request request
                ? "waiting for the state projector to take up request " + request.requestId() : "waiting for a reinstall");
        print(prefix(watched, now) + "     still " + where);
    }

    @Override
    public void finished(List<WatchedReinstall> all, Duration timeout, Instant now) {
        for (WatchedReinstall watched : all) {
            out.println();
            ReinstallStateView state = watched.state().orElse(null);
            if (state != null) {
                ProgressFormatter.table(state, now).forEach(out::println);
            } else {
                out.println("Server " + watched.serverId() + watched.requestId().map(id -> "  request " + id).orElse("")
                        + ": no reinstall followed");
            }
            watched.ending().filter(ending -> state == null || !state.isTerminal())
                    .ifPresent(ending -> out.println("  Outcome: " + ending.text()));
            if (!watched.isEnded()) {
                out.println("  TIMEOUT: no outcome within " + Durations.format(timeout)
                        + "; the reinstall goes on: 'reinstall watch " + watched.serverId() + "' to follow it again");
            }
        }
        out.flush();
    }

    private String prefix(WatchedReinstall watched, Instant now) {
        return "[" + Durations.offset(Duration.between(start, now), 8) + "] " + watched.serverId() + " "
                + ProgressFormatter.barWithPercent(watched.state().orElse(null));
    }

    private void print(String line) {
        out.println(line);
        out.flush();
    }
}
