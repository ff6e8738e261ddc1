package com.hostkey.reinstall.cli.request;

/** Reads a line from the operator's terminal without echoing it. */
@FunctionalInterface
public interface PasswordPrompt {

    /** The text typed, or null when the operator ended the input. */
    String read(String prompt);

    /** The process's terminal, or null when there is none (piped input, CI). */
    static PasswordPrompt console() {
        java.io.Console console = System.console();
        if (console == null) {
            return null;
        }
        return prompt -> {
            char[] typed = console.readPassword("%s", prompt);
            return typed == null ? null : new String(typed);
        };
    }
}
