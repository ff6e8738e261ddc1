package com.hostkey.reinstall.cli;

/**
 * A user-facing error: what was wrong, which field (option, column or setting) when there is
 * one, and what to do. Printed without a stack trace; {@link #exitCode()} says which kind it is.
 */
public final class CliException extends RuntimeException {

    private final int exitCode;
    private final String field;
    private final String hint;

    public CliException(int exitCode, String field, String message, String hint) {
        super(message);
        this.exitCode = exitCode;
        this.field = field;
        this.hint = hint;
    }

    public CliException(int exitCode, String field, String message, String hint, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.field = field;
        this.hint = hint;
    }

    public static CliException usage(String field, String message, String hint) {
        return new CliException(ExitCode.USAGE, field, message, hint);
    }

    public static CliException invalid(String field, String message, String hint) {
        return new CliException(ExitCode.INVALID_INPUT, field, message, hint);
    }

    public static CliException config(String field, String message, String hint) {
        return new CliException(ExitCode.CONFIG, field, message, hint);
    }

    public static CliException unavailable(String message, String hint, Throwable cause) {
        return new CliException(ExitCode.UNAVAILABLE, null, message, hint, cause);
    }

    public int exitCode() {
        return exitCode;
    }

    /** The option, column or setting at fault, or null. */
    public String field() {
        return field;
    }

    /** What to do about it, or null. */
    public String hint() {
        return hint;
    }
}
