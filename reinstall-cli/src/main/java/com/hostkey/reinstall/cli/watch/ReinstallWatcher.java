package com.hostkey.reinstall.cli.watch;

import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.kafka.FeedItem;
import com.hostkey.reinstall.cli.kafka.ReinstallFeed;
import com.hostkey.reinstall.cli.progress.ProgressChange;
import com.hostkey.reinstall.cli.progress.ProgressModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Follows the feed, folds each record into its server's {@link ProgressModel}, tells the renderer,
 * and ends when every watched reinstall has an outcome or the timeout passes. Answers the exit
 * code: the worst outcome over the servers ({@link ExitCode#worst}), {@link ExitCode#TIMEOUT} for
 * a server without one.
 */
public final class ReinstallWatcher {

    /** Long enough for an event that raced its completion across topics to arrive. */
    static final Duration DRAIN = Duration.ofMillis(300);
    private static final Duration MAX_POLL = Duration.ofMillis(500);

    private final ReinstallFeed feed;
    private final Clock clock;
    private final ProgressRenderer renderer;
    private final Duration heartbeat;

    /** @param heartbeat how long without news before the renderer is asked to say where things stand; zero for never */
    public ReinstallWatcher(ReinstallFeed feed, Clock clock, ProgressRenderer renderer, Duration heartbeat) {
        this.feed = feed;
        this.clock = clock;
        this.renderer = renderer;
        this.heartbeat = heartbeat;
    }

    public int watch(List<ProgressModel> models, Duration timeout) {
        Map<Long, ProgressModel> byServer = new LinkedHashMap<>();
        models.forEach(model -> byServer.put(model.serverId(), model));
        Instant start = clock.instant();
        Instant deadline = start.plus(timeout);
        Map<Long, Instant> lastNews = new HashMap<>();
        models.forEach(model -> lastNews.put(model.serverId(), start));
        renderer.started(models, start);

        while (models.stream().anyMatch(m -> !m.isFinished())) {
            Instant now = clock.instant();
            if (!now.isBefore(deadline)) {
                break;
            }
            Duration left = Duration.between(now, deadline);
            for (FeedItem item : feed.poll(left.compareTo(MAX_POLL) < 0 ? left : MAX_POLL)) {
                route(byServer.get(item.serverId()), item, lastNews);
            }
            if (!heartbeat.isZero()) {
                Instant after = clock.instant();
                for (ProgressModel model : models) {
                    if (!model.isFinished() && !Duration.between(lastNews.get(model.serverId()), after).minus(heartbeat).isNegative()) {
                        renderer.heartbeat(model, after);
                        lastNews.put(model.serverId(), after);
                    }
                }
            }
        }
        if (models.stream().anyMatch(ProgressModel::isFinished)) {
            for (FeedItem item : feed.poll(DRAIN)) {
                route(byServer.get(item.serverId()), item, lastNews);
            }
        }
        Set<Long> timedOut = new LinkedHashSet<>();
        int code = ExitCode.OK;
        for (ProgressModel model : models) {
            if (model.isFinished()) {
                code = ExitCode.worst(code, model.outcome().get().exitCode());
            } else {
                timedOut.add(model.serverId());
                code = ExitCode.worst(code, ExitCode.TIMEOUT);
            }
        }
        renderer.finished(models, timedOut, timeout, clock.instant());
        return code;
    }

    private void route(ProgressModel model, FeedItem item, Map<Long, Instant> lastNews) {
        if (model == null) {
            return;
        }
        Optional<ProgressChange> change = switch (item) {
            case FeedItem.Event event -> model.apply(event.event());
            case FeedItem.Completion completion -> model.complete(completion.completion());
            case FeedItem.Unreadable unreadable -> {
                renderer.unreadable(unreadable);
                yield Optional.empty();
            }
        };
        // After the outcome, late events (they raced the completion across topics) only complete the table.
        change.filter(c -> c.finished() || !model.isFinished()).ifPresent(c -> {
            Instant now = clock.instant();
            lastNews.put(model.serverId(), now);
            renderer.changed(model, c, now);
        });
    }
}
