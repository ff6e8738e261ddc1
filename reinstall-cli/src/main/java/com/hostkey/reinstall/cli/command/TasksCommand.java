package com.hostkey.reinstall.cli.command;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.reinstall.cli.HostkeyReads;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.cli.request.RequestSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tasks SERVER}: the Jenkins post-install tasks, and whether each is meant for the server's type. */
@Command(name = "tasks", mixinStandardHelpOptions = true, sortOptions = false, description = "List the Jenkins post-install tasks and whether each fits a server (Hostkey jenkins/get_tasks, eq/show).")
public final class TasksCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "SERVER", converter = ServerIdConverter.class, description = "Hostkey server id")
    long serverId;

    @Option(names = "--account", paramLabel = "NAME", defaultValue = RequestSpec.DEFAULT_ACCOUNT,
            description = "Hostkey account (default ${DEFAULT-VALUE})")
    String account;

    @Option(names = "--all", description = "Also list the tasks that do not fit")
    boolean all;

    @Override
    public Integer call() {
        Output output = output();
        ServerFacts facts;
        List<JenkinsTask> tasks;
        try (HostkeyReads hostkey = context().connectors().hostkey(context().env())) {
            facts = hostkey.show(account, serverId);
            tasks = hostkey.jenkinsTasks(account);
        }
        HostkeyFit fit = new HostkeyFit();
        List<Row> rows = new ArrayList<>();
        for (JenkinsTask task : tasks) {
            if (task.id() == null) {
                continue;
            }
            HostkeyFit.Fit f = fit.task(task, tasks, facts, account);
            if (all || f.fits()) {
                rows.add(new Row(task, f));
            }
        }
        if (output.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("serverId", serverId);
            json.put("server", facts(facts));
            json.put("tasks", rows.stream().map(Row::json).toList());
            output.document(json);
            return 0;
        }
        output.line("Server " + serverId + ": " + describe(facts));
        if (rows.isEmpty()) {
            output.line(all ? "Hostkey lists no Jenkins tasks." : "No Jenkins task fits this server; --all lists every task.");
            return 0;
        }
        String format = "%-24s %-36s %-20s %-5s %s";
        output.line(String.format(Locale.ROOT, format, "ID", "NAME", "TAGS", "FITS", "NOTE"));
        for (Row row : rows) {
            output.line(String.format(Locale.ROOT, format, row.task().id(), row.task().name() == null ? "" : row.task().name(),
                    String.join(",", row.tags()), row.fit().fits() ? "yes" : "no", row.fit().note()).stripTrailing());
        }
        output.line(rows.size() + " task" + (rows.size() == 1 ? "" : "s") + (all ? "" : " that fit")
                + "; submit with --task ID (or --optional-task ID)");
        return 0;
    }

    private record Row(JenkinsTask task, HostkeyFit.Fit fit) {

        List<String> tags() {
            return task.tags() == null ? List.of() : task.tags();
        }

        Map<String, Object> json() {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", task.id());
            row.put("name", task.name());
            row.put("tags", tags());
            row.put("fits", fit.fits());
            row.put("note", fit.note().isEmpty() ? null : fit.note());
            return row;
        }
    }

    static Map<String, Object> facts(ServerFacts facts) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", facts.id());
        json.put("status", facts.status());
        json.put("hostname", facts.hostname());
        json.put("location", facts.location());
        json.put("type", facts.type());
        json.put("ramGb", facts.ramGb());
        json.put("diskSizesGb", facts.diskSizesGb());
        return json;
    }

    static String describe(ServerFacts facts) {
        List<String> parts = new ArrayList<>();
        parts.add(facts.type() == null ? "type unknown" : facts.type());
        if (facts.location() != null) {
            parts.add("in " + facts.location());
        }
        if (facts.ramGb() != null) {
            parts.add(facts.ramGb() + " GB RAM");
        }
        if (facts.diskSizesGb() != null && !facts.diskSizesGb().isEmpty()) {
            parts.add("disks " + String.join(", ", facts.diskSizesGb().stream().map(String::valueOf).toList()) + " GB");
        }
        if (facts.hostname() != null) {
            parts.add("now " + facts.hostname());
        }
        return String.join(", ", parts);
    }
}
