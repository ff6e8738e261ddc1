package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.schemas.ReinstallStep;
import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.HostkeyReads;
import com.hostkey.reinstall.cli.LazyHostkeyReads;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.request.PreparedRequest;
import com.hostkey.reinstall.cli.request.RequestSpec;
import com.hostkey.reinstall.cli.request.RequestField;
import com.hostkey.reinstall.cli.request.RequestPreparer;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * submit --dry-run: the handler's field checks, then (when Hostkey is configured) its checks
 * against os/list, eq/show and jenkins/get_tasks, with reads only; prints what the reinstall
 * would do and every problem found. Publishes nothing. Exit 0 when it would be accepted, 65 when not.
 */
final class DryRun {

    private DryRun() {}

    /** What the checks found. {@code serverCheck}: ok, failed, or skipped (with why in {@code serverNote}). */
    record Result(Optional<ValidationFailed> fieldProblem, String serverCheck, String serverNote,
                  Optional<ValidationFailed> serverProblem, ServerFacts facts, String osName) {

        boolean valid() {
            return fieldProblem.isEmpty() && serverProblem.isEmpty();
        }
    }

    static int run(Output output, RequestPreparer preparer, PreparedRequest prepared, LazyHostkeyReads hostkey,
                   boolean sealingConfigured) {
        Result result = check(preparer, prepared, hostkey);
        if (output.json()) {
            output.document(json(prepared, result, sealingConfigured));
        } else {
            output.lines(text(prepared, result, sealingConfigured));
        }
        return result.valid() ? ExitCode.OK : ExitCode.INVALID_INPUT;
    }

    static Result check(RequestPreparer preparer, PreparedRequest prepared, LazyHostkeyReads hostkey) {
        Optional<ValidationFailed> fields = preparer.checkFields(prepared);
        if (!hostkey.configured()) {
            return new Result(fields, "skipped", "HOSTKEY_BASE_URL is not set, so os/list, eq/show and jenkins/get_tasks"
                    + " were not asked; the command handler checks them when the reinstall starts", Optional.empty(), null,
                    prepared.osName());
        }
        RequestSpec request = prepared.request();
        HostkeyReads reads = hostkey.get();
        ServerFacts facts = reads.show(request.account(), request.serverId());
        List<OsOffer> offers = reads.listOs(request.account(), request.serverId());
        List<JenkinsTask> tasks = request.allTasks().isEmpty() ? List.of() : reads.jenkinsTasks(request.account());
        ValidateReinstall command = RequestPreparer.validateCommand(prepared);
        Optional<ValidationFailed> problem = preparer.validator().checkAgainstServer(command, offers, facts, tasks);
        if (problem.isEmpty() && !request.optionalTasks().isEmpty()) {
            // Optional tasks may fail at run time, but one that does not exist is a mistake now.
            ValidateReinstall optional = ValidateReinstall.newBuilder(command).setJenkinsTasks(request.optionalTasks()).build();
            problem = preparer.validator().checkAgainstServer(optional, offers, facts, tasks)
                    .map(f -> ValidationFailed.newBuilder(f).setField("optionalJenkinsTasks").build());
        }
        String osName = prepared.osName() != null ? prepared.osName()
                : offers.stream().filter(o -> o.id() == prepared.osId()).map(OsOffer::name).findFirst().orElse(null);
        return new Result(fields, problem.isEmpty() ? "ok" : "failed", describe(facts), problem, facts, osName);
    }

    private static List<String> text(PreparedRequest prepared, Result result, boolean sealingConfigured) {
        RequestSpec r = prepared.request();
        List<String> lines = new ArrayList<>();
        lines.add("Dry run for server " + r.serverId() + ": nothing is published.");
        lines.add("  OS             " + prepared.osId() + (result.osName() == null ? "" : " (" + result.osName() + ")"));
        lines.add("  hostname       " + r.hostname());
        lines.add("  partition      " + (r.partition() == null ? "Hostkey's default" : r.partition()));
        lines.add("  ssh key        " + (prepared.sshKey() == null ? "none" : sshKeySummary(prepared.sshKey())));
        lines.add("  script         " + (prepared.postInstallScript() == null ? "none"
                : prepared.postInstallScript().getBytes(StandardCharsets.UTF_8).length + " bytes, sealed before sending"));
        lines.add("  callback URL   " + (r.callbackUrl() == null ? "none" : r.callbackUrl()));
        lines.add("  Jenkins tasks  " + tasksSummary(r));
        lines.add("  licences       " + (r.licences() == null ? "none" : r.licences()));
        lines.add("  account        " + r.account());
        lines.add("  request id     " + r.requestId());
        lines.add("  password       given" + (sealingConfigured ? ", would be sealed before sending"
                : "; to submit, a sealing key is needed (--jwks FILE|URL: the command handler's JWK Set)"));
        lines.add("Checks:");
        lines.add("  fields         " + result.fieldProblem().map(DryRun::problem).orElse("ok"));
        lines.add("  server         " + switch (result.serverCheck()) {
            case "ok" -> "ok: " + result.serverNote();
            case "failed" -> problem(result.serverProblem().get()) + " (" + result.serverNote() + ")";
            default -> "skipped: " + result.serverNote();
        });
        if (result.valid()) {
            lines.add("Would: validate, wait for an admission slot, then run the nine steps:");
            for (ReinstallStep step : ReinstallStep.values()) {
                String note = step == ReinstallStep.JENKINS_TASKS ? (r.allTasks().isEmpty() ? " (skipped: no tasks)" : " (" + tasksSummary(r) + ")") : "";
                lines.add("  " + step.number() + " " + step.label() + note);
            }
            lines.add("Valid. Run the same command without --dry-run to reinstall.");
        } else {
            lines.add("Invalid: the reinstall would be rejected. Correct the fields above and try again.");
        }
        return lines;
    }

    private static Map<String, Object> json(PreparedRequest prepared, Result result, boolean sealingConfigured) {
        RequestSpec r = prepared.request();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dryRun", true);
        json.put("valid", result.valid());
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("serverId", r.serverId());
        request.put("osId", prepared.osId());
        request.put("osName", result.osName());
        request.put("hostname", r.hostname());
        request.put("partitionScheme", r.partition() == null ? null : r.partition().name());
        request.put("sshKey", prepared.sshKey() == null ? null : sshKeySummary(prepared.sshKey()));
        request.put("postInstallScriptBytes", prepared.postInstallScript() == null ? null
                : prepared.postInstallScript().getBytes(StandardCharsets.UTF_8).length);
        request.put("postInstallCallbackUrl", r.callbackUrl());
        request.put("jenkinsTasks", r.tasks());
        request.put("optionalJenkinsTasks", r.optionalTasks());
        request.put("licences", r.licences());
        request.put("account", r.account());
        request.put("requestId", r.requestId());
        request.put("sealingKeyConfigured", sealingConfigured);
        json.put("request", request);
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("fields", result.fieldProblem().isEmpty() ? "ok" : "failed");
        checks.put("server", result.serverCheck());
        checks.put("serverNote", result.serverNote());
        json.put("checks", checks);
        List<Map<String, Object>> problems = new ArrayList<>();
        Stream.of(result.fieldProblem(), result.serverProblem()).flatMap(Optional::stream).forEach(f -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("reason", f.getReason().name());
            p.put("field", f.getField());
            p.put("option", RequestField.displayName(f.getField(), false));
            p.put("message", f.getMessage());
            problems.add(p);
        });
        json.put("problems", problems);
        return json;
    }

    private static String problem(ValidationFailed failure) {
        String field = RequestField.displayName(failure.getField(), false);
        return "FAILED" + (field == null ? "" : " [" + field + "]") + ": " + failure.getMessage() + " (" + failure.getReason() + ")";
    }

    private static String describe(ServerFacts facts) {
        List<String> parts = new ArrayList<>();
        if (facts.type() != null) {
            parts.add(facts.type() + " server");
        }
        if (facts.location() != null) {
            parts.add("in " + facts.location());
        }
        if (facts.ramGb() != null) {
            parts.add(facts.ramGb() + " GB RAM");
        }
        if (facts.diskSizesGb() != null && !facts.diskSizesGb().isEmpty()) {
            parts.add("disks " + facts.diskSizesGb().stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("") + " GB");
        }
        return parts.isEmpty() ? "server " + facts.id() : String.join(", ", parts);
    }

    /** The key type and comment, never the key material. */
    static String sshKeySummary(String sshKey) {
        String[] parts = sshKey.strip().split("\\s+", 3);
        return parts[0] + (parts.length > 2 ? " (" + parts[2] + ")" : "");
    }

    private static String tasksSummary(RequestSpec r) {
        if (r.allTasks().isEmpty()) {
            return "none";
        }
        List<String> all = new ArrayList<>(r.tasks());
        r.optionalTasks().forEach(t -> all.add(t + " (optional)"));
        return String.join(", ", all);
    }
}
