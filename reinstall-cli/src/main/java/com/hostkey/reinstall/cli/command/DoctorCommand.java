package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.HostkeyReads;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.cli.doctor.FirstContactProbe;
import com.hostkey.reinstall.cli.doctor.FirstContactProbe.Finding;
import com.hostkey.reinstall.cli.doctor.FirstContactProbe.Report;
import com.hostkey.reinstall.cli.doctor.FirstContactProbe.Status;
import com.hostkey.reinstall.cli.doctor.FirstContactProbe.Unchecked;
import com.hostkey.reinstall.cli.request.RequestSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code doctor --server ID}: the first-contact probe of a Hostkey account ({@link FirstContactProbe}),
 * read-only, with a verdict and an exit code; what an operator runs before the first real reinstall.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Probe Hostkey for one account and server before the first real reinstall: which facts the orchestrator"
                        + " assumes about invapi hold, and which settings to change.",
                "Read-only: it logs in, reads eq/show of the server, os/list for it, jenkins/get_tasks, and eq/show of server "
                        + FirstContactProbe.UNKNOWN_SERVER + " (owned by nobody) to hear how Hostkey words 'not found'; then logs out."
                        + " It never calls create_pxe, boot_dev, reboot, clear_pxe, reinstall or a Jenkins run, and sends no PIN.",
                "Uses the Hostkey settings of the services (HOSTKEY_BASE_URL, HOSTKEY_API_KEY[_FILE], HOSTKEY_ACCOUNTS,"
                        + " HOSTKEY_TOKEN_TTL_SECONDS, HOSTKEY_REFUSAL_<KIND>_PATTERN, ...): set them as the command handler has them."},
        footerHeading = "%nStatus of each check:%n",
        footer = {
                "  OK       holds as documented or assumed",
                "  NOTE     differs, but the client copes (a setting may tidy it)",
                "  PROBLEM  an assumed fact does not hold: a validation check will be",
                "           skipped or a refusal mistyped; the report names the setting",
                "  FAILED   Hostkey refused or did not answer",
                "  SKIPPED  not checked: it needed what failed",
                "",
                "Exit codes: 0 every fact checked holds (notes allowed), 7 a PROBLEM;",
                "  when Hostkey refuses: 77 credentials, 6 the server is not the account's,",
                "  69 Hostkey unavailable, 78 settings missing, 65 another refusal.",
                "",
                "--json prints one object: {\"account\", \"serverId\", \"baseUrl\",",
                "  \"verdict\": \"OK\"|\"PROBLEMS\"|\"FAILED\", \"exitCode\",",
                "  \"checks\": [{\"check\", \"status\", \"detail\", \"setting\", \"fix\"}],",
                "  \"notChecked\": [{\"fact\", \"setting\"}]}; setting and fix are null",
                "  when none applies."})
public final class DoctorCommand extends CliCommand {

    @Option(names = "--server", required = true, paramLabel = "ID", converter = ServerIdConverter.class,
            description = "A Hostkey server id of the account")
    long serverId;

    @Option(names = "--account", paramLabel = "NAME", defaultValue = RequestSpec.DEFAULT_ACCOUNT,
            description = "Hostkey account (default ${DEFAULT-VALUE})")
    String account;

    @Override
    public Integer call() {
        Output output = output();
        Report report;
        try (HostkeyReads hostkey = context().connectors().hostkey(context().env())) {
            report = new FirstContactProbe(hostkey, account, serverId).run();
        }
        if (output.json()) {
            output.document(json(report));
        } else {
            output.lines(text(report));
        }
        return report.exitCode();
    }

    static Map<String, Object> json(Report report) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("account", report.account());
        json.put("serverId", report.serverId());
        json.put("baseUrl", report.baseUrl());
        json.put("verdict", report.verdict().name());
        json.put("exitCode", report.exitCode());
        List<Map<String, Object>> checks = new ArrayList<>();
        for (Finding f : report.findings()) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("check", f.check());
            check.put("status", f.status().name());
            check.put("detail", f.detail());
            check.put("setting", f.setting());
            check.put("fix", f.fix());
            checks.add(check);
        }
        json.put("checks", checks);
        List<Map<String, Object>> unchecked = new ArrayList<>();
        for (Unchecked u : report.notChecked()) {
            Map<String, Object> fact = new LinkedHashMap<>();
            fact.put("fact", u.fact());
            fact.put("setting", u.setting());
            unchecked.add(fact);
        }
        json.put("notChecked", unchecked);
        return json;
    }

    static List<String> text(Report report) {
        List<String> lines = new ArrayList<>();
        lines.add("Hostkey at " + report.baseUrl() + ", account " + report.account() + ", server " + report.serverId()
                + " (read-only probe)");
        lines.add("");
        for (Finding f : report.findings()) {
            lines.add(String.format(Locale.ROOT, "  %-8s %-18s %s", f.status(), f.check(), f.detail()));
            String fix = f.fix() == null ? (f.setting() == null ? null : "see " + f.setting())
                    : f.setting() == null || f.fix().contains(f.setting()) ? f.fix() : f.fix() + " (" + f.setting() + ")";
            if (fix != null) {
                lines.add(String.format(Locale.ROOT, "  %-8s %-18s -> %s", "", "", fix));
            }
        }
        lines.add("");
        lines.add("Not checked (only a reinstall shows them):");
        for (Unchecked u : report.notChecked()) {
            lines.add("  - " + u.fact() + (u.setting() == null ? "" : " [" + u.setting() + "]"));
        }
        lines.add("");
        lines.add("Verdict: " + verdict(report));
        return lines;
    }

    private static String verdict(Report report) {
        long notes = report.count(Status.NOTE);
        long problems = report.count(Status.PROBLEM);
        String notesText = notes == 0 ? "" : " (" + notes + " note" + (notes == 1 ? "" : "s") + ")";
        return switch (report.verdict()) {
            case FAILED -> "FAILED: Hostkey refused or did not answer ("
                    + String.join(", ", report.findings().stream().filter(f -> f.status() == Status.FAILED).map(Finding::check).toList())
                    + "); fix that first (exit " + report.exitCode() + ")";
            case PROBLEMS -> problems + " PROBLEM" + (problems == 1 ? "" : "S") + notesText + ": change the settings named above, or"
                    + " know which checks will be skipped, before the first reinstall (exit " + report.exitCode() + ")";
            case OK -> "OK: every fact checked holds for account " + report.account() + " and server " + report.serverId() + notesText;
        };
    }
}
