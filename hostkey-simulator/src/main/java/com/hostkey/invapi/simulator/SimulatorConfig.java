package com.hostkey.invapi.simulator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Everything a {@link HostkeySimulator} is started with; immutable, made by {@link #builder()}.
 * Every behaviour Hostkey does not document is a setting here, defaulting to the shape the
 * project's docs call most likely (docs/hostkey-invapi.md).
 */
public final class SimulatorConfig {

    /** Simulated delays of the stages 1..5 after the reboot that started the install. */
    public static final List<Duration> DEFAULT_STAGE_OFFSETS = List.of(
            Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ofSeconds(480),
            Duration.ofSeconds(600), Duration.ofSeconds(720));
    public static final Duration DEFAULT_TOKEN_TTL = Duration.ofSeconds(10800);
    public static final Duration DEFAULT_ACTION_DELAY = Duration.ofSeconds(5);
    /**
     * The actions that answer with a callback key unless made synchronous; {@code run_task} stands for
     * the Jenkins launch under whatever name {@link Builder#jenkinsRunAction} gives it.
     */
    public static final String ASYNC_ACTIONS_TEXT = "create_pxe, boot_dev, clear_pxe, reboot, on, off, run_task";
    static final Set<String> ASYNC_ACTIONS = Set.of(ASYNC_ACTIONS_TEXT.split(", "));
    public static final int DEFAULT_FLEET_SIZE = 20;
    /** The fields of eq/show's {@code server_data} that {@link Builder#showWithout} may leave out. */
    public static final String SHOW_FIELDS_TEXT = "status, power, hostname, location, type, ram_gb, disks, cpu_cores";
    static final Set<String> SHOW_FIELDS = Set.of(SHOW_FIELDS_TEXT.split(", "));
    /** The calls the simulator answers besides the Jenkins launch, which must not take one of their names. */
    static final Set<String> OTHER_CALLS = Set.of("auth/login", "auth/logout", "eq/show", "eq/reinstall", "eq/create_pxe",
            "eq/boot_dev", "eq/reboot", "eq/on", "eq/off", "eq/status", "eq/clear_pxe", "os/list", "jenkins/get_tasks",
            "eq_callback/check");

    private final int port;
    private final String bindAddress;
    private final double timeScale;
    private final int generatedFleet;
    private final Path fleetFile;
    private final List<ServerSpec> fleet;
    private final List<Account> accounts;
    private final List<OsImage> osCatalogue;
    private final Duration tokenTtl;
    private final Duration actionDelay;
    private final Map<String, Duration> actionDelays;
    private final List<Duration> stageOffsets;
    private final boolean flatLogin;
    private final String reinstallKeyField;
    private final boolean stage5AsStage;
    private final Set<String> synchronousActions;
    private final StageNumberIn stageNumberIn;
    private final StageDelivery stageDelivery;
    private final String diskSchemeField;
    private final String licencesField;
    private final String jenkinsRunModule;
    private final String jenkinsRunAction;
    private final String jenkinsServerField;
    private final String jenkinsTaskField;
    private final boolean validateRootPassword;
    private final boolean osTypeFlagsOnObject;
    private final boolean keyInNotFoundMessage;
    private final boolean scopeAsObject;
    private final boolean contextIdAsNumber;
    private final ErrorWording errorWording;
    private final Set<String> showWithout;
    private final Map<String, String> showRenamed;
    private final Map<String, String> osTagRenamed;
    private final int wrongPinsBeforeLock;
    private final String invapiName;
    private final long faultSeed;
    private final Consumer<Faults> faultSetup;

    private SimulatorConfig(Builder b) {
        this.port = b.port;
        this.bindAddress = b.bindAddress;
        this.timeScale = b.timeScale;
        this.generatedFleet = b.generatedFleet;
        this.fleetFile = b.fleetFile;
        this.fleet = b.fleet == null ? null : List.copyOf(b.fleet);
        this.accounts = b.accounts.isEmpty()
                ? List.of(new Account("default", "sim-api-key", "1234"))
                : List.copyOf(b.accounts.values());
        this.osCatalogue = List.copyOf(b.osCatalogue);
        this.tokenTtl = b.tokenTtl;
        this.actionDelay = b.actionDelay;
        this.actionDelays = Collections.unmodifiableMap(new HashMap<>(b.actionDelays));
        this.stageOffsets = List.copyOf(b.stageOffsets);
        this.flatLogin = b.flatLogin;
        this.reinstallKeyField = b.reinstallKeyField;
        this.stage5AsStage = b.stage5AsStage;
        this.synchronousActions = Set.copyOf(b.synchronousActions);
        this.stageNumberIn = b.stageNumberIn;
        this.stageDelivery = b.stageDelivery;
        this.diskSchemeField = b.diskSchemeField;
        this.licencesField = b.licencesField;
        this.jenkinsRunModule = b.jenkinsRunModule;
        this.jenkinsRunAction = b.jenkinsRunAction;
        this.jenkinsServerField = b.jenkinsServerField;
        this.jenkinsTaskField = b.jenkinsTaskField;
        this.validateRootPassword = b.validateRootPassword;
        this.osTypeFlagsOnObject = b.osTypeFlagsOnObject;
        this.keyInNotFoundMessage = b.keyInNotFoundMessage;
        this.scopeAsObject = b.scopeAsObject;
        this.contextIdAsNumber = b.contextIdAsNumber;
        this.errorWording = b.errorWording;
        this.showWithout = Set.copyOf(b.showWithout);
        this.showRenamed = Map.copyOf(b.showRenamed);
        this.osTagRenamed = Map.copyOf(b.osTagRenamed);
        this.wrongPinsBeforeLock = b.wrongPinsBeforeLock;
        this.invapiName = b.invapiName;
        this.faultSeed = b.faultSeed;
        this.faultSetup = b.faultSetup;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** TCP port; 0 picks a free one. */
    public int port() {
        return port;
    }

    /** Address the HTTP server binds to; {@code 127.0.0.1} by default. */
    public String bindAddress() {
        return bindAddress;
    }

    /** Simulated seconds per real second. */
    public double timeScale() {
        return timeScale;
    }

    /** Size of the generated fleet; used when neither a fleet file nor an explicit fleet is set. */
    public int generatedFleet() {
        return generatedFleet;
    }

    /** JSON fleet file, or null. */
    public Path fleetFile() {
        return fleetFile;
    }

    /** Explicit fleet, or null. */
    public List<ServerSpec> fleet() {
        return fleet;
    }

    /** Accounts in the order given; {@code default:sim-api-key:1234} when none was given. */
    public List<Account> accounts() {
        return accounts;
    }

    public List<OsImage> osCatalogue() {
        return osCatalogue;
    }

    /** Lifetime of a session token when login sends no {@code ttl}. */
    public Duration tokenTtl() {
        return tokenTtl;
    }

    /** Simulated time until an async action completes, unless set for that action. */
    public Duration actionDelay() {
        return actionDelay;
    }

    /** Simulated time until the async {@code action} (e.g. {@code reboot}) completes. */
    public Duration actionDelay(String action) {
        return actionDelays.getOrDefault(action, actionDelay);
    }

    /** Simulated offsets of the install stages 1..5 from the reboot that started the install. */
    public List<Duration> stageOffsets() {
        return stageOffsets;
    }

    /** Login answers the token fields at top level instead of inside {@code result}. */
    public boolean flatLogin() {
        return flatLogin;
    }

    /** Name of the field {@code eq/reinstall} answers the master key in. */
    public String reinstallKeyField() {
        return reinstallKeyField;
    }

    /** Stage 5 is answered once as {@code Stage} before the {@code OK}. */
    public boolean stage5AsStage() {
        return stage5AsStage;
    }

    /**
     * The actions (e.g. {@code create_pxe}, {@code boot_dev}, {@code clear_pxe}) that finish within
     * their own answer: OK without a callback key, the effect already done, an injected failure an
     * error answer. Assumed asynchronous by default; Hostkey's docs do not say for these three.
     */
    public boolean synchronous(String action) {
        return synchronousActions.contains(action);
    }

    public StageNumberIn stageNumberIn() {
        return stageNumberIn;
    }

    public StageDelivery stageDelivery() {
        return stageDelivery;
    }

    /** Name of the create_pxe field carrying the partitioning scheme. */
    public String diskSchemeField() {
        return diskSchemeField;
    }

    /**
     * Name of the create_pxe field carrying the per-core licences of a licensed OS (one with a
     * {@code price_per_core_EUR} tag); Hostkey documents none.
     */
    public String licencesField() {
        return licencesField;
    }

    /** Module of the Jenkins launch call ({@code jenkins} for {@code jenkins.php}). */
    public String jenkinsRunModule() {
        return jenkinsRunModule;
    }

    /** Action of the Jenkins launch call; Hostkey documents none ({@code run_task} assumed). */
    public String jenkinsRunAction() {
        return jenkinsRunAction;
    }

    /** The Jenkins launch as {@code module/action}. */
    public String jenkinsRunCall() {
        return jenkinsRunModule + "/" + jenkinsRunAction;
    }

    /** Field of the Jenkins launch carrying the server id. */
    public String jenkinsServerField() {
        return jenkinsServerField;
    }

    /** Field of the Jenkins launch carrying the task id. */
    public String jenkinsTaskField() {
        return jenkinsTaskField;
    }

    /** create_pxe refuses a root_pass outside Hostkey's password policy. */
    public boolean validateRootPassword() {
        return validateRootPassword;
    }

    /** os/list also puts {@code bm}, {@code vm}, {@code vds}, {@code gpu}, {@code vgpu} as 0/1 fields on each OS. */
    public boolean osTypeFlagsOnObject() {
        return osTypeFlagsOnObject;
    }

    /** "AsyncKey not found" messages end with {@code : <key>}. */
    public boolean keyInNotFoundMessage() {
        return keyInNotFoundMessage;
    }

    /**
     * The OK answer of an async action carries {@code scope} as an object
     * ({@code {"message":"Server rebooted","id":1001}}) instead of a string; Hostkey's docs say it
     * varies.
     */
    public boolean scopeAsObject() {
        return scopeAsObject;
    }

    /** Callback answers carry {@code context.id} as a number instead of a string. */
    public boolean contextIdAsNumber() {
        return contextIdAsNumber;
    }

    /** How refusals Hostkey does not document are worded (server not found, hostname mismatch, wrong PIN, locked). */
    public ErrorWording errorWording() {
        return errorWording;
    }

    /**
     * The fields eq/show leaves out of {@code server_data} (e.g. {@code ram_gb}): the names of RAM,
     * disks and server type are assumed, and a build of Hostkey that lacks one is what the
     * validator and {@code reinstall doctor} must notice.
     */
    public Set<String> showWithout() {
        return showWithout;
    }

    /**
     * eq/show's fields under other names (e.g. {@code ram_gb} as {@code memory}; a disk's
     * {@code size_gb} renamed applies inside each disk): the names are assumed, and a build of
     * Hostkey that uses others is what the client's {@code HOSTKEY_SHOW_*_FIELD} settings are for.
     */
    public Map<String, String> showRenamed() {
        return showRenamed;
    }

    /**
     * os/list's requirement tags under other names (e.g. {@code min_ram} as {@code ram_min_gb}): the
     * seed's names are assumed, a build with others is what the client's {@code HOSTKEY_OS_TAG_*} are for.
     */
    public Map<String, String> osTagRenamed() {
        return osTagRenamed;
    }

    /** Consecutive wrong PINs that lock an account. */
    public int wrongPinsBeforeLock() {
        return wrongPinsBeforeLock;
    }

    /** Value of login's {@code invapi} field. */
    public String invapiName() {
        return invapiName;
    }

    public long faultSeed() {
        return faultSeed;
    }

    Consumer<Faults> faultSetup() {
        return faultSetup;
    }

    @Override
    public String toString() {
        return "SimulatorConfig[port=" + port + ", bindAddress=" + bindAddress + ", timeScale=" + timeScale
                + ", fleet=" + (fleet != null ? fleet.size() + " servers" : fleetFile != null ? fleetFile : generatedFleet + " generated")
                + ", accounts=" + accounts + ", tokenTtl=" + tokenTtl + ", actionDelay=" + actionDelay
                + ", actionDelays=" + actionDelays + ", stageOffsets=" + stageOffsets + ", flatLogin=" + flatLogin
                + ", reinstallKeyField=" + reinstallKeyField + ", stage5AsStage=" + stage5AsStage
                + ", synchronousActions=" + new java.util.TreeSet<>(synchronousActions)
                + ", stageNumberIn=" + stageNumberIn + ", stageDelivery=" + stageDelivery
                + ", diskSchemeField=" + diskSchemeField + ", licencesField=" + licencesField
                + ", jenkinsRun=" + jenkinsRunCall() + "(" + jenkinsServerField + ", " + jenkinsTaskField + ")"
                + ", validateRootPassword=" + validateRootPassword
                + ", osTypeFlagsOnObject=" + osTypeFlagsOnObject + ", keyInNotFoundMessage=" + keyInNotFoundMessage
                + ", scopeAsObject=" + scopeAsObject + ", contextIdAsNumber=" + contextIdAsNumber
                + ", errorWording=" + errorWording + ", showWithout=" + new java.util.TreeSet<>(showWithout)
                + ", wrongPinsBeforeLock=" + wrongPinsBeforeLock + ", faultSeed=" + faultSeed + "]";
    }

    /** Builder with the documented defaults; every setter returns {@code this}. */
    public static final class Builder {
        private int port = 0;
        private String bindAddress = "127.0.0.1";
        private double timeScale = 1.0;
        private int generatedFleet = DEFAULT_FLEET_SIZE;
        private Path fleetFile;
        private List<ServerSpec> fleet;
        private final Map<String, Account> accounts = new LinkedHashMap<>();
        private List<OsImage> osCatalogue = OsImage.defaultCatalogue();
        private Duration tokenTtl = DEFAULT_TOKEN_TTL;
        private Duration actionDelay = DEFAULT_ACTION_DELAY;
        private final Map<String, Duration> actionDelays = new HashMap<>();
        private List<Duration> stageOffsets = DEFAULT_STAGE_OFFSETS;
        private boolean flatLogin;
        private String reinstallKeyField = "reinstall_key";
        private boolean stage5AsStage;
        private final Set<String> synchronousActions = new HashSet<>();
        private StageNumberIn stageNumberIn = StageNumberIn.SCOPE_TEXT;
        private StageDelivery stageDelivery = StageDelivery.LATEST;
        private String diskSchemeField = "disk_scheme";
        private String licencesField = "licenses";
        private String jenkinsRunModule = "jenkins";
        private String jenkinsRunAction = "run_task";
        private String jenkinsServerField = "id";
        private String jenkinsTaskField = "task_id";
        private boolean validateRootPassword = true;
        private boolean osTypeFlagsOnObject;
        private boolean keyInNotFoundMessage;
        private boolean scopeAsObject;
        private boolean contextIdAsNumber;
        private ErrorWording errorWording = ErrorWording.STANDARD;
        private final Set<String> showWithout = new HashSet<>();
        private final Map<String, String> showRenamed = new HashMap<>();
        private final Map<String, String> osTagRenamed = new HashMap<>();
        private int wrongPinsBeforeLock = 3;
        private String invapiName = "sim";
        private long faultSeed = 42L;
        private Consumer<Faults> faultSetup = faults -> { };

        private Builder() {
        }

        /** TCP port; 0 (default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be within 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** Address to bind; default {@code 127.0.0.1}, {@code 0.0.0.0} inside a container. */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        /** Simulated seconds per real second; default 1. */
        public Builder timeScale(double timeScale) {
            if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
                throw new IllegalArgumentException("timeScale must be a positive finite number, was " + timeScale);
            }
            this.timeScale = timeScale;
            return this;
        }

        /** Generated fleet of {@code n} servers, ids 1001..1000+n (default 20). */
        public Builder generatedFleet(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("fleet size must not be negative: " + n);
            }
            this.generatedFleet = n;
            this.fleetFile = null;
            this.fleet = null;
            return this;
        }

        /** Fleet from a JSON array of server objects (see {@link FleetFile}). */
        public Builder fleetFile(Path fleetFile) {
            this.fleetFile = Objects.requireNonNull(fleetFile, "fleetFile");
            this.fleet = null;
            return this;
        }

        /** An explicit fleet. */
        public Builder fleet(List<ServerSpec> fleet) {
            this.fleet = List.copyOf(fleet);
            this.fleetFile = null;
            return this;
        }

        /** Adds (or replaces, by name) an account; {@code pin} may be null for an account without PIN. */
        public Builder account(String name, String apiKey, String pin) {
            Account account = new Account(name, apiKey, pin);
            for (Account other : accounts.values()) {
                if (!other.name().equals(name) && other.apiKey().equals(apiKey)) {
                    throw new IllegalArgumentException("accounts " + other.name() + " and " + name + " share an API key");
                }
            }
            accounts.put(name, account);
            return this;
        }

        public Builder osCatalogue(List<OsImage> osCatalogue) {
            if (osCatalogue.isEmpty()) {
                throw new IllegalArgumentException("the OS catalogue must not be empty");
            }
            this.osCatalogue = List.copyOf(osCatalogue);
            return this;
        }

        /** Token lifetime when login sends no {@code ttl}; default 10800 s simulated. */
        public Builder tokenTtl(Duration tokenTtl) {
            this.tokenTtl = positive(tokenTtl, "tokenTtl");
            return this;
        }

        /** Simulated time until any async action completes; default 5 s. */
        public Builder actionDelay(Duration actionDelay) {
            this.actionDelay = nonNegative(actionDelay, "actionDelay");
            return this;
        }

        /** Simulated time until the async {@code action} (e.g. {@code reboot}) completes. */
        public Builder actionDelay(String action, Duration delay) {
            actionDelays.put(Objects.requireNonNull(action, "action"), nonNegative(delay, "actionDelay"));
            return this;
        }

        /** Offsets of stages 1..5 from the reboot; five increasing durations. Default 60/300/480/600/720 s. */
        public Builder stageOffsets(List<Duration> offsets) {
            if (offsets.size() != 5) {
                throw new IllegalArgumentException("exactly five stage offsets are required, got " + offsets.size());
            }
            Duration previous = Duration.ZERO;
            for (Duration offset : offsets) {
                if (offset.isNegative() || offset.compareTo(previous) < 0) {
                    throw new IllegalArgumentException("stage offsets must not decrease: " + offsets);
                }
                previous = offset;
            }
            this.stageOffsets = List.copyOf(offsets);
            return this;
        }

        public Builder stageOffsets(Duration s1, Duration s2, Duration s3, Duration s4, Duration s5) {
            return stageOffsets(List.of(s1, s2, s3, s4, s5));
        }

        /** Login answers the token fields at top level; default false (inside {@code result}). */
        public Builder flatLogin(boolean flatLogin) {
            this.flatLogin = flatLogin;
            return this;
        }

        /** Field of eq/reinstall's answer that carries the master key; default {@code reinstall_key}. */
        public Builder reinstallKeyField(String field) {
            this.reinstallKeyField = nonBlank(field, "reinstallKeyField");
            return this;
        }

        /** Stage 5 answers once as {@code Stage}, the next check {@code OK}; default false. */
        public Builder stage5AsStage(boolean stage5AsStage) {
            this.stage5AsStage = stage5AsStage;
            return this;
        }

        /** Where the stage number travels; default {@link StageNumberIn#SCOPE_TEXT}. */
        /** See {@link SimulatorConfig#synchronous}: one of {@value #ASYNC_ACTIONS_TEXT}. */
        public Builder synchronousAction(String action) {
            if (!ASYNC_ACTIONS.contains(action)) {
                throw new IllegalArgumentException("not an async action: " + action + " (one of " + ASYNC_ACTIONS_TEXT + ")");
            }
            synchronousActions.add(action);
            return this;
        }

        public Builder stageNumberIn(StageNumberIn where) {
            this.stageNumberIn = Objects.requireNonNull(where, "stageNumberIn");
            return this;
        }

        /** Latest stage or oldest unread per check; default {@link StageDelivery#LATEST}. */
        public Builder stageDelivery(StageDelivery delivery) {
            this.stageDelivery = Objects.requireNonNull(delivery, "stageDelivery");
            return this;
        }

        /** create_pxe field naming the partitioning scheme; default {@code disk_scheme}. */
        public Builder diskSchemeField(String field) {
            this.diskSchemeField = nonBlank(field, "diskSchemeField");
            return this;
        }

        /** create_pxe field carrying a licensed OS's per-core licences; default {@code licenses}. */
        public Builder licencesField(String field) {
            this.licencesField = nonBlank(field, "licencesField");
            return this;
        }

        /**
         * The Jenkins launch call: an action of {@code jenkins.php} ({@code run_task}, the default) or
         * {@code module/action} ({@code eq/run_jenkins}). The old name is then unknown, as it would be
         * on a Hostkey build that names the call otherwise.
         */
        public Builder jenkinsRunAction(String moduleAndAction) {
            String text = nonBlank(moduleAndAction, "jenkinsRunAction").strip();
            int slash = text.indexOf('/');
            this.jenkinsRunModule = slash < 0 ? "jenkins" : nonBlank(text.substring(0, slash), "jenkinsRunAction's module").strip();
            this.jenkinsRunAction = nonBlank(slash < 0 ? text : text.substring(slash + 1), "jenkinsRunAction's action").strip();
            return this;
        }

        /** Field of the Jenkins launch carrying the server id; default {@code id}. */
        public Builder jenkinsServerField(String field) {
            this.jenkinsServerField = nonBlank(field, "jenkinsServerField");
            return this;
        }

        /** Field of the Jenkins launch carrying the task id; default {@code task_id}. */
        public Builder jenkinsTaskField(String field) {
            this.jenkinsTaskField = nonBlank(field, "jenkinsTaskField");
            return this;
        }

        /** Refuse root passwords outside Hostkey's policy; default true. */
        public Builder validateRootPassword(boolean validate) {
            this.validateRootPassword = validate;
            return this;
        }

        /** Also put bm/vm/vds/gpu/vgpu 0/1 fields on each os/list entry; default false. */
        public Builder osTypeFlagsOnObject(boolean flags) {
            this.osTypeFlagsOnObject = flags;
            return this;
        }

        /** "AsyncKey not found" messages carry the key ({@code AsyncKey not found: <key>}); default false. */
        public Builder keyInNotFoundMessage(boolean withKey) {
            this.keyInNotFoundMessage = withKey;
            return this;
        }

        /** Async actions answer OK with {@code scope} as an object; default false (a string). */
        public Builder scopeAsObject(boolean asObject) {
            this.scopeAsObject = asObject;
            return this;
        }

        /** Callback answers carry {@code context.id} as a number; default false (a string). */
        public Builder contextIdAsNumber(boolean asNumber) {
            this.contextIdAsNumber = asNumber;
            return this;
        }

        /** How undocumented refusals are worded; default {@link ErrorWording#STANDARD}. */
        public Builder errorWording(ErrorWording wording) {
            this.errorWording = Objects.requireNonNull(wording, "errorWording");
            return this;
        }

        /** eq/show leaves {@code field} out of {@code server_data}: one of {@value #SHOW_FIELDS_TEXT}. */
        public Builder showWithout(String field) {
            if (!SHOW_FIELDS.contains(field)) {
                throw new IllegalArgumentException("not an eq/show field that may be left out: " + field + " (one of "
                        + SHOW_FIELDS_TEXT + ")");
            }
            showWithout.add(field);
            return this;
        }

        /** eq/show answers {@code field} (one of {@value #SHOW_FIELDS_TEXT}, or {@code size_gb} of a disk) as {@code name}. */
        public Builder showRenamed(String field, String name) {
            if (!SHOW_FIELDS.contains(field) && !field.equals("size_gb")) {
                throw new IllegalArgumentException("not an eq/show field that may be renamed: " + field + " (one of "
                        + SHOW_FIELDS_TEXT + ", size_gb)");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("eq/show field " + field + " renamed to nothing");
            }
            showRenamed.put(field, name.strip());
            return this;
        }

        /** os/list answers the requirement tag {@code tag} (min_ram, min_hdd, price_per_core_EUR) as {@code name}. */
        public Builder osTagRenamed(String tag, String name) {
            if (!Set.of("min_ram", "min_hdd", "price_per_core_EUR").contains(tag)) {
                throw new IllegalArgumentException("not an os/list requirement tag: " + tag + " (one of min_ram, min_hdd, price_per_core_EUR)");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("os/list tag " + tag + " renamed to nothing");
            }
            osTagRenamed.put(tag, name.strip());
            return this;
        }

        /** Consecutive wrong PINs that lock the account; default 3. */
        public Builder wrongPinsBeforeLock(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("wrongPinsBeforeLock must be at least 1, was " + attempts);
            }
            this.wrongPinsBeforeLock = attempts;
            return this;
        }

        /** Value of login's {@code invapi} field; default {@code sim}. */
        public Builder invapiName(String name) {
            this.invapiName = nonBlank(name, "invapiName");
            return this;
        }

        /** Seed of the fault draws; default 42. */
        public Builder faultSeed(long seed) {
            this.faultSeed = seed;
            return this;
        }

        /** Faults to set before the first call; run on the simulator's {@link Faults} at start. */
        public Builder faults(Consumer<Faults> setup) {
            Consumer<Faults> previous = this.faultSetup;
            Objects.requireNonNull(setup, "setup");
            this.faultSetup = previous.andThen(setup);
            return this;
        }

        public SimulatorConfig build() {
            if (OTHER_CALLS.contains(jenkinsRunModule + "/" + jenkinsRunAction)) {
                throw new IllegalArgumentException("the Jenkins launch cannot be " + jenkinsRunModule + "/" + jenkinsRunAction
                        + ": the simulator answers that call already");
            }
            if (jenkinsServerField.equals(jenkinsTaskField)) {
                throw new IllegalArgumentException("the Jenkins launch's server and task fields are both " + jenkinsTaskField);
            }
            if (licencesField.equals(diskSchemeField)) {
                throw new IllegalArgumentException("the licences and disk scheme fields are both " + licencesField);
            }
            return new SimulatorConfig(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        private static Duration nonNegative(Duration d, String what) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, was " + d);
            }
            return d;
        }

        private static String nonBlank(String s, String what) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return s;
        }
    }

    /** Account names in configuration order. */
    List<String> accountNames() {
        List<String> names = new ArrayList<>();
        accounts.forEach(a -> names.add(a.name()));
        return names;
    }
}
