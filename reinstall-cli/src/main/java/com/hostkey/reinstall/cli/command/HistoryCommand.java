package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.cli.progress.TimelineFormatter;
import com.hostkey.reinstall.cli.state.HistoryEntryView;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code history SERVER [--reinstall ID]}: the server's timeline as the state projector keeps it
 * ({@code GET /reinstalls/{serverId}/history}: its last 100 entries across the server's
 * reinstalls, in the projector's words), grouped by reinstall with the time between entries.
 * {@code --json} prints {@link TimelineFormatter#json}.
 */
@Command(name = "history", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Show a server's timeline from the state projector, grouped by reinstall, with the time between entries.",
        "The projector keeps a server's last " + HistoryCommand.KEPT + " entries (requests and events, across its reinstalls)."})
public final class HistoryCommand extends CliCommand {

    /**
     * How many entries the projector keeps per server (its HistoryProcessor.MAX_ENTRIES, which it
     * does not serve): an answer this long may have lost older ones.
     */
    static final int KEPT = 100;

    @Parameters(index = "0", paramLabel = "SERVER", converter = ServerIdConverter.class, description = "Hostkey server id")
    long serverId;

    @Option(names = "--reinstall", paramLabel = "ID", description = "Only this reinstall's entries")
    String reinstallId;

    @Override
    public Integer call() {
        Output output = output();
        List<HistoryEntryView> entries = root.states().history(serverId);
        List<TimelineFormatter.Timeline> timelines = TimelineFormatter.group(entries).stream()
                .filter(t -> reinstallId == null || reinstallId.equals(t.reinstallId())).toList();
        if (timelines.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, reinstallId == null ? "SERVER" : "--reinstall",
                    "the state projector keeps no history for server " + serverId + (reinstallId == null ? "" : " and reinstall " + reinstallId),
                    "check the server id" + (reinstallId == null ? "" : " and the reinstall id (the projector keeps the last "
                            + KEPT + " entries)") + "; 'reinstall status " + serverId + "' shows the current one", null);
        }
        if (output.json()) {
            output.document(TimelineFormatter.json(timelines));
            return 0;
        }
        output.lines(TimelineFormatter.lines(timelines));
        if (entries.size() >= KEPT) {
            output.line("(the state projector keeps a server's last " + KEPT + " entries: older ones are gone)");
        }
        return 0;
    }
}
