package com.hostkey.reinstall.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How errors reach the user: one short message saying what was wrong, which field, and what to
 * do, never a stack trace (unless --debug and the error is not the user's). Usage errors exit
 * {@link ExitCode#USAGE}; user errors exit with their {@link CliException#exitCode()}.
 *
 * <p>An unknown option is named without the values around it: {@code --password hunter2} must
 * not print the password back into a terminal log.
 */
final class CliErrorHandlers {

    private static final Pattern PASSWORD_OPTION = Pattern.compile("^--?(root-?)?(pass|passwd|password|pw|secret)([=-].*)?$",
            Pattern.CASE_INSENSITIVE);

    private CliErrorHandlers() {}

    static int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String command = cmd.getCommandSpec().qualifiedName();
        CliException error;
        if (ex instanceof UnmatchedArgumentException unmatched) {
            error = unmatched(unmatched.getUnmatched(), command);
        } else {
            error = CliException.usage(null, ex.getMessage(), "see '" + command + " --help'");
        }
        report(cmd, error);
        if (ex instanceof UnmatchedArgumentException unmatched && !isJson(cmd)) {
            UnmatchedArgumentException.printSuggestions(unmatched, err);
        }
        err.flush();
        return ExitCode.USAGE;
    }

    static CliException unmatched(List<String> unmatched, String command) {
        for (String arg : unmatched) {
            if (PASSWORD_OPTION.matcher(arg).matches()) {
                return CliException.usage("root password", "the root password is never taken from the command line: the process"
                        + " list and shell history would keep it",
                        "type it at the prompt, or give --password-stdin (e.g. from a secret store) or --password-file FILE");
            }
        }
        List<String> options = unmatched.stream().filter(a -> a.startsWith("-") && a.length() > 1)
                .map(a -> a.contains("=") ? a.substring(0, a.indexOf('=')) : a).toList();
        if (!options.isEmpty()) {
            return CliException.usage(options.getFirst(), "unknown option" + (options.size() > 1 ? "s " : " ")
                    + String.join(", ", options), "see '" + command + " --help'");
        }
        // Values are not echoed: one of them could be a secret typed in the wrong place.
        return CliException.usage(null, unmatched.size() + " unexpected argument" + (unmatched.size() > 1 ? "s" : ""),
                "see '" + command + " --help'");
    }

    static int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        if (ex instanceof CliException error) {
            report(cmd, error);
            return error.exitCode();
        }
        CliException internal = new CliException(ExitCode.INTERNAL, null, "internal error: " + ex,
                debug(cmd) ? null : "run again with --debug for the details, and report it with them", ex);
        report(cmd, internal);
        if (debug(cmd)) {
            printTrace(ex, cmd.getErr());
        }
        return ExitCode.INTERNAL;
    }

    static void report(CommandLine cmd, CliException error) {
        PrintWriter err = cmd.getErr();
        if (isJson(cmd)) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("error", error.getMessage());
            json.put("field", error.field());
            json.put("hint", error.hint());
            json.put("exitCode", error.exitCode());
            err.println(Output.toJsonLine(json));
        } else {
            err.println("reinstall: " + error.getMessage());
            if (error.field() != null) {
                err.println("  field: " + error.field());
            }
            if (error.hint() != null) {
                err.println("  what to do: " + error.hint());
            }
        }
        err.flush();
    }

    private static boolean isJson(CommandLine cmd) {
        return root(cmd).json();
    }

    private static boolean debug(CommandLine cmd) {
        return root(cmd).debug();
    }

    private static ReinstallCli root(CommandLine cmd) {
        return (ReinstallCli) cmd.getCommandSpec().root().userObject();
    }

    /** --debug only: the chain of causes with their frames. */
    private static void printTrace(Throwable error, PrintWriter err) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            err.println((t == error ? "" : "Caused by: ") + t);
            for (StackTraceElement frame : t.getStackTrace()) {
                err.println("\tat " + frame);
            }
        }
        err.flush();
    }
}
