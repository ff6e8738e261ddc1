package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ReinstallCli;
import com.hostkey.reinstall.cli.kafka.CommandSink;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Publishes one operator command (cancel, release) and reports where it went. */
final class UpstreamCommands {

    private UpstreamCommands() {}

    static int publish(ReinstallCli root, Output output, long serverId, Object payload, String issuedBy, String what, String followUp) {
        ReinstallRequest command = ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(serverId)
                .setIssuedAt(Instant.now(root.context().clock()))
                .setIssuedBy(issuedBy)
                .setPayload(payload)
                .build();
        CommandSink.Published published;
        try (CommandSink sink = root.context().connectors().commands(root.kafka())) {
            published = sink.publish(command);
        }
        if (output.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("serverId", serverId);
            json.put("command", payload.getClass().getSimpleName());
            json.put("commandId", command.getCommandId());
            json.put("topic", published.topic());
            json.put("partition", published.partition());
            json.put("offset", published.offset());
            output.document(json);
        } else {
            output.line(what + " for server " + serverId + " published (" + published.topic() + " partition " + published.partition()
                    + " offset " + published.offset() + ", command " + command.getCommandId() + ").");
            output.line(followUp);
        }
        return 0;
    }
}
