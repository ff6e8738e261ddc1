package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.DurationConverter;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ReinstallCli;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import com.hostkey.reinstall.cli.watch.HumanProgressRenderer;
import com.hostkey.reinstall.cli.watch.JsonProgressRenderer;
import com.hostkey.reinstall.cli.watch.ProgressRenderer;
import com.hostkey.reinstall.cli.watch.ReinstallWatcher;
import com.hostkey.reinstall.cli.watch.WatchTarget;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Following reinstalls through the state projector, shared by watch, submit --watch and bulk
 * --watch: their {@code --timeout} and {@code --refresh}, and the run of a {@link ReinstallWatcher}.
 */
final class Following {

    /** Without news for this long, a watch says where the reinstall stands. */
    static final Duration HEARTBEAT = Duration.ofMinutes(1);
    /** Asking more often than this would only load the projector: a reinstall's steps take seconds to minutes. */
    static final Duration MIN_REFRESH = Duration.ofMillis(100);

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2h", converter = DurationConverter.class,
            description = "Watching: give up after this long (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "Watching: how often to ask the state projector (default ${DEFAULT-VALUE})")
    Duration refresh;

    /**
     * The projector to ask, after checking these options and its settings: called before anything
     * is published, so that a request is not sent only for its watch to fail on a setting.
     */
    ReinstallStates projector(ReinstallCli root) {
        if (refresh.compareTo(MIN_REFRESH) < 0) {
            throw CliException.usage("--refresh", "--refresh must be at least " + MIN_REFRESH.toMillis() + "ms", "e.g. --refresh 1s");
        }
        return root.states();
    }

    /** Follows {@code targets} to their ends; answers the exit code ({@link ReinstallWatcher#watch}). */
    int follow(ReinstallCli root, Output output, ReinstallStates projector, List<WatchTarget> targets) {
        ProgressRenderer renderer = output.json() ? new JsonProgressRenderer(output.out())
                : new HumanProgressRenderer(output.out(), root.context().clock().instant());
        return new ReinstallWatcher(projector, root.context().clock(), root.context().sleeper(), renderer, output::warn, refresh,
                HEARTBEAT).watch(targets, timeout);
    }
}
