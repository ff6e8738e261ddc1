package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.DurationConverter;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.cli.kafka.EventHistory;
import com.hostkey.reinstall.cli.progress.TimelineFormatter;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code history SERVER}: the server's event timeline from reinstall-events (only the partition
 * its key lives on, from the beginning to the current end, committed records only), with the time
 * between events.
 */
@Command(name = "history", mixinStandardHelpOptions = true, sortOptions = false, description = "Show a server's event timeline (from reinstall-events), with durations.")
public final class HistoryCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "SERVER", converter = ServerIdConverter.class, description = "Hostkey server id")
    long serverId;

    @Option(names = "--reinstall", paramLabel = "ID", description = "Only this reinstall's events")
    String reinstallId;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "Give up reading after this long (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() {
        Output output = output();
        EventHistory.Result result;
        try (EventHistory history = context().connectors().history(root.kafka(), timeout)) {
            result = history.read(serverId);
        }
        List<ReinstallEvent> events = result.events().stream()
                .filter(e -> reinstallId == null || reinstallId.equals(e.getReinstallId())).toList();
        if (result.unreadable() > 0) {
            output.warn(result.unreadable() + " record(s) of server " + serverId + " could not be read and are left out");
        }
        if (events.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, reinstallId == null ? "SERVER" : "--reinstall",
                    "no events for server " + serverId + (reinstallId == null ? "" : " and reinstall " + reinstallId) + " on reinstall-events",
                    "check the server id" + (reinstallId == null ? "" : " and the reinstall id") + "; 'reinstall status "
                            + serverId + "' shows the current one", null);
        }
        List<TimelineFormatter.Timeline> timelines = TimelineFormatter.group(events);
        if (output.json()) {
            output.document(TimelineFormatter.json(timelines));
        } else {
            output.lines(TimelineFormatter.lines(timelines));
        }
        return 0;
    }
}
