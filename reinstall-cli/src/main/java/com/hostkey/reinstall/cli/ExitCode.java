package com.hostkey.reinstall.cli;

/**
 * The exit codes of {@code reinstall}, one meaning each, so that scripts can branch on them.
 *
 * <pre>
 *   0  success; for watch: every reinstall COMPLETED
 *   1  internal error (a bug or an unexpected answer); --debug prints the details
 *   2  watch: a reinstall FAILED
 *   3  watch: a reinstall was CANCELLED
 *   4  watch: a reinstall was REJECTED (validation, busy or quarantined server)
 *   5  watch: no outcome within --timeout (or none left to see: the server went on to another reinstall)
 *   6  not found: the projector knows no reinstall (status) or no history (history) for the server;
 *      doctor: Hostkey does not know the server for the account
 *   7  doctor: an assumed fact of Hostkey's wire does not hold for the account (the report names the setting)
 *  64  usage error: unknown option, missing or malformed argument (never a secret echoed)
 *  65  invalid request data: a field check failed (dry run, checks before publishing, bulk rows)
 *  66  an input file cannot be read (password, key, script, bulk file)
 *  69  a service is unavailable: Kafka, schema registry, state projector or Hostkey
 *  77  permission denied: the projector refused the token, Hostkey refused the credentials
 *  78  configuration missing or wrong: bootstrap, registry, sealing key, Hostkey settings
 * </pre>
 * With several servers, watch exits with the worst outcome, in this order: failed, rejected,
 * cancelled, timeout, completed. 64-78 follow BSD sysexits.h.
 */
public final class ExitCode {

    public static final int OK = 0;
    public static final int INTERNAL = 1;
    public static final int FAILED = 2;
    public static final int CANCELLED = 3;
    public static final int REJECTED = 4;
    public static final int TIMEOUT = 5;
    public static final int NOT_FOUND = 6;
    public static final int UNMET_ASSUMPTION = 7;
    public static final int USAGE = 64;
    public static final int INVALID_INPUT = 65;
    public static final int NO_INPUT = 66;
    public static final int UNAVAILABLE = 69;
    public static final int PERMISSION = 77;
    public static final int CONFIG = 78;

    private ExitCode() {}

    /** The severity rank of a watch outcome code: higher is worse. */
    public static int severity(int watchCode) {
        return switch (watchCode) {
            case OK -> 0;
            case TIMEOUT -> 1;
            case CANCELLED -> 2;
            case REJECTED -> 3;
            case FAILED -> 4;
            default -> 5;
        };
    }

    /** The worst of two watch outcome codes. */
    public static int worst(int a, int b) {
        return severity(a) >= severity(b) ? a : b;
    }
}
