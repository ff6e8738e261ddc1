package com.hostkey.reinstall.cli;

import com.hostkey.reinstall.cli.request.PasswordPrompt;
import java.io.InputStream;
import java.time.Clock;
import java.util.Map;

/**
 * Everything the CLI takes from its surroundings, so that tests can replace each part: the
 * environment variables, standard input, the terminal prompt (null without a terminal), the
 * clock and the waiting by it, and the connections to Kafka, the projector and Hostkey.
 */
public record CliContext(Map<String, String> env, InputStream stdin, PasswordPrompt prompt, Clock clock, Sleeper sleeper,
                         Connectors connectors) {

    public CliContext {
        env = Map.copyOf(env);
    }

    public static CliContext system() {
        return new CliContext(System.getenv(), System.in, PasswordPrompt.console(), Clock.systemUTC(), Sleeper.system(), new LiveConnectors());
    }
}
