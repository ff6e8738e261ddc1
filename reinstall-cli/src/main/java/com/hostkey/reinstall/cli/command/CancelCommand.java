package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cancel SERVER}: publishes a CancelReinstall. Before any PXE config exists the reinstall
 * ends at once; after, it boots the server back from disk and clears the PXE config first.
 */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = {"Cancel the reinstall in progress on a server.",
        "Once a PXE config may exist, the server is first booted from disk and the config cleared."})
public final class CancelCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "SERVER", converter = ServerIdConverter.class, description = "Hostkey server id")
    long serverId;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded on the completion")
    String reason;

    @Option(names = "--request", paramLabel = "REQUEST_ID", description = {"Cancel only if this request is the one running",
            "(a later reinstall of the server is left alone; refused NOT_CURRENT)"})
    String requestId;

    @Mixin
    IssuerOptions issuer;

    @Override
    public Integer call() {
        return UpstreamCommands.publish(root, output(), serverId, CancelReinstall.newBuilder().setReason(reason).setTargetRequestId(requestId).build(),
                issuer.issuer(), "Cancel", "Follow the cleanup: reinstall watch " + serverId + " (exit 3 when cancelled)");
    }
}
