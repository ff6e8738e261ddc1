package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.cli.watch.WatchTarget;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code watch SERVER...}: each server's reinstall as the state projector shows it, asked every
 * {@code --refresh}: its history entries as they come, the moves of its progress through the nine
 * steps, and its outcome. Needs the projector only, not Kafka. A reinstall that already ended is
 * reported at once (unless {@code --next}). Exits with the outcome: 0 completed, 2 failed,
 * 3 cancelled, 4 rejected, 5 timeout; with several servers, the worst.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Follow reinstalls live through the state projector: its history entries, the nine steps, the time in each, the outcome.",
        "Exit code: 0 completed, 2 failed, 3 cancelled, 4 rejected, 5 timeout (several servers: the worst)."})
public final class WatchCommand extends CliCommand {

    @Parameters(arity = "1..*", paramLabel = "SERVER", converter = ServerIdConverter.class, description = "Hostkey server ids")
    List<Long> servers;

    @Option(names = "--next", description = "Pass over a reinstall that already ended; wait for the server's next one")
    boolean next;

    @Mixin
    Following following;

    @Override
    public Integer call() {
        List<WatchTarget> targets = new LinkedHashSet<>(servers).stream()
                .map(id -> next ? (WatchTarget) new WatchTarget.Next(id) : new WatchTarget.Current(id)).toList();
        return following.follow(root, output(), following.projector(root), targets);
    }
}
