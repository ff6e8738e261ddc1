package com.hostkey.reinstall.cli;

import com.hostkey.reinstall.cli.command.BulkCommand;
import com.hostkey.reinstall.cli.command.CancelCommand;
import com.hostkey.reinstall.cli.command.DoctorCommand;
import com.hostkey.reinstall.cli.command.HistoryCommand;
import com.hostkey.reinstall.cli.command.ListCommand;
import com.hostkey.reinstall.cli.command.OsCommand;
import com.hostkey.reinstall.cli.command.ReleaseCommand;
import com.hostkey.reinstall.cli.command.StatusCommand;
import com.hostkey.reinstall.cli.command.SubmitCommand;
import com.hostkey.reinstall.cli.command.TasksCommand;
import com.hostkey.reinstall.cli.command.WatchCommand;
import com.hostkey.reinstall.cli.kafka.KafkaSettings;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.RegistrySettings;
import com.hostkey.reinstall.runtime.KafkaClientSecurity;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code reinstall}: the operator's and integrator's command line for Hostkey OS reinstalls.
 *
 * <p>Writes upstream commands to reinstall-requests (key: server id, value: ReinstallRequest with
 * a ReinstallServer, CancelReinstall or ReleaseServer payload); asks the state projector's API for
 * states and histories ({@code GET /reinstalls}, {@code /reinstalls/{serverId}} and its
 * {@code /history}: status, list, history, watch), showing what it answers rather than reading the
 * event topics itself; reads Hostkey's os/list, eq/show and jenkins/get_tasks (os, tasks, dry runs,
 * and doctor, the first-contact probe of an account).
 *
 * <p>The global options may be given before or after the subcommand. Exit codes: {@link ExitCode}.
 */
@Command(name = "reinstall",
        mixinStandardHelpOptions = true,
        versionProvider = ReinstallCli.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Submit, follow and inspect Hostkey server OS reinstalls.",
        subcommands = {SubmitCommand.class, BulkCommand.class, StatusCommand.class, ListCommand.class, HistoryCommand.class,
                WatchCommand.class, CancelCommand.class, ReleaseCommand.class, OsCommand.class, TasksCommand.class,
                DoctorCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
                "   0  success (watch: completed)     6  not found",
                "   2  watch: failed                  7  doctor: an assumed fact fails",
                "   3  watch: cancelled              64  usage error",
                "   4  watch: rejected               65  invalid request",
                "   5  watch: timeout                66  input file unreadable",
                "   1  internal error (--debug)      69  service unavailable",
                "                                    77  permission denied",
                "                                    78  configuration missing"})
public final class ReinstallCli implements Callable<Integer> {

    public static final String ENV_BOOTSTRAP = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String ENV_REGISTRY = "SCHEMA_REGISTRY_URL";
    public static final String ENV_PROJECTOR = "REINSTALL_PROJECTOR_URL";
    public static final String ENV_TOKEN = "REINSTALL_API_TOKEN";
    public static final String DEFAULT_PROJECTOR = "http://127.0.0.1:8083";

    @Spec
    private CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            description = "Kafka bootstrap servers (env " + ENV_BOOTSTRAP + ")")
    private String bootstrap;

    @Option(names = "--registry", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "Schema registry URL, Confluent API (env " + ENV_REGISTRY + ")")
    private String registry;

    @Option(names = "--projector", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "State projector URL (env " + ENV_PROJECTOR + ", default " + DEFAULT_PROJECTOR + ")")
    private String projector;

    @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
            description = "Bearer token for the projector's API (env " + ENV_TOKEN + " or " + ENV_TOKEN + "_FILE)")
    private String token;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Machine-readable JSON output (errors too, on stderr)")
    private boolean json;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", scope = ScopeType.INHERIT, defaultValue = "15s",
            converter = DurationConverter.class,
            description = "How long a call to Kafka, the registry, the projector may take (default ${DEFAULT-VALUE})")
    private Duration connectTimeout;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of internal errors")
    private boolean debug;

    private final CliContext context;

    public ReinstallCli(CliContext context) {
        this.context = context;
    }

    /** The CLI's logging setup, under its own name so no dependency's logback.xml can take its place. */
    static final String LOGBACK_CONFIGURATION = "reinstall-cli-logback.xml";

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
        }
        System.exit(run(CliContext.system(), args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; answers the exit code. */
    public static int run(CliContext context, String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(context, out, err).execute(args);
    }

    public static CommandLine commandLine(CliContext context, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new ReinstallCli(context));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler(CliErrorHandlers::handleParseException);
        commandLine.setExecutionExceptionHandler(CliErrorHandlers::handleExecutionException);
        commandLine.setExitCodeExceptionMapper(e -> ExitCode.INTERNAL);
        return commandLine;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.USAGE;
    }

    // ------------------------------------------------------------------ for the subcommands

    public CliContext context() {
        return context;
    }

    public boolean json() {
        return json;
    }

    public boolean debug() {
        return debug;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Kafka and registry settings; a configuration error naming every missing one. */
    public KafkaSettings kafka() {
        String servers = setting(bootstrap, ENV_BOOTSTRAP);
        String registryUrl = setting(registry, ENV_REGISTRY);
        List<String> missing = new ArrayList<>();
        if (servers == null) {
            missing.add("--bootstrap (or " + ENV_BOOTSTRAP + ")");
        }
        if (registryUrl == null) {
            missing.add("--registry (or " + ENV_REGISTRY + ")");
        }
        if (!missing.isEmpty()) {
            throw CliException.config(servers == null ? "--bootstrap" : "--registry", "Kafka is not configured: missing "
                    + String.join(" and ", missing), "e.g. --bootstrap 127.0.0.1:29092 --registry http://127.0.0.1:28081/apis/ccompat/v7"
                    + " for the local stack");
        }
        Map<String, Object> security = new HashMap<>();
        Map<String, String> registryAccess;
        try {
            KafkaClientSecurity.fromEnv(new EnvSettings(context.env())).forEach((k, v) -> security.put(k.toString(), v));
            registryAccess = RegistrySettings.fromEnv(new EnvSettings(context.env()));
        } catch (UncheckedIOException e) {
            throw new CliException(ExitCode.CONFIG, null, "Kafka and schema registry security settings: " + e.getMessage(),
                    "check the KAFKA_*_FILE and SCHEMA_REGISTRY_*_FILE variables name readable files", e);
        } catch (EnvSettings.SettingsException e) {
            throw new CliException(ExitCode.CONFIG, null, "Kafka and schema registry security settings: " + e.getMessage(),
                    "check the KAFKA_* and SCHEMA_REGISTRY_* variables and that their _FILE variants name readable files", e);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.CONFIG, null, e.getMessage(), "check the SCHEMA_REGISTRY_* variables", e);
        }
        return new KafkaSettings(servers, registryUrl, connectTimeout, security, registryAccess);
    }

    public URI projectorUrl() {
        String url = setting(projector, ENV_PROJECTOR);
        String value = url == null ? DEFAULT_PROJECTOR : url;
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException("not http(s)");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--projector", "the projector URL '" + value + "' is not an http(s) URL",
                    "e.g. --projector " + DEFAULT_PROJECTOR);
        }
    }

    public ReinstallStates states() {
        return context.connectors().states(projectorUrl(), token(), connectTimeout);
    }

    /** --token, else REINSTALL_API_TOKEN, else the file named by REINSTALL_API_TOKEN_FILE; null for none. */
    private String token() {
        String value = setting(token, ENV_TOKEN);
        String file = setting(null, ENV_TOKEN + "_FILE");
        if (value != null || file == null) {
            return value;
        }
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            throw new CliException(ExitCode.NO_INPUT, ENV_TOKEN + "_FILE", "cannot read the API token file " + file + ": " + e.getMessage(),
                    "check the path and its permissions", e);
        }
    }

    private String setting(String option, String env) {
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        String value = context.env().get(env);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The version from the jar's manifest (the Maven project version). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = ReinstallCli.class.getPackage().getImplementationVersion();
            return new String[] {"reinstall " + (version == null ? "(development build)" : version)};
        }
    }
}
