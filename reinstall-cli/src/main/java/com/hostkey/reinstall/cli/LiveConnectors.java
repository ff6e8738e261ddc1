package com.hostkey.reinstall.cli;

import com.hostkey.reinstall.cli.kafka.CommandPublisher;
import com.hostkey.reinstall.cli.kafka.CommandSink;
import com.hostkey.reinstall.cli.kafka.EventHistory;
import com.hostkey.reinstall.cli.kafka.KafkaEventHistory;
import com.hostkey.reinstall.cli.kafka.KafkaReinstallFeed;
import com.hostkey.reinstall.cli.kafka.KafkaSettings;
import com.hostkey.reinstall.cli.kafka.ReinstallFeed;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import com.hostkey.reinstall.cli.state.StateClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** The real connections: Kafka clients, the projector over java.net.http, Hostkey's invapi. */
public final class LiveConnectors implements Connectors {

    @Override
    public CommandSink commands(KafkaSettings settings) {
        return CommandPublisher.connect(settings);
    }

    @Override
    public ReinstallFeed feed(KafkaSettings settings, Set<Long> servers) {
        return new KafkaReinstallFeed(settings, servers);
    }

    @Override
    public EventHistory history(KafkaSettings settings, Duration readTimeout) {
        return new KafkaEventHistory(settings, readTimeout);
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
