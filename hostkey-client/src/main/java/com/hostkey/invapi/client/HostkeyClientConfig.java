package com.hostkey.invapi.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of {@link HostkeyClient}. Build with {@link #builder(String)} or read the environment
 * with {@link #fromEnv(Map)}; every default lives in {@link Builder}.
 *
 * @param baseUrl where invapi lives, e.g. {@code https://invapi.hostkey.com}; calls go to
 *     {@code baseUrl + "/<module>.php"}
 * @param accounts credential sets by account name; "default" is the one commands use when they name none
 * @param readTimeout whole-call timeout of reads (os list, show, get_tasks) and of login/logout
 * @param actionTimeout whole-call timeout of actions (reinstall, create_pxe, boot_dev, reboot, ...)
 * @param callbackTimeout whole-call timeout of eq_callback checks
 * @param retry how idempotent calls are repeated
 * @param requestsPerSecond the most requests sent per second per account (callback checks share
 *     one budget of their own, they carry no account)
 * @param tokenTtl the lifetime asked for at login ({@code ttl})
 * @param refreshMargin how long before {@code token_expire} a session is renewed
 * @param diskSchemeField the create_pxe form field that carries the partition scheme; no such
 *     field is public, so it is a setting (the simulator has the same one)
 * @param reinstallKeyFields the fields of eq/reinstall's answer that may carry the master key,
 *     tried in order (at the top level, then inside an object {@code result}); Hostkey does not
 *     document the name, so it is a setting (the simulator's is {@code --reinstall-key-field})
 * @param refusals how Hostkey's error answers are told apart ({@link Refusal}): one pattern per kind,
 *     defaults matching the known wordings and the simulator's; Hostkey documents few of its
 *     wordings, so each is a setting (the simulator's is {@code --error-wording})
 * @param showFields the names eq/show's facts are read under (type, RAM, disks, disk sizes, cores), each
 *     list tried in order ({@link ShowFields}; HOSTKEY_SHOW_*_FIELD)
 * @param osTags other names os/list's min_ram, min_hdd and price_per_core_EUR tags may come under
 *     ({@link OsTagNames}; HOSTKEY_OS_TAG_*)
 * @param licencesField the create_pxe form field that carries the per-core licences of a licensed OS;
 *     no such field is public, so it is a setting (the simulator's is {@code --licences-field})
 * @param jenkinsLaunch the call that launches a Jenkins task, its module, action and field names; not
 *     documented by Hostkey, so a setting (the simulator's are {@code --jenkins-run-action},
 *     {@code --jenkins-server-field}, {@code --jenkins-task-field})
 */
public record HostkeyClientConfig(
        String baseUrl,
        Map<String, Credentials> accounts,
        Duration readTimeout,
        Duration actionTimeout,
        Duration callbackTimeout,
        RetryPolicy retry,
        double requestsPerSecond,
        Duration tokenTtl,
        Duration refreshMargin,
        String diskSchemeField,
        List<String> reinstallKeyFields,
        RefusalPatterns refusals,
        String licencesField,
        JenkinsLaunch jenkinsLaunch,
        ShowFields showFields,
        OsTagNames osTags) {

    /** The account a command uses when it names none. */
    public static final String DEFAULT_ACCOUNT = "default";

    public static final String ENV_BASE_URL = "HOSTKEY_BASE_URL";
    public static final String ENV_API_KEY = "HOSTKEY_API_KEY";
    public static final String ENV_PIN = "HOSTKEY_PIN";
    public static final String ENV_ACCOUNTS = "HOSTKEY_ACCOUNTS";
    public static final String ENV_ACCOUNT_PREFIX = "HOSTKEY_ACCOUNT_";
    public static final String FILE_SUFFIX = "_FILE";
    public static final String ENV_READ_TIMEOUT_MS = "HOSTKEY_READ_TIMEOUT_MS";
    public static final String ENV_ACTION_TIMEOUT_MS = "HOSTKEY_ACTION_TIMEOUT_MS";
    public static final String ENV_CALLBACK_TIMEOUT_MS = "HOSTKEY_CALLBACK_TIMEOUT_MS";
    public static final String ENV_MAX_ATTEMPTS = "HOSTKEY_MAX_ATTEMPTS";
    public static final String ENV_RATE_LIMIT_RPS = "HOSTKEY_RATE_LIMIT_RPS";
    public static final String ENV_TOKEN_TTL_SECONDS = "HOSTKEY_TOKEN_TTL_SECONDS";
    public static final String ENV_TOKEN_REFRESH_MARGIN_SECONDS = "HOSTKEY_TOKEN_REFRESH_MARGIN_SECONDS";
    public static final String ENV_DISK_SCHEME_FIELD = "HOSTKEY_DISK_SCHEME_FIELD";
    public static final String ENV_REINSTALL_KEY_FIELD = "HOSTKEY_REINSTALL_KEY_FIELD";
    public static final String ENV_LICENCES_FIELD = "HOSTKEY_LICENCES_FIELD";
    public static final String ENV_JENKINS_RUN_ACTION = "HOSTKEY_JENKINS_RUN_ACTION";
    public static final String ENV_JENKINS_SERVER_FIELD = "HOSTKEY_JENKINS_SERVER_FIELD";
    public static final String ENV_JENKINS_TASK_FIELD = "HOSTKEY_JENKINS_TASK_FIELD";

    /** The create_pxe field the licences are sent in unless set: a guess, Hostkey documents none. */
    public static final String DEFAULT_LICENCES_FIELD = "licenses";

    /** The field names eq/reinstall's master key has been seen or guessed under. */
    public static final List<String> DEFAULT_REINSTALL_KEY_FIELDS = List.of("reinstall_key", "callback", "key");

    public HostkeyClientConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (baseUrl.isBlank()) {
            throw new IllegalArgumentException("baseUrl is blank");
        }
        while (baseUrl.endsWith("/")) {
            baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
        }
        accounts = Map.copyOf(Objects.requireNonNull(accounts, "accounts"));
        if (accounts.isEmpty()) {
            throw new IllegalArgumentException("no Hostkey account configured");
        }
        requirePositive(readTimeout, "readTimeout");
        requirePositive(actionTimeout, "actionTimeout");
        requirePositive(callbackTimeout, "callbackTimeout");
        Objects.requireNonNull(retry, "retry");
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("requestsPerSecond must be > 0, was " + requestsPerSecond);
        }
        requirePositive(tokenTtl, "tokenTtl");
        Objects.requireNonNull(refreshMargin, "refreshMargin");
        if (refreshMargin.isNegative()) {
            throw new IllegalArgumentException("refreshMargin must not be negative");
        }
        Objects.requireNonNull(diskSchemeField, "diskSchemeField");
        if (diskSchemeField.isBlank()) {
            throw new IllegalArgumentException("diskSchemeField is blank");
        }
        reinstallKeyFields = List.copyOf(Objects.requireNonNull(reinstallKeyFields, "reinstallKeyFields"));
        if (reinstallKeyFields.isEmpty()) {
            throw new IllegalArgumentException("reinstallKeyFields is empty: name at least one field");
        }
        if (reinstallKeyFields.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("reinstallKeyFields has a blank name: " + reinstallKeyFields);
        }
        Objects.requireNonNull(refusals, "refusals");
        Objects.requireNonNull(licencesField, "licencesField");
        if (licencesField.isBlank()) {
            throw new IllegalArgumentException("licencesField is blank");
        }
        if (licencesField.equals(diskSchemeField)) {
            throw new IllegalArgumentException("licencesField and diskSchemeField are both '" + licencesField + "'");
        }
        Objects.requireNonNull(jenkinsLaunch, "jenkinsLaunch");
        Objects.requireNonNull(showFields, "showFields");
        Objects.requireNonNull(osTags, "osTags");
    }

    /** The settings as before {@code osTags} existed: os/list's requirement tags under their seed names only. */
    public HostkeyClientConfig(String baseUrl, Map<String, Credentials> accounts, Duration readTimeout, Duration actionTimeout,
            Duration callbackTimeout, RetryPolicy retry, double requestsPerSecond, Duration tokenTtl, Duration refreshMargin,
            String diskSchemeField, List<String> reinstallKeyFields, RefusalPatterns refusals, String licencesField,
            JenkinsLaunch jenkinsLaunch, ShowFields showFields) {
        this(baseUrl, accounts, readTimeout, actionTimeout, callbackTimeout, retry, requestsPerSecond, tokenTtl, refreshMargin,
                diskSchemeField, reinstallKeyFields, refusals, licencesField, jenkinsLaunch, showFields, OsTagNames.SEED);
    }

    /** The settings as before {@code showFields} existed: eq/show read under the assumed names. */
    public HostkeyClientConfig(String baseUrl, Map<String, Credentials> accounts, Duration readTimeout, Duration actionTimeout,
            Duration callbackTimeout, RetryPolicy retry, double requestsPerSecond, Duration tokenTtl, Duration refreshMargin,
            String diskSchemeField, List<String> reinstallKeyFields, RefusalPatterns refusals, String licencesField,
            JenkinsLaunch jenkinsLaunch) {
        this(baseUrl, accounts, readTimeout, actionTimeout, callbackTimeout, retry, requestsPerSecond, tokenTtl, refreshMargin,
                diskSchemeField, reinstallKeyFields, refusals, licencesField, jenkinsLaunch, ShowFields.DEFAULTS);
    }

    /**
     * The settings as before {@code reinstallKeyFields}, {@code refusals}, {@code licencesField} and
     * {@code jenkinsLaunch} existed: each of them at its default.
     */
    public HostkeyClientConfig(String baseUrl, Map<String, Credentials> accounts, Duration readTimeout,
            Duration actionTimeout, Duration callbackTimeout, RetryPolicy retry, double requestsPerSecond,
            Duration tokenTtl, Duration refreshMargin, String diskSchemeField) {
        this(baseUrl, accounts, readTimeout, actionTimeout, callbackTimeout, retry, requestsPerSecond, tokenTtl,
                refreshMargin, diskSchemeField, DEFAULT_REINSTALL_KEY_FIELDS, RefusalPatterns.DEFAULTS,
                DEFAULT_LICENCES_FIELD, JenkinsLaunch.ASSUMED);
    }

    public static Builder builder(String baseUrl) {
        return new Builder(baseUrl);
    }

    /**
     * Reads the settings from environment variables (pass {@code System.getenv()}).
     *
     * <ul>
     *   <li>{@code HOSTKEY_BASE_URL} (required)</li>
     *   <li>{@code HOSTKEY_API_KEY}, optional {@code HOSTKEY_PIN}: the "default" account</li>
     *   <li>{@code HOSTKEY_ACCOUNTS=a,b}: more accounts, each with
     *       {@code HOSTKEY_ACCOUNT_A_API_KEY} (required) and optional {@code HOSTKEY_ACCOUNT_A_PIN};
     *       the name is upper-cased and every character other than A-Z, 0-9 becomes {@code _}</li>
     *   <li>each secret may instead be read from a file named by the same variable with {@code _FILE}
     *       appended (e.g. {@code HOSTKEY_API_KEY_FILE}); setting both is an error</li>
     *   <li>optional tuning: {@code HOSTKEY_READ_TIMEOUT_MS}, {@code HOSTKEY_ACTION_TIMEOUT_MS},
     *       {@code HOSTKEY_CALLBACK_TIMEOUT_MS}, {@code HOSTKEY_MAX_ATTEMPTS},
     *       {@code HOSTKEY_RATE_LIMIT_RPS}, {@code HOSTKEY_TOKEN_TTL_SECONDS},
     *       {@code HOSTKEY_TOKEN_REFRESH_MARGIN_SECONDS}, {@code HOSTKEY_DISK_SCHEME_FIELD},
     *       {@code HOSTKEY_REINSTALL_KEY_FIELD} (one field name, or several separated by commas, tried
     *       in order; replaces the default {@code reinstall_key,callback,key})</li>
     *   <li>assumed wire names: {@code HOSTKEY_LICENCES_FIELD} (create_pxe's licences field, default
     *       {@code licenses}); the Jenkins launch: {@code HOSTKEY_JENKINS_RUN_ACTION} (an action of
     *       {@code jenkins.php}, or {@code module/action}; default {@code run_task}),
     *       {@code HOSTKEY_JENKINS_SERVER_FIELD} (default {@code id}), {@code HOSTKEY_JENKINS_TASK_FIELD}
     *       (default {@code task_id})</li>
     *   <li>how refusals are recognised: {@code HOSTKEY_REFUSAL_<KIND>_PATTERN}, a regex that replaces
     *       the default of that {@link Refusal} kind (see {@link RefusalPatterns#env(Refusal)})</li>
     * </ul>
     *
     * @throws IllegalStateException naming the variable that is missing or wrong
     */
    public static HostkeyClientConfig fromEnv(Map<String, String> env) {
        String baseUrl = value(env, ENV_BASE_URL);
        if (baseUrl == null) {
            throw new IllegalStateException(ENV_BASE_URL + " is not set (e.g. https://invapi.hostkey.com)");
        }
        Map<String, Credentials> accounts = new LinkedHashMap<>();
        String defaultKey = secret(env, ENV_API_KEY);
        if (defaultKey != null) {
            accounts.put(DEFAULT_ACCOUNT, new Credentials(defaultKey, secret(env, ENV_PIN)));
        } else if (secret(env, ENV_PIN) != null) {
            throw new IllegalStateException(ENV_PIN + " is set but " + ENV_API_KEY + " is not");
        }
        String names = value(env, ENV_ACCOUNTS);
        if (names != null) {
            for (String name : Arrays.stream(names.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
                String prefix = ENV_ACCOUNT_PREFIX + envName(name);
                String apiKey = secret(env, prefix + "_API_KEY");
                if (apiKey == null) {
                    throw new IllegalStateException(prefix + "_API_KEY (or " + prefix + "_API_KEY" + FILE_SUFFIX
                            + ") is not set, but " + ENV_ACCOUNTS + " names account '" + name + "'");
                }
                if (accounts.containsKey(name)) {
                    throw new IllegalStateException("account '" + name + "' is configured twice ("
                            + ENV_ACCOUNTS + " and " + ENV_API_KEY + ")");
                }
                accounts.put(name, new Credentials(apiKey, secret(env, prefix + "_PIN")));
            }
        }
        if (accounts.isEmpty()) {
            throw new IllegalStateException(ENV_API_KEY + " (or " + ENV_API_KEY + FILE_SUFFIX + ", or "
                    + ENV_ACCOUNTS + ") is not set: no Hostkey account configured");
        }
        Builder b = builder(baseUrl).accounts(accounts);
        Long ms;
        if ((ms = number(env, ENV_READ_TIMEOUT_MS)) != null) {
            b.readTimeout(Duration.ofMillis(ms));
        }
        if ((ms = number(env, ENV_ACTION_TIMEOUT_MS)) != null) {
            b.actionTimeout(Duration.ofMillis(ms));
        }
        if ((ms = number(env, ENV_CALLBACK_TIMEOUT_MS)) != null) {
            b.callbackTimeout(Duration.ofMillis(ms));
        }
        Long attempts = number(env, ENV_MAX_ATTEMPTS);
        if (attempts != null) {
            RetryPolicy d = RetryPolicy.DEFAULT;
            b.retry(new RetryPolicy(attempts.intValue(), d.initialBackoff(), d.maxBackoff(), d.maxRetryAfter()));
        }
        String rps = value(env, ENV_RATE_LIMIT_RPS);
        if (rps != null) {
            try {
                b.requestsPerSecond(Double.parseDouble(rps));
            } catch (NumberFormatException e) {
                throw new IllegalStateException(ENV_RATE_LIMIT_RPS + " is not a number: " + rps, e);
            }
        }
        Long s;
        if ((s = number(env, ENV_TOKEN_TTL_SECONDS)) != null) {
            b.tokenTtl(Duration.ofSeconds(s));
        }
        if ((s = number(env, ENV_TOKEN_REFRESH_MARGIN_SECONDS)) != null) {
            b.refreshMargin(Duration.ofSeconds(s));
        }
        String field = value(env, ENV_DISK_SCHEME_FIELD);
        if (field != null) {
            b.diskSchemeField(field);
        }
        String keyFields = value(env, ENV_REINSTALL_KEY_FIELD);
        if (keyFields != null) {
            List<String> fieldNames =
                    Arrays.stream(keyFields.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
            if (fieldNames.isEmpty()) {
                throw new IllegalStateException(ENV_REINSTALL_KEY_FIELD + " names no field: " + keyFields);
            }
            b.reinstallKeyFields(fieldNames);
        }
        b.refusals(RefusalPatterns.fromEnv(env, RefusalPatterns.DEFAULTS));
        b.showFields(ShowFields.fromEnv(env));
        b.osTags(OsTagNames.fromEnv(env));
        String licences = value(env, ENV_LICENCES_FIELD);
        if (licences != null) {
            b.licencesField(licences);
        }
        JenkinsLaunch launch = JenkinsLaunch.ASSUMED;
        try {
            String run = value(env, ENV_JENKINS_RUN_ACTION);
            if (run != null) {
                launch = launch.withAction(run);
            }
            String serverField = value(env, ENV_JENKINS_SERVER_FIELD);
            if (serverField != null) {
                launch = launch.withServerField(serverField);
            }
            String taskField = value(env, ENV_JENKINS_TASK_FIELD);
            if (taskField != null) {
                launch = launch.withTaskField(taskField);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid Jenkins launch settings (" + ENV_JENKINS_RUN_ACTION + ", "
                    + ENV_JENKINS_SERVER_FIELD + ", " + ENV_JENKINS_TASK_FIELD + "): " + e.getMessage(), e);
        }
        b.jenkinsLaunch(launch);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid Hostkey client settings: " + e.getMessage(), e);
        }
    }

    static String envName(String account) {
        return account.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static Long number(Map<String, String> env, String name) {
        String v = value(env, name);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(name + " is not a whole number: " + v, e);
        }
    }

    /** A secret from {@code NAME} or from the file named by {@code NAME_FILE}; never both. */
    private static String secret(Map<String, String> env, String name) {
        String direct = value(env, name);
        String file = value(env, name + FILE_SUFFIX);
        if (direct != null && file != null) {
            throw new IllegalStateException("both " + name + " and " + name + FILE_SUFFIX + " are set: set one");
        }
        if (file == null) {
            return direct;
        }
        try {
            String content = Files.readString(Path.of(file)).strip();
            if (content.isEmpty()) {
                throw new IllegalStateException(name + FILE_SUFFIX + " names an empty file: " + file);
            }
            return content;
        } catch (IOException e) {
            throw new IllegalStateException(name + FILE_SUFFIX + " names a file that cannot be read: " + file, e);
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** Builder; its field initialisers are the defaults. */
    public static final class Builder {
        private final String baseUrl;
        private final Map<String, Credentials> accounts = new LinkedHashMap<>();
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration actionTimeout = Duration.ofSeconds(60);
        private Duration callbackTimeout = Duration.ofSeconds(15);
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private double requestsPerSecond = 10;
        private Duration tokenTtl = Duration.ofSeconds(3600);
        private Duration refreshMargin = Duration.ofSeconds(120);
        private String diskSchemeField = "disk_scheme";
        private List<String> reinstallKeyFields = DEFAULT_REINSTALL_KEY_FIELDS;
        private RefusalPatterns refusals = RefusalPatterns.DEFAULTS;
        private String licencesField = DEFAULT_LICENCES_FIELD;
        private ShowFields showFields = ShowFields.DEFAULTS;
        private OsTagNames osTags = OsTagNames.SEED;
        private JenkinsLaunch jenkinsLaunch = JenkinsLaunch.ASSUMED;

        private Builder(String baseUrl) {
            this.baseUrl = baseUrl;
        }

        /** Adds (or replaces) one account. */
        public Builder account(String name, Credentials credentials) {
            accounts.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(credentials, "credentials"));
            return this;
        }

        public Builder accounts(Map<String, Credentials> all) {
            all.forEach(this::account);
            return this;
        }

        /** Whole-call timeout of reads and login/logout; default 30 s. */
        public Builder readTimeout(Duration d) {
            this.readTimeout = d;
            return this;
        }

        /** Whole-call timeout of actions; default 60 s. */
        public Builder actionTimeout(Duration d) {
            this.actionTimeout = d;
            return this;
        }

        /** Whole-call timeout of eq_callback checks; default 15 s. */
        public Builder callbackTimeout(Duration d) {
            this.callbackTimeout = d;
            return this;
        }

        /** Retry policy of idempotent calls; default {@link RetryPolicy#DEFAULT}. */
        public Builder retry(RetryPolicy p) {
            this.retry = p;
            return this;
        }

        /** Requests per second per account; default 10. */
        public Builder requestsPerSecond(double rps) {
            this.requestsPerSecond = rps;
            return this;
        }

        /** Token lifetime requested at login; default 3600 s. */
        public Builder tokenTtl(Duration d) {
            this.tokenTtl = d;
            return this;
        }

        /** Renew a session this long before it expires; default 120 s. */
        public Builder refreshMargin(Duration d) {
            this.refreshMargin = d;
            return this;
        }

        /** The create_pxe field carrying the partition scheme; default {@code disk_scheme}. */
        public Builder diskSchemeField(String field) {
            this.diskSchemeField = field;
            return this;
        }

        /**
         * The fields of eq/reinstall's answer that may carry the master key, tried in order; they
         * replace the default {@code reinstall_key}, {@code callback}, {@code key}.
         */
        public Builder reinstallKeyFields(List<String> fields) {
            this.reinstallKeyFields = List.copyOf(fields);
            return this;
        }

        public Builder reinstallKeyFields(String... fields) {
            return reinstallKeyFields(List.of(fields));
        }

        /** How refusals are recognised; default {@link RefusalPatterns#DEFAULTS}. */
        public Builder refusals(RefusalPatterns patterns) {
            this.refusals = patterns;
            return this;
        }

        /** Replaces the pattern of one refusal kind (a regex, case-insensitive, found in Hostkey's code or message). */
        public Builder refusalPattern(Refusal kind, String regex) {
            this.refusals = refusals.with(kind, regex);
            return this;
        }

        /** The create_pxe field carrying a licensed OS's per-core licences; default {@code licenses}. */
        public Builder licencesField(String field) {
            this.licencesField = field;
            return this;
        }

        /** How a Jenkins task is launched; default {@link JenkinsLaunch#ASSUMED}. */
        public Builder jenkinsLaunch(JenkinsLaunch launch) {
            this.jenkinsLaunch = launch;
            return this;
        }

        /** The names eq/show's facts are read under ({@link ShowFields}). */
        public Builder showFields(ShowFields fields) {
            this.showFields = Objects.requireNonNull(fields, "showFields");
            return this;
        }

        /** Other names os/list's requirement tags may come under ({@link OsTagNames}). */
        public Builder osTags(OsTagNames names) {
            this.osTags = Objects.requireNonNull(names, "osTags");
            return this;
        }

        public HostkeyClientConfig build() {
            return new HostkeyClientConfig(baseUrl, accounts, readTimeout, actionTimeout, callbackTimeout, retry,
                    requestsPerSecond, tokenTtl, refreshMargin, diskSchemeField, reinstallKeyFields, refusals,
                    licencesField, jenkinsLaunch, showFields, osTags);
        }
    }
}
