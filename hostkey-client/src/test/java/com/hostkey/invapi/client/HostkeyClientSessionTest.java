package com.hostkey.invapi.client;

import static com.hostkey.invapi.client.FakeInvapi.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/** Sessions: lazy login, sharing, renewal before expiry, one login for a crowd. */
class HostkeyClientSessionTest extends InvapiTestBase {

    private static final String OS_LIST = ok("\"os_list\":[]");

    @Test
    void shouldLogInLazilyAndReuseTheSession() {
        invapi.always("os/list", json(OS_LIST));
        assertThat(invapi.logins()).isZero();

        client.listOs("default", SERVER);
        client.listOs("default", SERVER);
        client.listOs("default", SERVER);

        assertThat(invapi.logins()).isEqualTo(1);
    }

    @Test
    void shouldKeepOneSessionPerAccount() {
        invapi.always("os/list", json(OS_LIST));

        client.listOs("default", SERVER);
        client.listOs("nopin", SERVER);

        assertThat(invapi.forms("auth/login")).extracting(f -> f.get("key"))
                .containsExactly(FakeInvapi.API_KEY, "ak-nopin-key-000000");
        assertThat(invapi.forms("os/list")).extracting(f -> f.get("token"))
                .containsExactly(FakeInvapi.token(1), FakeInvapi.token(2));
    }

    @Test
    void shouldLogInOnceForFiftyConcurrentCallers() throws Exception {
        // A slow login makes sure the callers really overlap with it.
        invapi.enqueue("auth/login", new MockResponse.Builder().headersDelay(300, TimeUnit.MILLISECONDS)
                .body(FakeInvapi.loginBody(FakeInvapi.token(1), clock.instant().getEpochSecond() + 3600)).build());
        invapi.always("os/list", json(OS_LIST));

        runConcurrently(50, () -> client.listOs("default", SERVER));

        assertThat(invapi.logins()).isEqualTo(1);
        assertThat(invapi.forms("os/list")).hasSize(50)
                .allSatisfy(f -> assertThat(f).containsEntry("token", FakeInvapi.token(1)));
    }

    @Test
    void shouldLogInOnceMoreWhenFiftyConcurrentCallersFindTheTokenRefused() throws Exception {
        invapi.answer("os/list", form -> form.get("token").equals(FakeInvapi.token(1))
                ? json("{\"code\":-1,\"message\":\"Invalid hash\"}")
                : json(OS_LIST));

        runConcurrently(50, () -> client.listOs("default", SERVER));

        assertThat(invapi.logins()).isEqualTo(2);
    }

    @Test
    void shouldRenewTheSessionWithinTheMarginBeforeTokenExpire() {
        invapi.always("os/list", json(OS_LIST));

        client.listOs("default", SERVER);
        clock.advance(Duration.ofSeconds(3600 - 200));
        client.listOs("default", SERVER);
        assertThat(invapi.logins()).as("200 s left, margin 120 s").isEqualTo(1);

        clock.advance(Duration.ofSeconds(90));
        client.listOs("default", SERVER);

        assertThat(invapi.logins()).as("110 s left").isEqualTo(2);
        assertThat(invapi.lastForm("os/list")).containsEntry("token", FakeInvapi.token(2));
    }

    @Test
    void shouldAssumeTheRequestedTtlWhenLoginGivesNoExpiry() {
        invapi.enqueue("auth/login", json("{\"token\":\"0123456789abcdef0123456789abcdef\"}"));
        invapi.always("os/list", json(OS_LIST));

        client.listOs("default", SERVER);
        clock.advance(Duration.ofSeconds(3600 - 121));
        client.listOs("default", SERVER);
        assertThat(invapi.logins()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        client.listOs("default", SERVER);
        assertThat(invapi.logins()).isEqualTo(2);
    }

    @Test
    void shouldSayWhatTheLoginAnsweredNestedOrFlat() {
        HostkeyClient.LoginFacts nested = client.loginFacts("default");

        assertThat(nested.nested()).isTrue();
        assertThat(nested.expiryGiven()).isTrue();
        assertThat(nested.asked()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(nested.granted()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(nested.servers()).containsExactly(SERVER);
        assertThat(client.loginFacts("default")).as("the session's, no second login").isEqualTo(nested);
        assertThat(invapi.logins()).isEqualTo(1);

        invapi.enqueue("auth/login", json("{\"token\":\"0123456789abcdef0123456789abcdef\",\"servers\":[{\"id\":\"7\"}]}"));
        HostkeyClient.LoginFacts flat = client.loginFacts("nopin");

        assertThat(flat.nested()).isFalse();
        assertThat(flat.expiryGiven()).isFalse();
        assertThat(flat.granted()).as("assumed as asked").isEqualTo(Duration.ofSeconds(3600));
        assertThat(flat.servers()).containsExactly(7L);
    }

    @Test
    void shouldNotLogInForCallbackChecks() {
        invapi.always("eq_callback/check", json("{\"result\":\"Not ready\",\"key\":\"k\"}"));

        client.checkCallback("f685eaa0f06e47faa2e6bb5002828b00");

        assertThat(invapi.logins()).isZero();
        assertThat(invapi.lastForm("eq_callback/check"))
                .containsEntry("action", "check")
                .containsEntry("key", "f685eaa0f06e47faa2e6bb5002828b00")
                .doesNotContainKey("token");
    }

    private static void runConcurrently(int callers, Runnable call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                done.add(pool.submit(() -> {
                    start.await();
                    call.run();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
        }
    }
}
