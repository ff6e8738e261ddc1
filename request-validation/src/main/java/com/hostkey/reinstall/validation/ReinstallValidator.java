package com.hostkey.reinstall.validation;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.facts.DiskLayout;
import com.hostkey.invapi.facts.PerCoreLicences;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Decides whether a reinstall request may go ahead, before anything touches the server.
 *
 * <p>Two stages, both pure (no I/O, no logging):
 * <ol>
 *   <li>{@link #checkFields}: the request on its own (root password policy, RFC 1123 hostname,
 *       OpenSSH public key, script size, callback URL, licence count);</li>
 *   <li>{@link #checkAgainstServer}: the request against Hostkey's answers to os/list, eq/show and
 *       jenkins/get_tasks (OS offered, active and fit for the server type, RAM and disk minimums,
 *       per-core licences and that they cover the server's cores, partition scheme against the
 *       disks, Jenkins tasks).</li>
 * </ol>
 * Each returns the first failure in that order, or empty when the request passes.
 *
 * <p>A failure's {@code field} names the request field to change and its {@code message} says what
 * to do. Messages never contain the root password or the post-install script, nor anything derived
 * from them beyond the script's size: they end up in events and logs.
 *
 * <p>Server facts Hostkey does not report (type, RAM, disks, cores) leave the checks that need them
 * undone, and say so ({@link ServerAssessment#notChecked()}, carried on {@code ReinstallValidated}):
 * Hostkey's own checks at create_pxe still apply, and refusing a request for a fact nobody knows
 * would block reinstalls on every build that omits it, unless the operator asks for strict mode.
 * OS tags that do not parse state no requirement.
 */
public final class ReinstallValidator {

    static final int PASSWORD_MIN_LENGTH = 8;
    static final int PASSWORD_MAX_LENGTH = 30;
    private static final String PASSWORD_SPECIALS = "%-_+";
    private static final String PASSWORD_POLICY = "8-30 characters from A-Z, a-z, 0-9 and % - _ +, with at least one"
            + " upper-case letter, one lower-case letter, one digit and one of % - _ +, starting with a letter or digit";

    private static final int MAX_LABEL_LENGTH = 63;

    /** The key types Hostkey's installer can put into authorized_keys, in the order messages list them. */
    static final List<String> SSH_KEY_TYPES = List.of(
            "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
            "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com");
    private static final int ED25519_KEY_BYTES = 32;

    /** The os/list tag the RAM check reads (an assumed name, docs/hostkey-invapi.md); absent, the check does not apply. */
    public static final String TAG_MIN_RAM = "min_ram";
    /** The os/list tag the disk-size check reads (an assumed name); absent, the check does not apply. */
    public static final String TAG_MIN_HDD = "min_hdd";
    private static final String TAG_PRICE_PER_CORE = "price_per_core_EUR";
    private static final String TASK_TAG_DEFAULT = "default";

    /** The checks against the server, by the names {@code ReinstallValidated} lists them under. */
    public static final String CHECK_OS_OFFERED = "os-offered";
    public static final String CHECK_OS_FITS_TYPE = "os-fits-server-type";
    public static final String CHECK_MIN_RAM = "min-ram";
    public static final String CHECK_MIN_HDD = "min-hdd";
    public static final String CHECK_LICENCES = "licences";
    public static final String CHECK_LICENCES_COVER_CORES = "licences-cover-cores";
    public static final String CHECK_PARTITION_SCHEME = "partition-scheme";
    public static final String CHECK_JENKINS_TASKS = "jenkins-tasks";
    public static final String CHECK_JENKINS_TASK_TAGS = "jenkins-task-tags";

    /** Ids listed in a message beyond this many are summarised, so that an event stays small. */
    private static final int MAX_LISTED = 20;

    private final ValidationLimits limits;

    public ReinstallValidator(ValidationLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Checks that need no Hostkey read. {@code rootPassword} and {@code postInstallScript} are the
     * opened plaintexts of the command's sealed fields (null when not given); the sealed fields of
     * {@code command} are not looked at.
     */
    public Optional<ValidationFailed> checkFields(ValidateReinstall command, String rootPassword, String postInstallScript) {
        Objects.requireNonNull(command, "command");
        return checkPassword(rootPassword)
                .or(() -> checkHostname(command.getHostname()))
                .or(() -> checkSshKey(command.getSshKey()))
                .or(() -> checkScriptSize(postInstallScript))
                .or(() -> checkCallbackUrl(command.getPostInstallCallbackUrl()))
                .or(() -> checkLicenceCount(command.getLicences()));
    }

    /**
     * Checks against what Hostkey says: {@code offers} is os/list for this server, {@code facts} is
     * eq/show, {@code tasks} is jenkins/get_tasks (may be empty when the command requests none).
     * The first failure, or empty; {@link #assessAgainstServer} also says which checks ran.
     */
    public Optional<ValidationFailed> checkAgainstServer(ValidateReinstall command, List<OsOffer> offers, ServerFacts facts,
                                                         List<JenkinsTask> tasks) {
        return assessAgainstServer(command, offers, facts, tasks).failure();
    }

    /**
     * The checks against what Hostkey says, with which of them ran and which could not for a fact
     * Hostkey did not give (eq/show's server type, RAM, disks or cores). In strict mode
     * ({@link ValidationLimits#strictServerFacts()}) a check that could not run is a rejection
     * ({@link RejectionReason#SERVER_FACTS_MISSING}) instead of being left to Hostkey.
     */
    public ServerAssessment assessAgainstServer(ValidateReinstall command, List<OsOffer> offers, ServerFacts facts,
                                                List<JenkinsTask> tasks) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(offers, "offers");
        Objects.requireNonNull(facts, "facts");
        Objects.requireNonNull(tasks, "tasks");
        Assessing a = new Assessing();
        Integer billedLicences = null;

        long osId = command.getOsId();
        List<OsOffer> activeOffers = offers.stream().filter(OsOffer::active).toList();
        Optional<OsOffer> chosen = activeOffers.stream().filter(o -> o.id() == osId).findFirst()
                .or(() -> offers.stream().filter(o -> o.id() == osId).findFirst());
        Optional<ValidationFailed> failure;
        if (chosen.isEmpty()) {
            failure = fail(RejectionReason.OS_NOT_OFFERED, "osId", "osId " + osId + " is not offered for this server; "
                    + chooseAmong(activeOffers));
        } else if (!chosen.get().active()) {
            failure = fail(RejectionReason.OS_NOT_OFFERED, "osId", describe(chosen.get()) + " is offered but not active; "
                    + chooseAmong(activeOffers));
        } else {
            OsOffer os = a.ran(CHECK_OS_OFFERED, chosen).orElseThrow();
            ServerType type = ServerType.of(facts.type()).orElse(null);
            List<Long> disks = facts.diskSizesGb() == null ? List.of()
                    : facts.diskSizesGb().stream().filter(Objects::nonNull).sorted().toList();
            PartitionScheme scheme = command.getPartitionScheme();
            failure = checkOsFitsType(os, type, facts.type(), activeOffers, a)
                    .or(() -> checkResources(os, facts.ramGb(), disks, scheme, a))
                    .or(() -> checkLicencesFor(os, command.getLicences(), facts.cores(), a))
                    .or(() -> checkPartitionScheme(scheme, disks, a))
                    .or(() -> checkJenkinsTasks(command.getJenkinsTasks(), tasks, type, facts.type(), a));
            if (licensedPerCore(os)) {
                billedLicences = command.getLicences();
            }
        }
        if (failure.isEmpty() && limits.strictServerFacts() && !a.notChecked.isEmpty()) {
            failure = fail(RejectionReason.SERVER_FACTS_MISSING, "serverId", "strict validation (VALIDATION_STRICT=true): what"
                    + " Hostkey says of this serverId lacks what these checks need: "
                    + a.notChecked.stream().map(u -> u.check() + " (" + u.why() + ")").collect(Collectors.joining(", "))
                    + "; VALIDATION_STRICT=false leaves them to Hostkey's own checks");
        }
        return new ServerAssessment(failure, List.copyOf(a.checked), List.copyOf(a.notChecked),
                failure.isPresent() ? null : billedLicences);
    }

    /**
     * What the checks against the server found. {@code licences} is what create_pxe sends and billing
     * counts: the request's licences when its OS is licensed per core and the request passed, else
     * null (a count given for an OS that is not licensed is neither sent nor billed).
     */
    public record ServerAssessment(Optional<ValidationFailed> failure, List<String> checked, List<Unchecked> notChecked,
                                   Integer licences) {}

    /** A check that applied but could not run: {@code why} names the fact Hostkey did not give. */
    public record Unchecked(String check, String why) {}

    /** Records which checks ran (and passed) and which could not; checks that do not apply are in neither. */
    private static final class Assessing {
        final List<String> checked = new ArrayList<>();
        final List<Unchecked> notChecked = new ArrayList<>();

        <T> Optional<T> ran(String check, Optional<T> passed) {
            checked.add(check);
            return passed;
        }

        Optional<ValidationFailed> checked(String check, Optional<ValidationFailed> result) {
            if (result.isEmpty()) {
                checked.add(check);
            }
            return result;
        }

        Optional<ValidationFailed> couldNot(String check, String why) {
            notChecked.add(new Unchecked(check, why));
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------- fields

    private static Optional<ValidationFailed> checkPassword(String password) {
        if (password == null || password.isEmpty()) {
            return failPassword("rootPassword is required: " + PASSWORD_POLICY);
        }
        // The length itself is not echoed: it would narrow a guess of the password.
        int length = password.codePointCount(0, password.length());
        if (length < PASSWORD_MIN_LENGTH) {
            return failPassword("rootPassword is too short: it needs at least " + PASSWORD_MIN_LENGTH + " characters");
        }
        if (length > PASSWORD_MAX_LENGTH) {
            return failPassword("rootPassword is too long: it may have at most " + PASSWORD_MAX_LENGTH + " characters");
        }
        if (!password.chars().allMatch(ReinstallValidator::isPasswordChar)) {
            return failPassword("rootPassword may contain only A-Z, a-z, 0-9 and % - _ + (Hostkey refuses @, #, spaces"
                    + " and any other character)");
        }
        if (isPasswordSpecial(password.charAt(0))) {
            return failPassword("rootPassword must start with a letter or a digit, not with one of % - _ +");
        }
        if (password.chars().noneMatch(c -> c >= 'A' && c <= 'Z')) {
            return failPassword("rootPassword must contain an upper-case letter (A-Z)");
        }
        if (password.chars().noneMatch(c -> c >= 'a' && c <= 'z')) {
            return failPassword("rootPassword must contain a lower-case letter (a-z)");
        }
        if (password.chars().noneMatch(c -> c >= '0' && c <= '9')) {
            return failPassword("rootPassword must contain a digit (0-9)");
        }
        if (password.chars().noneMatch(ReinstallValidator::isPasswordSpecial)) {
            return failPassword("rootPassword must contain one of % - _ +");
        }
        return Optional.empty();
    }

    private static boolean isPasswordChar(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || isPasswordSpecial(c);
    }

    private static boolean isPasswordSpecial(int c) {
        return PASSWORD_SPECIALS.indexOf(c) >= 0;
    }

    private static Optional<ValidationFailed> failPassword(String message) {
        return fail(RejectionReason.INVALID_PASSWORD, "rootPassword", message);
    }

    /** RFC 1123 host name: dot-separated labels of 1-63 ASCII letters, digits and inner hyphens. */
    private Optional<ValidationFailed> checkHostname(String hostname) {
        if (hostname == null || hostname.isEmpty()) {
            return failHostname("hostname is required: give a name such as web-1.example.com");
        }
        int position = 1;
        for (int i = 0; i < hostname.length(); i += Character.charCount(hostname.codePointAt(i)), position++) {
            int c = hostname.codePointAt(i);
            if (!isHostnameChar(c)) {
                return failHostname("hostname contains " + describeCodePoint(c) + " at position " + position
                        + "; use only ASCII letters, digits, '-' and '.'");
            }
        }
        if (hostname.endsWith(".")) {
            return failHostname("hostname must not end with '.': drop the trailing dot");
        }
        if (hostname.length() > limits.maxHostnameLength()) {
            return failHostname("hostname is " + hostname.length() + " characters long; the limit is "
                    + limits.maxHostnameLength());
        }
        String[] labels = hostname.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            if (label.isEmpty()) {
                return failHostname("hostname has an empty label (it starts with '.' or contains '..'); "
                        + "separate labels with single dots");
            }
            if (label.length() > MAX_LABEL_LENGTH) {
                return failHostname("hostname label " + (i + 1) + " is " + label.length() + " characters long; a label"
                        + " (the part between dots) may have at most " + MAX_LABEL_LENGTH);
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                return failHostname("hostname label '" + label + "' must not start or end with '-'");
            }
        }
        return Optional.empty();
    }

    private static boolean isHostnameChar(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    }

    /** Printable ASCII as itself, anything else (spaces, controls, Unicode) as U+XXXX, safe in any log. */
    private static String describeCodePoint(int c) {
        return c > 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format(Locale.ROOT, "U+%04X", c);
    }

    private static Optional<ValidationFailed> failHostname(String message) {
        return fail(RejectionReason.INVALID_HOSTNAME, "hostname", message);
    }

    /**
     * One authorized_keys line without options: {@code <type> <base64 blob> [comment]}. The blob is
     * the key in SSH wire format (RFC 4253 6.6, RFC 5656, RFC 8709, OpenSSH PROTOCOL.u2f): a
     * sequence of 4-byte-length-prefixed strings, the first of which repeats the type.
     */
    private static Optional<ValidationFailed> checkSshKey(String sshKey) {
        if (sshKey == null || sshKey.isEmpty()) {
            return Optional.empty();
        }
        if (sshKey.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t')) {
            return failSshKey("sshKey must be a single line '<type> <base64> [comment]': remove line breaks and"
                    + " control characters");
        }
        String[] parts = sshKey.strip().split("[ \t]+", 3);
        if (parts.length < 2) {
            return failSshKey("sshKey must look like '<type> <base64> [comment]', as in a .pub file such as"
                    + " ~/.ssh/id_ed25519.pub");
        }
        String type = parts[0];
        if (!SSH_KEY_TYPES.contains(type)) {
            return failSshKey("sshKey must start with a key type, one of " + String.join(", ", SSH_KEY_TYPES)
                    + " (authorized_keys options are not accepted)");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException notBase64) {
            return failSshKey("sshKey key data (the part after '" + type + " ') is not valid base64: paste the whole"
                    + " public key line");
        }
        SshWire wire = new SshWire(blob);
        if (!wire.nextEquals(type)) {
            return failSshKey("sshKey key data does not encode the type in front of it (" + type + "): correct the type,"
                    + " or paste the key again if it is damaged");
        }
        if (!hasLayoutOf(type, wire)) {
            return failSshKey("sshKey key data is truncated or damaged (type " + type + "): paste the whole"
                    + " public key line");
        }
        return Optional.empty();
    }

    /** What follows the type string in each key type's blob, up to its end. */
    private static boolean hasLayoutOf(String type, SshWire wire) {
        return switch (type) {
            case "ssh-rsa" -> wire.nextNonEmpty() && wire.nextNonEmpty() && wire.atEnd(); // e, n
            case "ssh-ed25519" -> wire.nextOfLength(ED25519_KEY_BYTES) && wire.atEnd();
            case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" ->
                    wire.nextEquals(type.substring("ecdsa-sha2-".length())) && wire.nextNonEmpty() && wire.atEnd(); // curve, point
            case "sk-ssh-ed25519@openssh.com" ->
                    wire.nextOfLength(ED25519_KEY_BYTES) && wire.next() != null && wire.atEnd(); // key, application
            case "sk-ecdsa-sha2-nistp256@openssh.com" ->
                    wire.nextEquals("nistp256") && wire.nextNonEmpty() && wire.next() != null && wire.atEnd();
            default -> false;
        };
    }

    private static Optional<ValidationFailed> failSshKey(String message) {
        return fail(RejectionReason.INVALID_SSH_KEY, "sshKey", message);
    }

    private Optional<ValidationFailed> checkScriptSize(String script) {
        if (script == null) {
            return Optional.empty();
        }
        long bytes = utf8Length(script);
        if (bytes > limits.maxPostInstallScriptBytes()) {
            return fail(RejectionReason.SCRIPT_TOO_LARGE, "postInstallScript", "postInstallScript is " + bytes
                    + " bytes (UTF-8); the limit is " + limits.maxPostInstallScriptBytes()
                    + " bytes: shorten it, or have it download the rest at first boot");
        }
        return Optional.empty();
    }

    /** Counted rather than encoded, so that no second copy of the script is made. */
    private static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static Optional<ValidationFailed> checkCallbackUrl(String url) {
        if (url == null || url.isEmpty()) {
            return Optional.empty();
        }
        String example = ", e.g. https://billing.example.com/installed";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException notAUri) {
            return failCallbackUrl("postInstallCallbackUrl is not a valid URL (" + notAUri.getReason()
                    + "): give an absolute http or https URL" + example);
        }
        if (!uri.isAbsolute()) {
            return failCallbackUrl("postInstallCallbackUrl must be an absolute URL starting with http:// or https://"
                    + example);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return failCallbackUrl("postInstallCallbackUrl must use http or https, not " + scheme + example);
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            return failCallbackUrl("postInstallCallbackUrl must name a host" + example);
        }
        return Optional.empty();
    }

    private static Optional<ValidationFailed> failCallbackUrl(String message) {
        return fail(RejectionReason.INVALID_CALLBACK_URL, "postInstallCallbackUrl", message);
    }

    private static Optional<ValidationFailed> checkLicenceCount(Integer licences) {
        if (licences == null || PerCoreLicences.isValidCount(licences)) {
            return Optional.empty();
        }
        return fail(RejectionReason.INVALID_LICENCE_COUNT, "licences", "licences must be " + PerCoreLicences.rule()
                + " (MS SPLA, per core); got " + licences);
    }

    /**
     * Whether eq/show's server type is one the checks know (bm, vm or vds, gpu, vgpu). An unknown
     * or missing type skips the OS-fits-type and Jenkins-task checks.
     */
    public static boolean knowsServerType(String reported) {
        return ServerType.of(reported).isPresent();
    }

    // ---------------------------------------------------------------- against the server

    /** {@code type} null: Hostkey did not say (or said something unknown); os/list is then trusted to offer only OSes that fit. */
    private static Optional<ValidationFailed> checkOsFitsType(OsOffer os, ServerType type, String reportedType, List<OsOffer> activeOffers,
                                                              Assessing a) {
        if (type == null) {
            return a.couldNot(CHECK_OS_FITS_TYPE, unknownType(reportedType));
        }
        if (type.runs(os)) {
            return a.checked(CHECK_OS_FITS_TYPE, Optional.empty());
        }
        List<OsOffer> fitting = activeOffers.stream().filter(type::runs).toList();
        return fail(RejectionReason.OS_NOT_FIT, "osId", describe(os) + " does not run on " + type.tag
                + " servers (its tag " + type.tag + " is not 1); "
                + (fitting.isEmpty() ? "os/list offers no active OS for " + type.tag + " servers" : chooseAmong(fitting)));
    }

    private static String unknownType(String reportedType) {
        return reportedType == null || reportedType.isBlank() ? "eq/show gave no server type"
                : "eq/show's server type is none of bm, vm, gpu, vgpu";
    }

    private static Optional<ValidationFailed> checkResources(OsOffer os, Integer ramGb, List<Long> sortedDisks,
                                                             PartitionScheme scheme, Assessing a) {
        BigDecimal minRam = number(tags(os).get(TAG_MIN_RAM));
        if (minRam != null && ramGb == null) {
            a.couldNot(CHECK_MIN_RAM, "eq/show gave no RAM size");
        } else if (minRam != null) {
            if (BigDecimal.valueOf(ramGb).compareTo(minRam) < 0) {
                return fail(RejectionReason.INSUFFICIENT_RESOURCES, "osId", describe(os) + " needs at least "
                        + plain(minRam) + " GB of RAM; this server has " + ramGb + " GB: choose another OS");
            }
            a.checked(CHECK_MIN_RAM, Optional.empty());
        }
        BigDecimal minHdd = number(tags(os).get(TAG_MIN_HDD));
        if (minHdd == null) {
            return Optional.empty();
        }
        if (sortedDisks.isEmpty()) {
            return a.couldNot(CHECK_MIN_HDD, "eq/show gave no disk sizes");
        }
        // LVM_RAID0 stripes the OS over every disk; every other layout puts it on (a mirror of)
        // the smallest disk, so that is the room it gets.
        boolean striped = scheme == PartitionScheme.LVM_RAID0;
        long room = striped ? sortedDisks.stream().mapToLong(Long::longValue).sum() : sortedDisks.getFirst();
        if (BigDecimal.valueOf(room).compareTo(minHdd) < 0) {
            String where = striped ? "LVM_RAID0 over all disks gives " + room + " GB"
                    : scheme == PartitionScheme.LVM_HBA ? "LVM_HBA installs on the smallest disk, which has " + room + " GB"
                    : "the smallest disk has " + room + " GB";
            return fail(RejectionReason.INSUFFICIENT_RESOURCES, "osId", describe(os) + " needs at least "
                    + plain(minHdd) + " GB of disk; " + where + ": choose another OS or partitionScheme");
        }
        return a.checked(CHECK_MIN_HDD, Optional.empty());
    }

    /** Whether the OS is licensed per core: its os/list entry has a {@code price_per_core_EUR} tag. */
    public static boolean licensedPerCore(OsOffer os) {
        String pricePerCore = tags(os).get(TAG_PRICE_PER_CORE);
        return pricePerCore != null && !pricePerCore.isBlank();
    }

    /**
     * What an OS licensed per core asks of a server with {@code cores} cores (null: not known), for
     * people choosing a count: "at least 12 for its 12 cores, in steps of 2", or "at least 8, in steps of 2".
     */
    public static String licencesNeeded(Integer cores) {
        if (cores == null) {
            return PerCoreLicences.rule();
        }
        return "at least " + PerCoreLicences.minimumFor(cores) + " for its " + cores + " cores, in steps of " + PerCoreLicences.STEP;
    }

    /**
     * A licensed OS needs a valid count ({@link PerCoreLicences}) that covers every core eq/show
     * reports; without a core count the cover check is left to Hostkey and said so.
     */
    private static Optional<ValidationFailed> checkLicencesFor(OsOffer os, Integer licences, Integer cores, Assessing a) {
        if (!licensedPerCore(os)) {
            return Optional.empty();
        }
        String pricePerCore = tags(os).get(TAG_PRICE_PER_CORE);
        String licensing = describe(os) + " is licensed per core (MS SPLA, " + pricePerCore.strip()
                + " EUR per core without VAT)";
        if (licences == null) {
            return fail(RejectionReason.INVALID_LICENCE_COUNT, "licences", licensing + ": set licences, "
                    + PerCoreLicences.rule());
        }
        if (!PerCoreLicences.isValidCount(licences)) {
            return fail(RejectionReason.INVALID_LICENCE_COUNT, "licences", licensing + ": licences must be "
                    + PerCoreLicences.rule() + "; got " + licences);
        }
        a.checked(CHECK_LICENCES, Optional.empty());
        if (cores == null) {
            return a.couldNot(CHECK_LICENCES_COVER_CORES, "eq/show gave no CPU core count");
        }
        if (!PerCoreLicences.covers(licences, cores)) {
            return fail(RejectionReason.INVALID_LICENCE_COUNT, "licences", licensing + ": this server has " + cores
                    + " cores and each needs a licence; got " + licences + ": set licences to at least "
                    + PerCoreLicences.minimumFor(cores) + " (" + PerCoreLicences.rule() + ")");
        }
        return a.checked(CHECK_LICENCES_COVER_CORES, Optional.empty());
    }

    /** Hostkey's documented disk counts per layout ({@link DiskLayout}): stated there once, for the simulator too. */
    private static Optional<ValidationFailed> checkPartitionScheme(PartitionScheme scheme, List<Long> sortedDisks, Assessing a) {
        if (scheme == null) {
            return Optional.empty();
        }
        if (sortedDisks.isEmpty()) {
            return a.couldNot(CHECK_PARTITION_SCHEME, "eq/show gave no disks");
        }
        int count = sortedDisks.size();
        DiskLayout layout = DiskLayout.valueOf(scheme.name());
        if (layout.fits(count)) {
            return a.checked(CHECK_PARTITION_SCHEME, Optional.empty());
        }
        List<String> fitting = Stream.of(DiskLayout.values()).filter(l -> l.fits(count)).map(Enum::name).toList();
        return fail(RejectionReason.PARTITION_SCHEME_UNFIT, "partitionScheme", "partitionScheme " + scheme + " " + layout.requirement()
                + "; this server has " + count + (count == 1 ? " disk (" : " disks (")
                + sortedDisks.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " GB); "
                + (fitting.isEmpty() ? "no layout fits one disk: leave partitionScheme out" : "schemes that fit: " + String.join(", ", fitting)));
    }

    /** {@code type} null: Hostkey did not say, so only the tasks' existence is checked. */
    private static Optional<ValidationFailed> checkJenkinsTasks(List<String> requested, List<JenkinsTask> tasks,
                                                                ServerType type, String reportedType, Assessing a) {
        if (requested == null || requested.isEmpty()) {
            return Optional.empty();
        }
        Map<String, JenkinsTask> byId = tasks.stream().filter(t -> t.id() != null)
                .collect(Collectors.toMap(JenkinsTask::id, Function.identity(), (first, later) -> first, LinkedHashMap::new));
        for (String id : requested) {
            if (!byId.containsKey(id)) {
                return fail(RejectionReason.UNKNOWN_JENKINS_TASK, "jenkinsTasks", "jenkinsTasks names task '" + id
                        + "', which jenkins/get_tasks does not list; "
                        + (byId.isEmpty() ? "it lists no tasks" : "known tasks: " + listed(byId.keySet())));
            }
        }
        a.checked(CHECK_JENKINS_TASKS, Optional.empty());
        if (type == null) {
            return a.couldNot(CHECK_JENKINS_TASK_TAGS, unknownType(reportedType));
        }
        for (String id : requested) {
            JenkinsTask task = byId.get(id);
            if (!type.suits(task)) {
                List<String> tags = task.tags() == null ? List.of() : task.tags();
                return fail(RejectionReason.JENKINS_TASK_NOT_FIT, "jenkinsTasks", "jenkinsTasks: task '" + id + "'"
                        + (task.name() == null ? "" : " (" + task.name() + ")") + " is not meant for "
                        + type.tag + " servers (its tags: " + (tags.isEmpty() ? "none" : String.join(", ", tags))
                        + "); remove it from jenkinsTasks");
            }
        }
        return a.checked(CHECK_JENKINS_TASK_TAGS, Optional.empty());
    }

    // ---------------------------------------------------------------- shared

    /**
     * The server types eq/show reports and the tag names that mark an OS or a Jenkins task fit for
     * each. Some builds flag VM-ready OSes as {@code vds} instead of {@code vm}.
     */
    private enum ServerType {
        BM("bm"), VM("vm", "vds"), GPU("gpu"), VGPU("vgpu");

        final String tag;
        private final List<String> tagNames;

        ServerType(String tag, String... aliases) {
            this.tag = tag;
            this.tagNames = Stream.concat(Stream.of(tag), Stream.of(aliases)).toList();
        }

        /** Empty when Hostkey did not say, or said something this code does not know. */
        static Optional<ServerType> of(String reported) {
            if (reported == null) {
                return Optional.empty();
            }
            String name = reported.strip().toLowerCase(Locale.ROOT);
            return Stream.of(values()).filter(t -> t.tagNames.contains(name)).findFirst();
        }

        boolean runs(OsOffer os) {
            Map<String, String> tags = tags(os);
            return tagNames.stream().anyMatch(name -> isSet(tags.get(name)));
        }

        boolean suits(JenkinsTask task) {
            return task.tags() != null && task.tags().stream().filter(Objects::nonNull)
                    .map(t -> t.strip().toLowerCase(Locale.ROOT))
                    .anyMatch(t -> t.equals(TASK_TAG_DEFAULT) || tagNames.contains(t));
        }

        /** Tag values are "1"/"0"; a build that sends JSON booleans is flattened to "true"/"false". */
        private static boolean isSet(String value) {
            return value != null && (value.strip().equals("1") || value.strip().equalsIgnoreCase("true"));
        }
    }

    private static Map<String, String> tags(OsOffer os) {
        return os.tags() == null ? Map.of() : os.tags();
    }

    /** A numeric tag, or null when absent or not a number (then the requirement is left to Hostkey). */
    private static BigDecimal number(String tagValue) {
        if (tagValue == null || tagValue.isBlank()) {
            return null;
        }
        try {
            return new BigDecimal(tagValue.strip());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    private static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }

    private static String describe(OsOffer os) {
        return "osId " + os.id() + (os.name() == null || os.name().isBlank() ? "" : " (" + os.name() + ")");
    }

    private static String chooseAmong(List<OsOffer> offers) {
        if (offers.isEmpty()) {
            return "os/list offers no active OS for it";
        }
        return "choose one of: " + listed(offers.stream().map(o -> String.valueOf(o.id())).distinct().toList());
    }

    private static String listed(Collection<String> items) {
        String shown = items.stream().limit(MAX_LISTED).collect(Collectors.joining(", "));
        return items.size() > MAX_LISTED ? shown + " and " + (items.size() - MAX_LISTED) + " more" : shown;
    }

    private static Optional<ValidationFailed> fail(RejectionReason reason, String field, String message) {
        return Optional.of(ValidationFailed.newBuilder().setReason(reason).setField(field).setMessage(message).build());
    }

    /** Reads the length-prefixed strings of an SSH wire-format blob; a bad length ends the read. */
    private static final class SshWire {
        private final byte[] data;
        private int position;

        SshWire(byte[] data) {
            this.data = data;
        }

        /** The next string, or null when the blob ends or claims more bytes than it has. */
        byte[] next() {
            if (data.length - position < 4) {
                return null;
            }
            long length = ((data[position] & 0xffL) << 24) | ((data[position + 1] & 0xffL) << 16)
                    | ((data[position + 2] & 0xffL) << 8) | (data[position + 3] & 0xffL);
            if (length > data.length - position - 4) {
                return null;
            }
            int start = position + 4;
            position = start + (int) length;
            return Arrays.copyOfRange(data, start, position);
        }

        boolean nextEquals(String expected) {
            byte[] value = next();
            return value != null && Arrays.equals(value, expected.getBytes(StandardCharsets.US_ASCII));
        }

        boolean nextNonEmpty() {
            byte[] value = next();
            return value != null && value.length > 0;
        }

        boolean nextOfLength(int length) {
            byte[] value = next();
            return value != null && value.length == length;
        }

        boolean atEnd() {
            return position == data.length;
        }
    }
}
