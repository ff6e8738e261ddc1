package com.hostkey.reinstall.cli;

import com.hostkey.reinstall.testkit.MutableClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.request.PasswordPrompt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the CLI in-process with scripted surroundings, capturing the exit code, stdout and stderr. */
public final class CliRun {

    public final FakeConnectors connectors = new FakeConnectors();
    public final MutableClock clock = new MutableClock(ProjectorJson.at(100));
    /** Every wait of the CLI: it moves the clock instead of sleeping. */
    public final List<Duration> waits = new ArrayList<>();
    public final Map<String, String> env = new HashMap<>();
    public String stdin = "";
    public PasswordPrompt prompt;

    public record Result(int code, String out, String err) {

        public JsonNode json() {
            try {
                return new ObjectMapper().readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public List<JsonNode> jsonLines() {
            ObjectMapper mapper = new ObjectMapper();
            List<JsonNode> lines = new ArrayList<>();
            for (String line : out.lines().filter(l -> !l.isBlank()).toList()) {
                try {
                    lines.add(mapper.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON line: " + line, e);
                }
            }
            return lines;
        }

        public JsonNode errorJson() {
            try {
                return new ObjectMapper().readTree(err);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Kafka and registry configured through the environment, as in the stack. */
    public CliRun withKafka() {
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:29092");
        env.put("SCHEMA_REGISTRY_URL", "http://127.0.0.1:28081/apis/ccompat/v7");
        return this;
    }

    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Sleeper sleeper = duration -> {
            waits.add(duration);
            clock.advance(duration);
        };
        CliContext context = new CliContext(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), prompt, clock,
                sleeper, connectors);
        int code = ReinstallCli.run(context, args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
