package com.hostkey.reinstall.cli.watch;

import com.hostkey.reinstall.schemas.ReinstallStep;
import com.hostkey.reinstall.cli.kafka.FeedItem;
import com.hostkey.reinstall.cli.progress.Durations;
import com.hostkey.reinstall.cli.progress.EventDescription;
import com.hostkey.reinstall.cli.progress.ProgressChange;
import com.hostkey.reinstall.cli.progress.ProgressFormatter;
import com.hostkey.reinstall.cli.progress.ProgressModel;
import com.hostkey.reinstall.cli.progress.StepStatus;
import com.hostkey.reinstall.cli.progress.StepView;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One line per fact, with the time since the watch began, the server, the progress bar and the
 * step; the table of the nine steps (with the time spent in each) at the start when the
 * reinstall is already under way, and for every server at the end.
 *
 * <pre>
 * [+   4.4s] 1001 [#########-----------]  44% 5/9 installer stage 1/5: OS installation was started
 * </pre>
 */
public final class HumanProgressRenderer implements ProgressRenderer {

    private final PrintWriter out;
    private Instant watchStart;

    public HumanProgressRenderer(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void started(List<ProgressModel> models, Instant now) {
        watchStart = now;
        for (ProgressModel model : models) {
            if (model.isFinished()) {
                continue;
            }
            if (model.reinstallId().isEmpty()) {
                out.println("Watching server " + model.serverId() + ": waiting for its next reinstall");
            } else if (model.validation() != StepStatus.PENDING) {
                out.println("Watching a reinstall under way:");
                ProgressFormatter.table(model, now).forEach(out::println);
            } else {
                out.println("Watching server " + model.serverId() + ", reinstall " + model.reinstallId().get());
            }
        }
        out.flush();
    }

    @Override
    public void changed(ProgressModel model, ProgressChange change, Instant now) {
        EventDescription description = change.description();
        out.println(prefix(model, now) + " " + description.line());
        out.flush();
    }

    @Override
    public void heartbeat(ProgressModel model, Instant now) {
        String where = model.running().map(step -> {
            StepView view = model.step(step);
            Duration elapsed = view.elapsed(now);
            return "in " + step.position() + " " + step.label() + (step == ReinstallStep.INSTALLER_STAGES ? " (stage " + model.highestStage() + "/5)" : "")
                    + (elapsed == null ? "" : " for " + Durations.format(elapsed));
        }).orElse(model.queuePosition().map(p -> "queued, position " + p).orElse("waiting for the next event"));
        out.println(prefix(model, now) + "     still " + where);
        out.flush();
    }

    @Override
    public void unreadable(FeedItem.Unreadable item) {
        out.println("warning: a record of server " + item.serverId() + " on " + item.topic() + " (partition " + item.partition()
                + ", offset " + item.offset() + ") cannot be read and is left out: " + item.reason());
        out.flush();
    }

    @Override
    public void finished(List<ProgressModel> models, Set<Long> timedOut, Duration timeout, Instant now) {
        for (ProgressModel model : models) {
            out.println();
            ProgressFormatter.table(model, now).forEach(out::println);
            if (timedOut.contains(model.serverId())) {
                out.println("  TIMEOUT: no outcome within " + Durations.format(timeout)
                        + "; the reinstall goes on: 'reinstall watch " + model.serverId() + "' to follow it again");
            }
        }
        out.flush();
    }

    private String prefix(ProgressModel model, Instant now) {
        Duration since = Duration.between(watchStart == null ? now : watchStart, now);
        return "[" + Durations.offset(since, 8) + "] " + model.serverId() + " " + ProgressFormatter.barWithPercent(model);
    }
}
