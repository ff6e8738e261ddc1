package com.hostkey.reinstall.cli.watch;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.Sleeper;
import com.hostkey.reinstall.cli.progress.Durations;
import com.hostkey.reinstall.cli.state.HistoryEntryView;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Follows reinstalls through the state projector: every {@code refresh} it asks for each watched
 * server's state and history ({@code GET /reinstalls/{serverId}} and {@code .../history}), hands
 * both to the server's {@link WatchedReinstall}, tells the renderer what is new, and ends when every
 * watched reinstall has ended or the timeout has passed. A moment after the end it looks at the
 * histories once more: the projector files the last entries of a reinstall just after its state.
 *
 * <p>A projector that cannot answer for a while (restarting or rebalancing: unreachable, 502, 503)
 * is asked again at every refresh until the timeout, with one warning per outage: a long watch
 * outlives a projector restart. A refused token (401, 403) ends the watch at once with
 * {@link ExitCode#PERMISSION}.
 *
 * <p>Answers the exit code: the worst outcome over the servers ({@link ExitCode#worst}),
 * {@link ExitCode#TIMEOUT} for a server without one.
 */
public final class ReinstallWatcher {

    /** Long enough for the projector to file the entries that trail a reinstall's last state. */
    static final Duration LAST_LOOK_DELAY = Duration.ofMillis(500);

    private final ReinstallStates projector;
    private final Clock clock;
    private final Sleeper sleeper;
    private final ProgressRenderer renderer;
    private final Consumer<String> warnings;
    private final Duration refresh;
    private final Duration heartbeat;
    private boolean outage;

    /**
     * @param warnings  where notes for people go (standard error), e.g. that the projector is not answering
     * @param refresh   how often to ask the projector
     * @param heartbeat how long without news before the renderer is asked to say where things stand; zero for never
     */
    public ReinstallWatcher(ReinstallStates projector, Clock clock, Sleeper sleeper, ProgressRenderer renderer,
                            Consumer<String> warnings, Duration refresh, Duration heartbeat) {
        this.projector = projector;
        this.clock = clock;
        this.sleeper = sleeper;
        this.renderer = renderer;
        this.warnings = warnings;
        this.refresh = refresh;
        this.heartbeat = heartbeat;
    }

    public int watch(List<WatchTarget> targets, Duration timeout) {
        List<WatchedReinstall> watched = targets.stream().map(WatchedReinstall::new).toList();
        Instant start = clock.instant();
        Instant deadline = start.plus(timeout);
        Map<WatchedReinstall, Instant> lastNews = new HashMap<>();
        watched.forEach(w -> lastNews.put(w, start));

        watched.forEach(w -> look(w, lastNews));
        while (watched.stream().anyMatch(w -> !w.isEnded())) {
            Instant now = clock.instant();
            if (!now.isBefore(deadline)) {
                break;
            }
            heartbeats(watched, lastNews, now);
            Duration left = Duration.between(now, deadline);
            sleeper.sleep(left.compareTo(refresh) < 0 ? left : refresh);
            watched.stream().filter(w -> !w.isEnded()).forEach(w -> look(w, lastNews));
        }
        List<WatchedReinstall> ended = watched.stream().filter(WatchedReinstall::endedWhileWatched).toList();
        if (!ended.isEmpty()) {
            sleeper.sleep(LAST_LOOK_DELAY);
            ended.forEach(this::lastLook);
        }

        int code = ExitCode.OK;
        for (WatchedReinstall w : watched) {
            code = ExitCode.worst(code, w.ending().map(WatchedReinstall.Ending::exitCode).orElse(ExitCode.TIMEOUT));
        }
        renderer.finished(watched, timeout, clock.instant());
        return code;
    }

    private void look(WatchedReinstall watched, Map<WatchedReinstall, Instant> lastNews) {
        Optional<ReinstallStateView> state;
        List<HistoryEntryView> history;
        try {
            state = projector.reinstall(watched.serverId());
            history = projector.history(watched.serverId());
        } catch (CliException e) {
            unavailable(e);
            return;
        }
        outage = false;
        boolean first = !watched.looked();
        WatchedReinstall.News news = watched.look(state, history);
        Instant now = clock.instant();
        if (news.adopted()) {
            renderer.following(watched, news.joined(), now);
        } else if (first && !watched.isEnded()) {
            renderer.waiting(watched, now);
        }
        news.entries().forEach(entry -> renderer.entry(watched, entry, now));
        if (news.progressed()) {
            renderer.progressed(watched, now);
        }
        if (first || news.adopted() || news.progressed() || !news.entries().isEmpty()) {
            lastNews.put(watched, now);
        }
    }

    private void lastLook(WatchedReinstall watched) {
        try {
            List<HistoryEntryView> history = projector.history(watched.serverId());
            Instant now = clock.instant();
            watched.newEntries(history).forEach(entry -> renderer.entry(watched, entry, now));
        } catch (CliException e) {
            unavailable(e);
        }
    }

    /** A projector that is not answering is asked again; anything else (a refused token) ends the watch. */
    private void unavailable(CliException e) {
        if (e.exitCode() != ExitCode.UNAVAILABLE) {
            throw e;
        }
        if (!outage) {
            warnings.accept(e.getMessage() + "; asking again every " + Durations.format(refresh) + " until the watch times out");
        }
        outage = true;
    }

    private void heartbeats(List<WatchedReinstall> watched, Map<WatchedReinstall, Instant> lastNews, Instant now) {
        if (heartbeat.isZero()) {
            return;
        }
        for (WatchedReinstall w : watched) {
            if (!w.isEnded() && !Duration.between(lastNews.get(w), now).minus(heartbeat).isNegative()) {
                renderer.heartbeat(w, now);
                lastNews.put(w, now);
            }
        }
    }
}
