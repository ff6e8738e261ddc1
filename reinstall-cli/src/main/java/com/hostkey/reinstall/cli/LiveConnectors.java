package com.hostkey.reinstall.cli;

import com.hostkey.reinstall.cli.kafka.CommandPublisher;
import com.hostkey.reinstall.cli.kafka.CommandSink;
import com.hostkey.reinstall.cli.kafka.KafkaSettings;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import com.hostkey.reinstall.cli.state.StateClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** The real connections: the Kafka producer, the projector over java.net.http, Hostkey's invapi. */
public final class LiveConnectors implements Connectors {

    @Override
    public CommandSink commands(KafkaSettings settings) {
        return CommandPublisher.connect(settings);
    }

    @Override
    public ReinstallStates states(URI projector, String token, Duration timeout) {
        return new StateClient(projector, token, timeout);
    }

    @Override
    public HostkeyReads hostkey(Map<String, String> env) {
        return LiveHostkeyReads.fromEnv(env);
    }
}
