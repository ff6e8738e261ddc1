package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.LazyHostkeyReads;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.cli.kafka.CommandSink;
import com.hostkey.reinstall.cli.kafka.KafkaSettings;
import com.hostkey.reinstall.cli.request.OsResolver;
import com.hostkey.reinstall.cli.request.PreparedRequest;
import com.hostkey.reinstall.schemas.ReinstallIds;
import com.hostkey.reinstall.cli.request.RequestSpec;
import com.hostkey.reinstall.cli.request.RequestPreparer;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import com.hostkey.reinstall.cli.watch.WatchTarget;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code submit SERVER --os ... --hostname ...}: publishes one ReinstallServer to
 * reinstall-requests, the root password and the script sealed to the command handler's key.
 * {@code --dry-run} checks everything it can and publishes nothing; {@code --watch} follows the
 * request's reinstall through the state projector to its end and exits with its outcome.
 */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Submit a reinstall of one server.",
        "The root password is read from a prompt, --password-stdin or --password-file; never from the command line."})
public final class SubmitCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "SERVER", converter = ServerIdConverter.class, description = "Hostkey server id")
    long serverId;

    @Mixin
    RequestOptions request;

    @ArgGroup(exclusive = true)
    PasswordOptions password;

    @Mixin
    SealingOptions sealing;

    @Mixin
    IssuerOptions issuer;

    @Option(names = "--dry-run", description = "Check the request (fields, and the server through Hostkey when configured); publish nothing")
    boolean dryRun;

    @Option(names = "--watch", description = "Follow the reinstall to its end through the state projector; exit with its outcome")
    boolean watch;

    @Mixin
    Following following;

    @Override
    public Integer call() {
        Output output = output();
        if (dryRun && watch) {
            throw CliException.usage("--watch", "--dry-run publishes nothing, so there is nothing to watch", "drop one of them");
        }
        RequestSpec wanted = request.toRequest(serverId);
        // Settings first: a missing key or broker fails before the operator types a password.
        SecretSealer sealer = dryRun ? null : sealing.sealer(context().env());
        KafkaSettings kafka = dryRun ? null : root.kafka();
        ReinstallStates projector = watch ? following.projector(root) : null;
        try (LazyHostkeyReads hostkey = new LazyHostkeyReads(context().connectors(), context().env())) {
            RequestPreparer preparer = new RequestPreparer(new OsResolver(hostkey::get), false);
            PreparedRequest prepared = preparer.prepare(wanted, () -> PasswordOptions.read(password, context()));
            if (dryRun) {
                return DryRun.run(output, preparer, prepared, hostkey, sealing.configured(context().env()));
            }
            preparer.requireValidFields(prepared);
            ReinstallRequest command = RequestPreparer.command(prepared, sealer, issuer.issuer(), context().clock().instant());
            publish(output, kafka, command, prepared, sealer, watch);
        }
        if (!watch) {
            return 0;
        }
        // Known by its request id, the reinstall is told from the server's earlier ones whenever the projector takes it up.
        return following.follow(root, output, projector, List.of(new WatchTarget.Request(serverId, wanted.requestId())));
    }

    private void publish(Output output, KafkaSettings kafka, ReinstallRequest command, PreparedRequest prepared, SecretSealer sealer,
                         boolean watching) {
        CommandSink.Published published;
        try (CommandSink sink = context().connectors().commands(kafka)) {
            published = sink.publish(command);
        }
        RequestSpec r = prepared.request();
        if (output.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            if (watching) {
                json.put("type", "submitted");
            }
            json.put("serverId", r.serverId());
            json.put("requestId", r.requestId());
            json.put("reinstallId", ReinstallIds.forRequest(r.serverId(), r.requestId()));
            json.put("commandId", command.getCommandId());
            json.put("osId", prepared.osId());
            json.put("osName", prepared.osName());
            json.put("hostname", r.hostname());
            json.put("topic", published.topic());
            json.put("partition", published.partition());
            json.put("offset", published.offset());
            json.put("sealedWithKey", sealer.keyId());
            if (watching) {
                output.jsonLine(json);
            } else {
                output.document(json);
            }
            return;
        }
        output.line("Submitted a reinstall of server " + r.serverId() + ": OS " + prepared.osId()
                + (prepared.osName() == null ? "" : " (" + prepared.osName() + ")") + ", hostname " + r.hostname());
        output.line("  request id   " + r.requestId() + "   (submit again with --request-id " + r.requestId() + " to retry safely)");
        output.line("  command id   " + command.getCommandId());
        output.line("  published    " + published.topic() + " partition " + published.partition() + " offset " + published.offset());
        output.line("  secrets      sealed with key " + sealer.keyId() + "; the password is never printed");
        if (!watching) {
            output.line("Follow it: reinstall watch " + r.serverId());
        }
    }
}
