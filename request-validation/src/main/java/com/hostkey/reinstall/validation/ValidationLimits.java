package com.hostkey.reinstall.validation;

/**
 * The configurable bounds {@link ReinstallValidator} applies to a reinstall request.
 *
 * @param maxPostInstallScriptBytes the largest post-install script accepted, in UTF-8 bytes
 * @param maxHostnameLength         the longest hostname accepted, in characters; at most 253, the
 *                                  RFC 1123 limit, so it can only be tightened
 * @param strictServerFacts         a check against the server that cannot run because Hostkey did not
 *                                  give the fact it needs (eq/show's type, RAM, disks) rejects the
 *                                  request ({@code SERVER_FACTS_MISSING}) instead of being left to
 *                                  Hostkey; off by default
 */
public record ValidationLimits(int maxPostInstallScriptBytes, int maxHostnameLength, boolean strictServerFacts) {

    public static final int DEFAULT_MAX_POST_INSTALL_SCRIPT_BYTES = 65_536;
    /** RFC 1123 / RFC 1035: a name is at most 253 characters in its textual form (no trailing dot). */
    public static final int RFC_MAX_HOSTNAME_LENGTH = 253;

    public ValidationLimits {
        if (maxPostInstallScriptBytes < 1) {
            throw new IllegalArgumentException("maxPostInstallScriptBytes must be at least 1, got " + maxPostInstallScriptBytes);
        }
        if (maxHostnameLength < 1 || maxHostnameLength > RFC_MAX_HOSTNAME_LENGTH) {
            throw new IllegalArgumentException("maxHostnameLength must be 1-" + RFC_MAX_HOSTNAME_LENGTH + ", got " + maxHostnameLength);
        }
    }

    public ValidationLimits(int maxPostInstallScriptBytes, int maxHostnameLength) {
        this(maxPostInstallScriptBytes, maxHostnameLength, false);
    }

    /** 64 KiB of script, 253-character hostnames, checks without their facts left to Hostkey. */
    public static ValidationLimits defaults() {
        return new ValidationLimits(DEFAULT_MAX_POST_INSTALL_SCRIPT_BYTES, RFC_MAX_HOSTNAME_LENGTH, false);
    }

    /** The same limits, strict about missing server facts or not. */
    public ValidationLimits withStrictServerFacts(boolean strict) {
        return new ValidationLimits(maxPostInstallScriptBytes, maxHostnameLength, strict);
    }
}
