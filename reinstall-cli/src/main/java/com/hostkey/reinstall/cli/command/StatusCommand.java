package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.cli.progress.ProgressFormatter;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code status SERVER}: the server's reinstall as the state projector holds it, with its step
 * table (the projector's {@code progress}); {@code --json} prints the projector's answer as it came.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the state of a server's reinstall (from the state projector).")
public final class StatusCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "SERVER", converter = ServerIdConverter.class, description = "Hostkey server id")
    long serverId;

    @Override
    public Integer call() {
        Output output = output();
        ReinstallStateView view = root.states().reinstall(serverId).orElseThrow(() -> new CliException(ExitCode.NOT_FOUND, "SERVER",
                "the state projector knows no reinstall for server " + serverId,
                "check the server id; 'reinstall list' shows the servers it knows", null));
        if (output.json()) {
            output.document(view.json());
            return 0;
        }
        output.lines(lines(view, context().clock().instant()));
        return 0;
    }

    static List<String> lines(ReinstallStateView view, Instant now) {
        List<String> lines = new ArrayList<>();
        lines.add("Server " + view.serverId() + ": " + view.phaseName()
                + (view.installStage() > 0 ? ", installer stage " + view.installStage() + "/5" : "")
                + (view.queuePosition() != null && view.queuePosition() > 0 ? ", queue position " + view.queuePosition() : "")
                + (view.cancelRequested() && !view.isTerminal() ? ", cancel requested" : ""));
        lines.add("  reinstall    " + view.reinstallId() + "  (request " + view.requestId() + ", account " + view.account() + ")");
        lines.add("  OS           " + view.osId() + (view.osName() == null ? "" : " (" + view.osName() + ")") + ", hostname "
                + view.hostname());
        if (view.serverType() != null || view.location() != null) {
            lines.add("  server       " + (view.serverType() == null ? "" : view.serverType() + " ")
                    + (view.location() == null ? "" : "in " + view.location()));
        }
        List<String> optional = view.optionalJenkinsTasks() == null ? List.of() : view.optionalJenkinsTasks();
        if (!view.jenkinsTasks().isEmpty() || !optional.isEmpty()) {
            lines.add("  tasks        " + String.join(", ", view.jenkinsTasks())
                    + (optional.isEmpty() ? "" : (view.jenkinsTasks().isEmpty() ? "" : "; ") + "optional: " + String.join(", ", optional)));
        }
        lines.add("  requested    " + view.requestedAt() + (view.updatedAt() == null ? "" : ", updated " + view.updatedAt())
                + (view.finishedAt() == null ? "" : ", finished " + view.finishedAt()));
        if (view.failureKind() != null || view.failureMessage() != null) {
            lines.add("  failure      " + (view.failureKind() == null ? "" : view.failureKind() + ": ")
                    + (view.failureMessage() == null ? "" : view.failureMessage()));
        }
        if (view.consecutiveFailures() != null && view.consecutiveFailures() > 0) {
            lines.add("  failures     " + view.consecutiveFailures() + " in a row (enough of them quarantine the server;"
                    + " 'reinstall release " + view.serverId() + "' lifts it)");
        }
        List<String> table = ProgressFormatter.table(view, now);
        lines.addAll(table.subList(1, table.size()));
        return lines;
    }
}
