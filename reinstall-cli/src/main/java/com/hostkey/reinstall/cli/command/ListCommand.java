package com.hostkey.reinstall.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.progress.Durations;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code list [--phase P]... [--location L] [--active]}: the reinstalls the projector holds. */
@Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false, description = "List reinstalls (from the state projector), optionally by phase and location.")
public final class ListCommand extends CliCommand {

    private static final Set<ReinstallPhase> TERMINAL = EnumSet.of(ReinstallPhase.COMPLETED, ReinstallPhase.FAILED,
            ReinstallPhase.CANCELLED, ReinstallPhase.REJECTED);

    @Option(names = "--phase", paramLabel = "PHASE", split = ",",
            description = "Only these phases (repeatable, case-insensitive): ${COMPLETION-CANDIDATES}")
    List<ReinstallPhase> phases = new ArrayList<>();

    @Option(names = "--location", paramLabel = "LOCATION", description = "Only servers at this location")
    String location;

    @Option(names = "--active", description = "Only reinstalls in progress (every phase but COMPLETED, FAILED, CANCELLED, REJECTED)")
    boolean active;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "At most N reinstalls, the most recently updated first (1-1000, default ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
        Output output = output();
        Set<ReinstallPhase> wanted = phases.isEmpty() ? EnumSet.noneOf(ReinstallPhase.class) : EnumSet.copyOf(phases);
        if (active) {
            Set<ReinstallPhase> running = EnumSet.complementOf(EnumSet.copyOf(TERMINAL));
            if (wanted.isEmpty()) {
                wanted = running;
            } else {
                wanted.retainAll(running);
                if (wanted.isEmpty()) {
                    throw CliException.usage("--phase", "--active with only finished phases matches nothing",
                            "drop --active or choose a phase in progress");
                }
            }
        }
        if (limit < 1 || limit > 1000) {
            throw CliException.usage("--limit", "--limit must be 1-1000, got " + limit, null);
        }
        Comparator<ReinstallStateView> newestFirst = Comparator.comparing(ReinstallStateView::updatedAt,
                Comparator.nullsLast(Comparator.reverseOrder()));
        List<ReinstallStateView> states = root.states().list(wanted, location == null || location.isBlank() ? null : location.strip(), limit)
                .stream().sorted(newestFirst.thenComparingLong(ReinstallStateView::serverId)).toList();
        if (output.json()) {
            List<JsonNode> json = states.stream().map(ReinstallStateView::json).toList();
            output.document(json);
            return 0;
        }
        if (states.isEmpty()) {
            output.line("No reinstalls match.");
            return 0;
        }
        output.lines(table(states, context().clock().instant()));
        if (states.size() == limit) {
            output.line("(only the " + limit + " most recently updated; --limit raises it, --phase and --location narrow it)");
        }
        return 0;
    }

    static List<String> table(List<ReinstallStateView> states, Instant now) {
        String format = "%-10s %-22s %-5s %-28s %-10s %-30s %s";
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, format, "SERVER", "PHASE", "STAGE", "OS", "LOCATION", "HOSTNAME", "UPDATED"));
        for (ReinstallStateView s : states) {
            String os = (s.osId() == null ? "" : s.osId() + " ") + (s.osName() == null ? "" : s.osName());
            String updated = s.updatedAt() == null ? "" : Durations.format(Duration.between(s.updatedAt(), now)) + " ago";
            lines.add(String.format(Locale.ROOT, format, s.serverId(), s.phaseName(), s.installStage() > 0 ? s.installStage() + "/5" : "",
                    abbreviate(os, 28), s.location() == null ? "" : s.location(), abbreviate(s.hostname(), 30), updated).stripTrailing());
        }
        lines.add(states.size() + " reinstall" + (states.size() == 1 ? "" : "s"));
        return lines;
    }

    private static String abbreviate(String text, int width) {
        if (text == null) {
            return "";
        }
        return text.length() <= width ? text : text.substring(0, width - 3) + "...";
    }
}
