package com.hostkey.reinstall.cli.request;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the root password from one of the three places it may come from: a terminal prompt
 * (asked twice), the first line of standard input, or the first line of a file. Never from the
 * command line, where the process list and shell history would keep it.
 */
public final class PasswordReader {

    static final String HOW = "type it at the prompt, or give --password-stdin or --password-file FILE";

    private PasswordReader() {}

    public static String fromStdin(InputStream stdin) {
        try {
            String line = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
            return requireNonEmpty(line, "standard input (--password-stdin) is empty");
        } catch (IOException e) {
            throw new CliException(ExitCode.NO_INPUT, "--password-stdin", "cannot read the password from standard input: "
                    + e.getMessage(), null, e);
        }
    }

    /** @param field the option or column that named the file, for the message */
    public static String fromFile(Path file, String field) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(ExitCode.NO_INPUT, field, "cannot read the password file " + file + ": " + reason(e),
                    "check the path and its permissions", e);
        }
        String firstLine = content.lines().findFirst().orElse("");
        return requireNonEmpty(firstLine, "the password file " + file + " is empty");
    }

    /** Asks twice, so a typo cannot become a root password nobody knows. */
    public static String prompt(PasswordPrompt prompt) {
        if (prompt == null) {
            throw CliException.usage("--password-stdin", "no terminal to ask for the root password",
                    "give --password-stdin (e.g. from a secret store) or --password-file FILE");
        }
        String first = prompt.read("Root password for the reinstalled server: ");
        requireNonEmpty(first, "no password was typed");
        String second = prompt.read("Repeat it: ");
        if (!first.equals(second)) {
            throw CliException.invalid("root password", "the two passwords typed differ", "run the command again");
        }
        return first;
    }

    private static String requireNonEmpty(String password, String message) {
        if (password == null || password.isEmpty()) {
            throw CliException.invalid("root password", message, HOW);
        }
        return password;
    }

    static String reason(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException n -> "no such file";
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.charset.CharacterCodingException c -> "not UTF-8 text";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }
}
