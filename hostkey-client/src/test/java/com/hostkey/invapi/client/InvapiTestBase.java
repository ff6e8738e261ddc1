package com.hostkey.invapi.client;

import com.hostkey.reinstall.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** One fake invapi and one client per test; backoff sleeps are recorded, not slept. */
abstract class InvapiTestBase {

    static final long SERVER = 4242;

    final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    FakeInvapi invapi;
    HostkeyClient client;

    @BeforeEach
    void startFake() throws Exception {
        invapi = new FakeInvapi(clock::instant);
        client = newClient(config().build());
    }

    @AfterEach
    void stopFake() {
        client.close();
        invapi.close();
    }

    /** Defaults of the tests: the "default" account has a PIN, "nopin" has none; fast timeouts. */
    HostkeyClientConfig.Builder config() {
        return HostkeyClientConfig.builder(invapi.baseUrl())
                .account("default", new Credentials(FakeInvapi.API_KEY, FakeInvapi.PIN))
                .account("nopin", Credentials.of("ak-nopin-key-000000"))
                .readTimeout(Duration.ofSeconds(5))
                .actionTimeout(Duration.ofSeconds(5))
                .callbackTimeout(Duration.ofSeconds(5))
                .requestsPerSecond(1000);
    }

    HostkeyClient newClient(HostkeyClientConfig config) {
        return new HostkeyClient(config, clock, sleeps::add);
    }

    static String ok(String fields) {
        return "{\"result\":\"OK\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
    }
}
