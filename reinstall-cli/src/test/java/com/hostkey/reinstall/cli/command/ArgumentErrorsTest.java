package com.hostkey.reinstall.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.cli.CliContext;
import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.ReinstallCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Model.CommandSpec;

/** Usage errors: one clear message, the usage exit code, never a stack trace, never a secret echoed. */
class ArgumentErrorsTest {

    private final CliRun cli = new CliRun().withKafka();

    @ParameterizedTest
    @ValueSource(strings = {"--password", "--password=hunter2-Secret", "--root-password", "--pass"})
    void shouldRefuseAPasswordOnTheCommandLineWithoutEchoingIt(String option) {
        CliRun.Result result = option.contains("=")
                ? cli.run("submit", "1001", "--os", "101", "--hostname", "a.example.net", option)
                : cli.run("submit", "1001", "--os", "101", "--hostname", "a.example.net", option, "hunter2-Secret");

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("the root password is never taken from the command line")
                .contains("--password-stdin").contains("--password-file");
        assertThat(result.out() + result.err()).doesNotContain("hunter2");
        assertThat(cli.connectors.published).isEmpty();
    }

    @Test
    void shouldHaveNoOptionThatTakesThePassword() {
        CommandSpec submit = ReinstallCli.commandLine(new CliContext(cli.env, System.in, null, cli.clock, cli.clock::advance, cli.connectors),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())).getSubcommands().get("submit").getCommandSpec();

        assertThat(submit.options()).allSatisfy(option -> assertThat(option.names())
                .noneMatch(name -> name.equals("--password") || name.equals("--root-password")));
        assertThat(submit.findOption("--password-stdin").typeInfo().isBoolean()).isTrue();
    }

    @Test
    void shouldNotEchoUnexpectedValuesThatMightBeSecrets() {
        CliRun.Result result = cli.run("status", "1001", "Secret-Value-1");

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("1 unexpected argument").doesNotContain("Secret-Value-1");
    }

    @Test
    void shouldNameAnUnknownOptionAndSuggestTheRightOne() {
        CliRun.Result result = cli.run("cancel", "1001", "--reasn", "maintenance");

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("unknown option --reasn").contains("--reason").doesNotContain("maintenance");
    }

    @Test
    void shouldShowUsageWithoutASubcommand() {
        CliRun.Result result = cli.run();

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("Usage: reinstall").contains("submit").contains("watch");
    }

    @Test
    void shouldExplainAServerIdThatIsNotOne() {
        CliRun.Result result = cli.run("status", "web1");

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("'web1' is not a server id").contains("reinstall status --help");
        assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void shouldNameAMissingRequiredOption() {
        CliRun.Result result = cli.run("submit", "1001", "--hostname", "a.example.net");

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("Missing required option: '--os=ID|NAME'");
    }

    @Test
    void shouldListThePhasesWhenOneIsMisspelt() {
        CliRun.Result result = cli.run("list", "--phase", "INSTALL");

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("INSTALLING").contains("AWAITING_PXE_CLEARED");
    }

    @Test
    void shouldReportUsageErrorsAsJsonWhenAsked() {
        CliRun.Result result = cli.run("--json", "status", "web1");

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.errorJson().get("exitCode").asInt()).isEqualTo(ExitCode.USAGE);
        assertThat(result.errorJson().get("error").asText()).contains("not a server id");
    }

    @Test
    void shouldAcceptGlobalOptionsAfterTheSubcommand() {
        cli.env.clear();
        CliRun.Result result = cli.run("history", "1001", "--projector", "http://p:1", "--token", "t", "--json");

        assertThat(result.code()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(cli.connectors.projectorUrl).isEqualTo(URI.create("http://p:1"));
        assertThat(cli.connectors.token).isEqualTo("t");
        assertThat(result.errorJson().get("field").asText()).isEqualTo("SERVER");
    }

    @Test
    void shouldNameEveryMissingKafkaSetting() {
        cli.env.clear();
        CliRun.Result result = cli.run("cancel", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.CONFIG);
        assertThat(result.err()).contains("--bootstrap (or KAFKA_BOOTSTRAP_SERVERS) and --registry (or SCHEMA_REGISTRY_URL)");
    }

    @Test
    void shouldReportAnInternalErrorBrieflyAndTheTraceOnlyWithDebug() {
        cli.connectors.projector.failure = new IllegalStateException("boom");

        CliRun.Result plain = cli.run("status", "1001");
        assertThat(plain.code()).isEqualTo(ExitCode.INTERNAL);
        assertThat(plain.err()).contains("internal error: java.lang.IllegalStateException: boom").contains("--debug")
                .doesNotContain("\tat ");

        CliRun.Result debug = cli.run("status", "1001", "--debug");
        assertThat(debug.code()).isEqualTo(ExitCode.INTERNAL);
        assertThat(debug.err()).contains("\tat ");
    }

    @Test
    void shouldPrintHelpForEachCommand() {
        for (String command : new String[] {"submit", "bulk", "status", "list", "history", "watch", "cancel", "release", "os", "tasks"}) {
            CliRun.Result result = cli.run(command, "--help");
            assertThat(result.code()).as(command).isZero();
            assertThat(result.out()).as(command).startsWith("Usage: reinstall " + command);
        }
    }
}
