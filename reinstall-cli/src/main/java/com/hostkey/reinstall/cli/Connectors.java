package com.hostkey.reinstall.cli;

import com.hostkey.reinstall.cli.kafka.CommandSink;
import com.hostkey.reinstall.cli.kafka.KafkaSettings;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Opens the CLI's connections; each method fails with a {@link CliException} the user can act on. */
public interface Connectors {

    CommandSink commands(KafkaSettings settings);

    ReinstallStates states(URI projector, String token, Duration timeout);

    /** Hostkey reads configured from {@code env}; a configuration error when Hostkey is not set up. */
    HostkeyReads hostkey(Map<String, String> env);
}
