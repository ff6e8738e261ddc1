package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.schemas.avro.ReleaseServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code release SERVER}: publishes a ReleaseServer, lifting the quarantine after failed reinstalls in a row. */
@Command(name = "release", mixinStandardHelpOptions = true, description = "Lift the quarantine of a server whose reinstalls kept failing.")
public final class ReleaseCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "SERVER", converter = ServerIdConverter.class, description = "Hostkey server id")
    long serverId;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded on the ServerReleased event")
    String reason;

    @Mixin
    IssuerOptions issuer;

    @Override
    public Integer call() {
        return UpstreamCommands.publish(root, output(), serverId, ReleaseServer.newBuilder().setReason(reason).build(),
                issuer.issuer(), "Release", "If server " + serverId + " was quarantined, 'reinstall history " + serverId
                        + "' shows a ServerReleased event, and new reinstalls are accepted again");
    }
}
