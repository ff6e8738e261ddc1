package com.hostkey.reinstall.cli.command;

import picocli.CommandLine.Option;

/** Who the commands are issued by, as recorded on them (and in the reinstall's state). */
final class IssuerOptions {

    @Option(names = "--issued-by", paramLabel = "NAME", description = "Recorded as the command's issuer (default cli:<user>)")
    String issuedBy;

    String issuer() {
        if (issuedBy != null && !issuedBy.isBlank()) {
            return issuedBy.strip();
        }
        return "cli:" + System.getProperty("user.name", "unknown");
    }
}
