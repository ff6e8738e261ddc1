package com.hostkey.reinstall.cli;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.invapi.client.Credentials;
import com.hostkey.invapi.client.HostkeyClient.LoginFacts;
import com.hostkey.invapi.client.HostkeyClient.ShowAnswer;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.reinstall.cli.kafka.CommandSink;
import com.hostkey.reinstall.cli.kafka.KafkaSettings;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Connections that record what the CLI sends and answer what the test scripted. No network. */
public final class FakeConnectors implements Connectors {

    public final List<ReinstallRequest> published = new ArrayList<>();
    public KafkaSettings kafkaSettings;
    public RuntimeException publishFailure;
    public int failPublishAfter = Integer.MAX_VALUE;
    public final FakeProjector projector = new FakeProjector();
    public URI projectorUrl;
    public String token;
    public FakeHostkey hostkey;
    /** Hostkey reads over the real client, configured from the environment (e.g. at a simulator started by the test). */
    public boolean liveHostkey;

    @Override
    public CommandSink commands(KafkaSettings settings) {
        kafkaSettings = settings;
        return new CommandSink() {
            @Override
            public Published publish(ReinstallRequest command) {
                if (publishFailure != null && published.size() >= failPublishAfter) {
                    throw publishFailure;
                }
                published.add(command);
                return new Published("reinstall-requests", 0, published.size() - 1);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public ReinstallStates states(URI projector, String token, Duration timeout) {
        this.projectorUrl = projector;
        this.token = token;
        return this.projector;
    }

    @Override
    public HostkeyReads hostkey(Map<String, String> env) {
        if (liveHostkey) {
            return LiveHostkeyReads.fromEnv(env);
        }
        if (hostkey == null) {
            throw CliException.config("HOSTKEY_BASE_URL", "Hostkey is not configured: HOSTKEY_BASE_URL is not set", "set it");
        }
        return hostkey;
    }

    /** Scripted Hostkey reads. */
    public static final class FakeHostkey implements HostkeyReads {
        public List<OsOffer> offers = new ArrayList<>();
        public ServerFacts facts = new ServerFacts(1001, "active", "old.example.net", "NL", "bm", 32, List.of(480L, 480L), List.of(), 12);
        public List<JenkinsTask> tasks = new ArrayList<>();
        public LoginFacts login = new LoginFacts(true, true, Duration.ofHours(1), Duration.ofHours(1), List.of(1001L));
        public List<String> showFields = List.of("id", "status", "hostname", "location", "type", "ram_gb", "disks");
        public boolean closed;

        @Override
        public HostkeyClientConfig settings() {
            return HostkeyClientConfig.builder("http://invapi.invalid").account("default", Credentials.of("fake-key")).build();
        }

        @Override
        public LoginFacts login(String account) {
            return login;
        }

        @Override
        public ShowAnswer showAnswer(String account, long serverId) {
            return new ShowAnswer(show(account, serverId), showFields);
        }

        @Override
        public List<OsOffer> listOs(String account, long serverId) {
            return offers;
        }

        @Override
        public ServerFacts show(String account, long serverId) {
            return facts;
        }

        @Override
        public List<JenkinsTask> jenkinsTasks(String account) {
            return tasks;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
