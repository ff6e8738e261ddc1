package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.LazyHostkeyReads;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.kafka.CommandSink;
import com.hostkey.reinstall.cli.kafka.KafkaSettings;
import com.hostkey.reinstall.cli.request.BulkFileParser;
import com.hostkey.reinstall.cli.request.OsResolver;
import com.hostkey.reinstall.cli.request.PasswordReader;
import com.hostkey.reinstall.cli.request.PreparedRequest;
import com.hostkey.reinstall.schemas.ReinstallIds;
import com.hostkey.reinstall.cli.request.RequestField;
import com.hostkey.reinstall.cli.request.RequestPreparer;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import com.hostkey.reinstall.cli.watch.WatchTarget;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulk FILE}: submits a reinstall per row of a CSV or JSON file (see {@link BulkFileParser}
 * for the columns). Every row is checked first (file fields, OS, the handler's field checks);
 * valid rows are published, invalid ones reported with the reason. One password for all rows
 * (prompt, --password-stdin or --password-file), or a {@code password_file} per row.
 *
 * <p>Exit: 0 when every row was submitted, 65 when some rows were invalid (the valid ones are
 * submitted unless --all-or-nothing), the error's code when publishing failed part-way (the
 * summary says which rows went out).
 */
@Command(name = "bulk", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Submit reinstalls for every server of a CSV or JSON file; prints a summary of submitted and invalid rows.",
        "Columns: server, os, hostname (required); partition, ssh_key_file, script_file, callback_url, tasks,",
        "optional_tasks, licences, account, request_id, password_file. Lists are separated by ';'."})
public final class BulkCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "CSV with a header row, or a JSON array of objects")
    Path file;

    @ArgGroup(exclusive = true)
    PasswordOptions password;

    @Mixin
    SealingOptions sealing;

    @Mixin
    IssuerOptions issuer;

    @Option(names = "--dry-run", description = "Check every row; publish nothing")
    boolean dryRun;

    @Option(names = "--all-or-nothing", description = "Publish nothing when any row is invalid")
    boolean allOrNothing;

    @Option(names = "--watch", description = "Follow the submitted reinstalls to their end through the state projector; exit with the worst outcome")
    boolean watch;

    @Mixin
    Following following;

    /** What became of one row. */
    enum Status { SUBMITTED, VALID, INVALID, NOT_SUBMITTED }

    record RowOutcome(int line, Long serverId, Status status, String requestId, String field, String reason,
                      CommandSink.Published published, PreparedRequest prepared, ReinstallRequest command) {}

    @Override
    public Integer call() {
        Output output = output();
        if (dryRun && watch) {
            throw CliException.usage("--watch", "--dry-run publishes nothing, so there is nothing to watch", "drop one of them");
        }
        List<BulkFileParser.Row> rows = BulkFileParser.parse(file);
        SecretSealer sealer = dryRun ? null : sealing.sealer(context().env());
        KafkaSettings kafka = dryRun ? null : root.kafka();
        ReinstallStates projector = watch ? following.projector(root) : null;

        List<RowOutcome> outcomes = new ArrayList<>();
        try (LazyHostkeyReads hostkey = new LazyHostkeyReads(context().connectors(), context().env())) {
            RequestPreparer preparer = new RequestPreparer(new OsResolver(hostkey::get), true);
            boolean needsShared = rows.stream().anyMatch(r -> r.valid() && r.request().passwordFile() == null);
            String shared = needsShared ? PasswordOptions.read(password, context()) : null;
            for (BulkFileParser.Row row : rows) {
                outcomes.add(check(row, preparer, shared, sealer));
            }
        }
        boolean anyInvalid = outcomes.stream().anyMatch(o -> o.status() == Status.INVALID);
        if (dryRun || (allOrNothing && anyInvalid)) {
            List<RowOutcome> shown = dryRun ? outcomes : outcomes.stream().map(o -> o.status() != Status.VALID ? o
                    : withStatus(o, Status.NOT_SUBMITTED, null, "not submitted: --all-or-nothing and other rows are invalid", null)).toList();
            summary(output, shown, false);
            return anyInvalid ? ExitCode.INVALID_INPUT : ExitCode.OK;
        }

        CliException failure = publishAll(kafka, outcomes);
        List<WatchTarget> targets = outcomes.stream().filter(o -> o.status() == Status.SUBMITTED)
                .map(o -> (WatchTarget) new WatchTarget.Request(o.serverId(), o.requestId())).toList();
        boolean watching = watch && !targets.isEmpty();
        summary(output, outcomes, watching);
        if (failure != null) {
            throw failure;
        }
        int code = anyInvalid ? ExitCode.INVALID_INPUT : ExitCode.OK;
        if (!watching) {
            return code;
        }
        int watched = following.follow(root, output, projector, targets);
        return watched != ExitCode.OK ? watched : code;
    }

    private RowOutcome check(BulkFileParser.Row row, RequestPreparer preparer, String shared, SecretSealer sealer) {
        if (!row.valid()) {
            return new RowOutcome(row.line(), row.serverId(), Status.INVALID, null, row.field(), row.error(), null, null, null);
        }
        String requestId = row.request().requestId();
        try {
            PreparedRequest prepared = preparer.prepare(row.request(), () -> row.request().passwordFile() != null
                    ? PasswordReader.fromFile(row.request().passwordFile(), RequestField.PASSWORD.column()) : shared);
            preparer.requireValidFields(prepared);
            ReinstallRequest command = sealer == null ? null
                    : RequestPreparer.command(prepared, sealer, issuer.issuer(), context().clock().instant());
            return new RowOutcome(row.line(), row.serverId(), Status.VALID, requestId, null, null, null, prepared, command);
        } catch (CliException e) {
            if (e.exitCode() != ExitCode.INVALID_INPUT && e.exitCode() != ExitCode.NO_INPUT && e.exitCode() != ExitCode.NOT_FOUND) {
                throw e; // configuration or an unavailable service: every row would fail the same way
            }
            return new RowOutcome(row.line(), row.serverId(), Status.INVALID, requestId, e.field(), e.getMessage(), null, null, null);
        }
    }

    /** Publishes the valid rows in file order; on a failure the rest stay unsent. Answers that failure, or null. */
    private CliException publishAll(KafkaSettings kafka, List<RowOutcome> outcomes) {
        if (outcomes.stream().noneMatch(o -> o.status() == Status.VALID)) {
            return null;
        }
        CliException failure = null;
        try (CommandSink sink = context().connectors().commands(kafka)) {
            for (int i = 0; i < outcomes.size(); i++) {
                RowOutcome o = outcomes.get(i);
                if (o.status() != Status.VALID) {
                    continue;
                }
                if (failure != null) {
                    outcomes.set(i, withStatus(o, Status.NOT_SUBMITTED, null, "not submitted: publishing stopped after an error", null));
                    continue;
                }
                try {
                    outcomes.set(i, withStatus(o, Status.SUBMITTED, null, null, sink.publish(o.command())));
                } catch (CliException e) {
                    failure = e;
                    outcomes.set(i, withStatus(o, Status.NOT_SUBMITTED, null, "not submitted: " + e.getMessage(), null));
                }
            }
        }
        return failure;
    }

    private static RowOutcome withStatus(RowOutcome o, Status status, String field, String reason, CommandSink.Published published) {
        return new RowOutcome(o.line(), o.serverId(), status, o.requestId(), field, reason, published, o.prepared(), o.command());
    }

    private void summary(Output output, List<RowOutcome> outcomes, boolean jsonLines) {
        Map<Status, Long> counts = new LinkedHashMap<>();
        for (Status status : Status.values()) {
            counts.put(status, outcomes.stream().filter(o -> o.status() == status).count());
        }
        if (output.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            if (jsonLines) {
                json.put("type", "bulk");
            }
            json.put("file", file.toString());
            json.put("dryRun", dryRun);
            counts.forEach((status, count) -> json.put(status.name().toLowerCase(Locale.ROOT), count));
            List<Map<String, Object>> rows = new ArrayList<>();
            for (RowOutcome o : outcomes) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("line", o.line());
                row.put("serverId", o.serverId());
                row.put("status", o.status().name());
                row.put("requestId", o.requestId());
                row.put("reinstallId", o.status() == Status.SUBMITTED ? ReinstallIds.forRequest(o.serverId(), o.requestId()) : null);
                row.put("field", o.field());
                row.put("reason", o.reason());
                row.put("partition", o.published() == null ? null : o.published().partition());
                row.put("offset", o.published() == null ? null : o.published().offset());
                rows.add(row);
            }
            json.put("rows", rows);
            if (jsonLines) {
                output.jsonLine(json);
            } else {
                output.document(json);
            }
            return;
        }
        String format = "%-6s %-10s %-14s %s";
        output.line(String.format(Locale.ROOT, format, "LINE", "SERVER", "RESULT", "REQUEST ID / REASON"));
        for (RowOutcome o : outcomes) {
            String detail = switch (o.status()) {
                case SUBMITTED, VALID -> o.requestId();
                case INVALID, NOT_SUBMITTED -> (o.field() == null ? "" : o.field() + ": ") + o.reason();
            };
            output.line(String.format(Locale.ROOT, format, o.line(), o.serverId() == null ? "-" : o.serverId(),
                    o.status().name().toLowerCase(Locale.ROOT).replace('_', ' '), detail));
        }
        List<String> totals = new ArrayList<>();
        counts.forEach((status, count) -> {
            if (count > 0) {
                totals.add(count + " " + status.name().toLowerCase(Locale.ROOT).replace('_', ' '));
            }
        });
        output.line(String.join(", ", totals) + (dryRun ? " (dry run: nothing published)" : ""));
    }
}
