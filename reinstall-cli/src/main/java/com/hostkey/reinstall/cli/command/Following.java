package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ReinstallCli;
import com.hostkey.reinstall.cli.kafka.ReinstallFeed;
import com.hostkey.reinstall.cli.progress.ProgressModel;
import com.hostkey.reinstall.cli.watch.HumanProgressRenderer;
import com.hostkey.reinstall.cli.watch.JsonProgressRenderer;
import com.hostkey.reinstall.cli.watch.ProgressRenderer;
import com.hostkey.reinstall.cli.watch.ReinstallWatcher;
import java.time.Duration;
import java.util.List;

/** Runs a watch over a started feed: shared by watch, submit --watch and bulk --watch. */
final class Following {

    /** Without news for this long, a watch says where the reinstall stands. */
    static final Duration HEARTBEAT = Duration.ofMinutes(1);
    static final String DEFAULT_TIMEOUT = "2h";

    private Following() {}

    static int follow(ReinstallCli root, Output output, ReinstallFeed feed, List<ProgressModel> models, Duration timeout) {
        ProgressRenderer renderer = output.json() ? new JsonProgressRenderer(output.out()) : new HumanProgressRenderer(output.out());
        return new ReinstallWatcher(feed, root.context().clock(), renderer, HEARTBEAT).watch(models, timeout);
    }
}
