package com.hostkey.reinstall.cli.doctor;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.invapi.client.HostkeyClient;
import com.hostkey.invapi.client.HostkeyClient.LoginFacts;
import com.hostkey.invapi.client.HostkeyClient.ShowAnswer;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.invapi.client.HostkeyException;
import com.hostkey.invapi.client.Refusal;
import com.hostkey.invapi.client.RefusalPatterns;
import com.hostkey.invapi.client.ShowFields;
import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.HostkeyReads;
import com.hostkey.reinstall.validation.ReinstallValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code reinstall doctor}'s probe: which of the facts docs/hostkey-invapi.md only assumes hold
 * for one account and server, found with reads alone. It logs in, reads eq/show of the server,
 * os/list for it and jenkins/get_tasks, and eq/show of {@link #UNKNOWN_SERVER} to hear how Hostkey
 * words "not found"; through {@link HostkeyReads} it cannot call create_pxe, boot_dev, reboot,
 * clear_pxe, reinstall or a Jenkins run.
 *
 * <p>Each check ends in a {@link Status}: {@code OK}; {@code NOTE}, the answer differs from the
 * documented or assumed shape but the client copes (a setting may still tidy it);
 * {@code PROBLEM}, an assumed fact does not hold, so a check will be skipped or a refusal
 * mistyped (the finding names the setting to change, or says that none exists yet);
 * {@code FAILED}, Hostkey refused or did not answer; {@code SKIPPED}, it needed what failed.
 * The verdict's exit code: the first failure's ({@link CliException#exitCode()}), else
 * {@link ExitCode#UNMET_ASSUMPTION} for any problem, else 0.
 */
public final class FirstContactProbe {

    /** A server id no account owns (the largest 32-bit one): eq/show of it shows Hostkey's "not found". */
    public static final long UNKNOWN_SERVER = Integer.MAX_VALUE;
    /** Clock difference tolerated between this host and Hostkey when comparing token lifetimes. */
    private static final Duration CLOCK_TOLERANCE = Duration.ofMinutes(1);

    public enum Status { OK, NOTE, PROBLEM, FAILED, SKIPPED }

    /** OK: no problem, no failure (notes allowed); PROBLEMS: an assumed fact does not hold; FAILED: Hostkey refused or did not answer. */
    public enum Verdict { OK, PROBLEMS, FAILED }

    /**
     * One check. {@code setting} names the environment variable that changes what was found (null
     * when none does); {@code fix} says what to do (null when nothing is to be done).
     */
    public record Finding(String check, Status status, String detail, String setting, String fix, Integer exitCode) {

        static Finding ok(String check, String detail) {
            return new Finding(check, Status.OK, detail, null, null, null);
        }

        static Finding note(String check, String detail, String setting, String fix) {
            return new Finding(check, Status.NOTE, detail, setting, fix, null);
        }

        static Finding problem(String check, String detail, String setting, String fix) {
            return new Finding(check, Status.PROBLEM, detail, setting, fix, null);
        }

        static Finding failed(String check, CliException e) {
            return new Finding(check, Status.FAILED, e.getMessage(), e.field(), e.hint(), e.exitCode());
        }

        static Finding skipped(String check, String because) {
            return new Finding(check, Status.SKIPPED, "not checked: " + because, null, null, null);
        }
    }

    /** An assumed fact a read-only probe cannot see, and the setting that governs it (null when none). */
    public record Unchecked(String fact, String setting) {}

    /** The findings, in the order checked, and what was left unchecked. */
    public record Report(String account, long serverId, String baseUrl, List<Finding> findings, List<Unchecked> notChecked) {

        public Report {
            findings = List.copyOf(findings);
            notChecked = List.copyOf(notChecked);
        }

        public Verdict verdict() {
            if (count(Status.FAILED) > 0) {
                return Verdict.FAILED;
            }
            return count(Status.PROBLEM) > 0 ? Verdict.PROBLEMS : Verdict.OK;
        }

        public int exitCode() {
            return findings.stream().filter(f -> f.status() == Status.FAILED).map(Finding::exitCode).filter(Objects::nonNull)
                    .findFirst().orElse(count(Status.PROBLEM) > 0 ? ExitCode.UNMET_ASSUMPTION : ExitCode.OK);
        }

        public long count(Status status) {
            return findings.stream().filter(f -> f.status() == status).count();
        }
    }

    /** What a read-only probe leaves for the first reinstall to show. */
    static final List<Unchecked> NOT_CHECKED = List.of(
            new Unchecked("the PIN: only create_pxe, boot_dev, reboot and Jenkins runs carry it, and a wrong one spends one of"
                    + " three tries before the account locks", HostkeyClientConfig.ENV_PIN),
            new Unchecked("the field eq/reinstall answers the master key in", HostkeyClientConfig.ENV_REINSTALL_KEY_FIELD),
            new Unchecked("the create_pxe field of the partition scheme", HostkeyClientConfig.ENV_DISK_SCHEME_FIELD),
            new Unchecked("the create_pxe field of a licensed OS's per-core licences", HostkeyClientConfig.ENV_LICENCES_FIELD),
            new Unchecked("the wordings of a wrong PIN, a locked account and a hostname mismatch",
                    "HOSTKEY_REFUSAL_<KIND>_PATTERN"),
            new Unchecked("whether create_pxe, boot_dev and clear_pxe answer with a callback key, and how installer stages"
                    + " are reported (the handler and poller accept every known variant)", null),
            new Unchecked("the Jenkins launch call (assumed jenkins/run_task with id and task_id; also "
                    + HostkeyClientConfig.ENV_JENKINS_SERVER_FIELD + ", " + HostkeyClientConfig.ENV_JENKINS_TASK_FIELD + ")",
                    HostkeyClientConfig.ENV_JENKINS_RUN_ACTION));

    private final HostkeyReads hostkey;
    private final String account;
    private final long serverId;

    public FirstContactProbe(HostkeyReads hostkey, String account, long serverId) {
        this.hostkey = Objects.requireNonNull(hostkey, "hostkey");
        this.account = Objects.requireNonNull(account, "account");
        this.serverId = serverId;
    }

    public Report run() {
        HostkeyClientConfig settings = hostkey.settings();
        List<Finding> out = new ArrayList<>();

        Optional<LoginFacts> login = read("login", out, () -> hostkey.login(account));
        if (login.isEmpty()) {
            for (String check : List.of("login servers", "token lifetime", "eq/show type", "eq/show RAM", "eq/show disks",
                    "eq/show cores", "os/list tags", "jenkins/get_tasks", "not-found wording")) {
                out.add(Finding.skipped(check, "login failed"));
            }
            return new Report(account, serverId, settings.baseUrl(), out, NOT_CHECKED);
        }
        out.add(loginShape(login.get()));
        out.add(loginServers(login.get()));
        out.add(tokenLifetime(login.get(), settings));

        Optional<ShowAnswer> show = read("eq/show", out, () -> hostkey.showAnswer(account, serverId));
        if (show.isPresent()) {
            out.addAll(showFacts(show.get(), settings.showFields()));
            out.add(osTags());
        } else {
            for (String check : List.of("eq/show type", "eq/show RAM", "eq/show disks", "eq/show cores", "os/list tags")) {
                out.add(Finding.skipped(check, "eq/show of server " + serverId + " failed"));
            }
        }
        out.add(tasks());
        out.add(notFoundWording(settings));
        return new Report(account, serverId, settings.baseUrl(), out, NOT_CHECKED);
    }

    /** Runs a read; a failure becomes a FAILED finding named {@code check}. */
    private static <T> Optional<T> read(String check, List<Finding> out, Supplier<T> call) {
        try {
            return Optional.of(call.get());
        } catch (CliException e) {
            out.add(Finding.failed(check, e));
            return Optional.empty();
        }
    }

    private static Finding loginShape(LoginFacts login) {
        return login.nested()
                ? Finding.ok("login", "accepted; the answer nests the token in \"result\" (the documented shape)")
                : Finding.note("login", "accepted; the answer is flat (token at the top level, as some builds answer);"
                        + " the client reads both shapes", null, null);
    }

    private Finding loginServers(LoginFacts login) {
        if (login.servers() == null) {
            return Finding.note("login servers", "login lists no servers; nothing depends on the list", null, null);
        }
        if (login.servers().contains(serverId)) {
            return Finding.ok("login servers", "server " + serverId + " is among the " + login.servers().size()
                    + " servers login lists for account " + account);
        }
        return Finding.problem("login servers", "login lists " + login.servers().size() + " servers for account " + account
                + ", not server " + serverId, null, "check the server id, or name the account it belongs to with --account");
    }

    private static Finding tokenLifetime(LoginFacts login, HostkeyClientConfig settings) {
        String ttl = HostkeyClientConfig.ENV_TOKEN_TTL_SECONDS;
        long asked = login.asked().toSeconds();
        long granted = login.granted().toSeconds();
        if (!login.expiryGiven()) {
            return Finding.note("token lifetime", "login gives no token_expire: the client assumes the " + asked
                    + " s it asks for, and logs in again when Hostkey refuses the token", ttl,
                    "if sessions end sooner, lower " + ttl);
        }
        if (!login.granted().isPositive()) {
            return Finding.problem("token lifetime", "token_expire is already past by this host's clock (" + granted
                    + " s): every call would log in again", null, "check this host's clock (NTP)");
        }
        Duration margin = settings.refreshMargin();
        if (login.granted().compareTo(margin.multipliedBy(2)) <= 0) {
            return Finding.note("token lifetime", "Hostkey grants " + granted + " s, no more than twice the refresh margin of "
                    + margin.toSeconds() + " s: sessions are renewed at half their life", HostkeyClientConfig.ENV_TOKEN_REFRESH_MARGIN_SECONDS,
                    "set " + HostkeyClientConfig.ENV_TOKEN_REFRESH_MARGIN_SECONDS + " below " + granted / 2);
        }
        if (login.granted().compareTo(login.asked().minus(CLOCK_TOLERANCE)) < 0) {
            return Finding.note("token lifetime", "Hostkey grants " + granted + " s, less than the " + asked
                    + " s asked; the client renews by token_expire", ttl, "set " + ttl + "=" + granted + " to ask for what is granted");
        }
        if (login.granted().compareTo(login.asked().plus(CLOCK_TOLERANCE)) > 0) {
            return Finding.note("token lifetime", "Hostkey grants " + granted + " s, more than the " + asked
                    + " s asked: it does not honour ttl; the client renews by token_expire", null, null);
        }
        return Finding.ok("token lifetime", "Hostkey grants the " + asked + " s asked (" + ttl + "), with token_expire");
    }

    /** The eq/show facts the validator reads; each missing one is a check that will be skipped. */
    private static List<Finding> showFacts(ShowAnswer show, ShowFields names) {
        ServerFacts facts = show.facts();
        String carried = "name it in the HOSTKEY_SHOW_*_FIELD setting; eq/show's server data carried: "
                + (show.fields().isEmpty() ? "nothing" : String.join(", ", show.fields()));
        List<Finding> out = new ArrayList<>();
        if (facts.type() == null) {
            out.add(Finding.problem("eq/show type", "no server type (read from " + String.join(", ", names.type())
                    + "): the OS-fits-type and Jenkins-task checks will be skipped", null, carried));
        } else if (!ReinstallValidator.knowsServerType(facts.type())) {
            out.add(Finding.problem("eq/show type", "server type '" + facts.type() + "' is none of bm, vm, vds, gpu, vgpu:"
                    + " the OS-fits-type and Jenkins-task checks will be skipped", null, null));
        } else {
            out.add(Finding.ok("eq/show type", "server type " + facts.type()));
        }
        out.add(facts.ramGb() == null
                ? Finding.problem("eq/show RAM", "no RAM (read from " + String.join(", ", names.ram())
                        + "): the OS's min_ram check will be skipped", null, carried)
                : Finding.ok("eq/show RAM", facts.ramGb() + " GB"));
        out.add(facts.diskSizesGb() == null || facts.diskSizesGb().isEmpty()
                ? Finding.problem("eq/show disks", "no disks (read from " + String.join(", ", names.disks())
                        + ", sizes from " + String.join(", ", names.diskSize())
                        + "): the OS's min_hdd and the partition-scheme checks will be skipped", null, carried)
                : Finding.ok("eq/show disks", facts.diskSizesGb().size() + " disks: "
                        + String.join(", ", facts.diskSizesGb().stream().map(String::valueOf).toList()) + " GB"));
        out.add(facts.cores() == null
                ? Finding.problem("eq/show cores", "no CPU core count (read from " + String.join(", ", names.cores())
                        + "): the check that an OS licensed per core gets a licence for every core ("
                        + ReinstallValidator.CHECK_LICENCES_COVER_CORES + ") will be skipped", null, carried)
                : Finding.ok("eq/show cores", facts.cores() + " CPU cores"));
        return out;
    }

    private Finding osTags() {
        List<OsOffer> offers;
        try {
            offers = hostkey.listOs(account, serverId);
        } catch (CliException e) {
            if (e.getCause() instanceof HostkeyException.Rejected r && r.refusal().orElse(null) == Refusal.OS_NOT_OFFERED) {
                return Finding.problem("os/list tags", "Hostkey offers no OS for server " + serverId + ": " + r.hostkeyMessage(),
                        null, "no reinstall of this server can pass validation");
            }
            return Finding.failed("os/list tags", e);
        }
        List<OsOffer> active = offers.stream().filter(OsOffer::active).toList();
        if (active.isEmpty()) {
            return Finding.problem("os/list tags", "os/list answered " + offers.size() + " OSes, none active (the list is read from"
                    + " os_list, result, list, data)", null, "if Hostkey's panel offers OSes for this server, the answer has another shape");
        }
        long withRam = active.stream().filter(o -> o.tags().containsKey(ReinstallValidator.TAG_MIN_RAM)).count();
        long withHdd = active.stream().filter(o -> o.tags().containsKey(ReinstallValidator.TAG_MIN_HDD)).count();
        String counts = ReinstallValidator.TAG_MIN_RAM + " on " + withRam + ", " + ReinstallValidator.TAG_MIN_HDD + " on " + withHdd
                + " of " + active.size() + " active OSes";
        if (withRam == 0 && withHdd == 0) {
            return Finding.problem("os/list tags", "no OS carries " + ReinstallValidator.TAG_MIN_RAM + " or "
                    + ReinstallValidator.TAG_MIN_HDD + ": the RAM and disk-size checks will be skipped", null,
                    "no setting names these tags yet; Hostkey decides at create_pxe");
        }
        if (withRam < active.size() || withHdd < active.size()) {
            return Finding.note("os/list tags", counts + ": the resource checks run only for those", null, null);
        }
        return Finding.ok("os/list tags", counts);
    }

    private Finding tasks() {
        List<JenkinsTask> tasks;
        try {
            tasks = hostkey.jenkinsTasks(account);
        } catch (CliException e) {
            return Finding.failed("jenkins/get_tasks", e);
        }
        if (tasks.isEmpty()) {
            return Finding.problem("jenkins/get_tasks", "no task read (the list is read from tasks, result, list, data): either"
                    + " the account has none or the answer has another shape; a reinstall that names a task will be rejected", null,
                    "if Hostkey lists Jenkins tasks for this account, report the answer's shape");
        }
        long withoutId = tasks.stream().filter(t -> t.id() == null).count();
        long withoutTags = tasks.stream().filter(t -> t.tags() == null || t.tags().isEmpty()).count();
        if (withoutId > 0) {
            return Finding.problem("jenkins/get_tasks", withoutId + " of " + tasks.size() + " tasks have no id (read from id, task_id):"
                    + " they cannot be requested", null, null);
        }
        if (withoutTags > 0) {
            return Finding.problem("jenkins/get_tasks", withoutTags + " of " + tasks.size() + " tasks have no tags: a reinstall that"
                    + " names one is rejected as not meant for the server", null, null);
        }
        return Finding.ok("jenkins/get_tasks", tasks.size() + " tasks, each with an id and tags");
    }

    /** eq/show of a server nobody owns: the refusal must come out typed SERVER_NOT_FOUND. */
    private Finding notFoundWording(HostkeyClientConfig settings) {
        String check = "not-found wording";
        String env = RefusalPatterns.env(Refusal.SERVER_NOT_FOUND);
        try {
            hostkey.showAnswer(account, UNKNOWN_SERVER);
            return Finding.note(check, "eq/show of server " + UNKNOWN_SERVER + " (owned by nobody, presumably) answered: the"
                    + " wording of 'not found' is not known", env, null);
        } catch (CliException e) {
            if (!(e.getCause() instanceof HostkeyException.Rejected r)) {
                return Finding.note(check, "eq/show of server " + UNKNOWN_SERVER + " did not answer with a refusal: " + e.getMessage(),
                        null, null);
            }
            Refusal refusal = r.refusal().orElse(Refusal.UNCLASSIFIED);
            if (refusal == Refusal.SERVER_NOT_FOUND) {
                return Finding.ok(check, "Hostkey's \"" + r.hostkeyMessage() + "\" is recognised as server not found");
            }
            return Finding.problem(check, "Hostkey words an unknown server \"" + r.hostkeyMessage() + "\", which the client types "
                    + refusal + ": a reinstall of a wrong server id would fail instead of being rejected SERVER_NOT_FOUND", env,
                    "set " + env + " to a regex that matches it (now: " + settings.refusals().pattern(Refusal.SERVER_NOT_FOUND) + ")");
        }
    }
}
