package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.CliContext;
import com.hostkey.reinstall.cli.request.PasswordReader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the root password comes from; without either option, a terminal prompt. There is no
 * option taking the password itself, on purpose.
 */
final class PasswordOptions {

    @Option(names = "--password-stdin", description = "Read the root password from the first line of standard input")
    boolean stdin;

    @Option(names = "--password-file", paramLabel = "FILE", description = "Read the root password from the first line of FILE")
    Path file;

    static String read(PasswordOptions options, CliContext context) {
        if (options != null && options.stdin) {
            return PasswordReader.fromStdin(context.stdin());
        }
        if (options != null && options.file != null) {
            return PasswordReader.fromFile(options.file, "--password-file");
        }
        return PasswordReader.prompt(context.prompt());
    }
}
