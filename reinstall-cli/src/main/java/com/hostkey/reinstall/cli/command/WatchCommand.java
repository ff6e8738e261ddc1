package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.DurationConverter;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.cli.kafka.KafkaSettings;
import com.hostkey.reinstall.cli.kafka.ReinstallFeed;
import com.hostkey.reinstall.cli.progress.ProgressModel;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import com.hostkey.reinstall.cli.watch.HumanProgressRenderer;
import com.hostkey.reinstall.cli.watch.JsonProgressRenderer;
import com.hostkey.reinstall.cli.watch.ProgressRenderer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code watch SERVER...}: live progress of each server's reinstall, from reinstall-events and
 * reinstall-completions, read from their current end. The projector's state (when reachable)
 * shows the steps already done; a reinstall that already ended is reported at once (unless
 * {@code --next}). Exits with the outcome: 0 completed, 2 failed, 3 cancelled, 4 rejected,
 * 5 timeout; with several servers, the worst.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Follow reinstalls live: the nine steps, the installer's five stages, the time spent in each, the outcome.",
        "Exit code: 0 completed, 2 failed, 3 cancelled, 4 rejected, 5 timeout (several servers: the worst)."})
public final class WatchCommand extends CliCommand {

    @Parameters(arity = "1..*", paramLabel = "SERVER", converter = ServerIdConverter.class, description = "Hostkey server ids")
    List<Long> servers;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = Following.DEFAULT_TIMEOUT, converter = DurationConverter.class,
            description = "Give up waiting after this long (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--next", description = "Ignore a reinstall that already ended; wait for the server's next one")
    boolean next;

    @Override
    public Integer call() {
        Output output = output();
        Set<Long> ids = new LinkedHashSet<>(servers);
        ProjectorStates states = new ProjectorStates(root.states(), output);
        Map<Long, Optional<ReinstallStateView>> before = new LinkedHashMap<>();
        for (long id : ids) {
            before.put(id, states.of(id));
        }
        // A reinstall that already ended needs no Kafka: report it and be done.
        boolean allEnded = !next && before.values().stream().allMatch(s -> s.isPresent() && s.get().isTerminal());
        if (allEnded) {
            List<ProgressModel> models = new ArrayList<>();
            before.forEach((id, view) -> {
                ProgressModel model = ProgressModel.forServer(id);
                model.seed(view.get(), true);
                models.add(model);
            });
            return report(output, models);
        }
        KafkaSettings kafka = root.kafka();
        try (ReinstallFeed feed = context().connectors().feed(kafka, ids)) {
            feed.start();
            List<ProgressModel> models = new ArrayList<>();
            for (long id : ids) {
                ProgressModel model = ProgressModel.forServer(id);
                // Read again after the feed's start: nothing between the two can be missed.
                Optional<ReinstallStateView> now = states.available() ? states.of(id) : before.get(id);
                Optional<ReinstallStateView> earlier = before.get(id);
                boolean endedMeanwhile = now.isPresent() && now.get().isTerminal() && earlier.isPresent() && !earlier.get().isTerminal()
                        && now.get().reinstallId() != null && now.get().reinstallId().equals(earlier.get().reinstallId());
                now.ifPresent(view -> model.seed(view, !next || endedMeanwhile));
                models.add(model);
            }
            return Following.follow(root, output, feed, models, timeout);
        }
    }

    /**
     * The projector's states, as far as it answers: the watch works from the events alone, it only
     * cannot show the steps done before it began. After one failure it is not asked again.
     */
    private static final class ProjectorStates {
        private final ReinstallStates states;
        private final Output output;
        private boolean available = true;

        ProjectorStates(ReinstallStates states, Output output) {
            this.states = states;
            this.output = output;
        }

        boolean available() {
            return available;
        }

        Optional<ReinstallStateView> of(long id) {
            if (!available) {
                return Optional.empty();
            }
            try {
                return states.reinstall(id);
            } catch (CliException e) {
                if (e.exitCode() != ExitCode.UNAVAILABLE && e.exitCode() != ExitCode.PERMISSION) {
                    throw e;
                }
                available = false;
                output.warn(e.getMessage() + "; following events from now on only");
                return Optional.empty();
            }
        }
    }

    private int report(Output output, List<ProgressModel> models) {
        ProgressRenderer renderer = output.json() ? new JsonProgressRenderer(output.out()) : new HumanProgressRenderer(output.out());
        Instant now = context().clock().instant();
        renderer.finished(models, Set.of(), timeout, now);
        return models.stream().mapToInt(m -> m.outcome().get().exitCode()).reduce(ExitCode.OK, ExitCode::worst);
    }
}
