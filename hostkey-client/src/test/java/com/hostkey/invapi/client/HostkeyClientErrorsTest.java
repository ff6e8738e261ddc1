package com.hostkey.invapi.client;

import static com.hostkey.invapi.client.FakeInvapi.json;
import static com.hostkey.invapi.client.FakeInvapi.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hostkey.invapi.client.HostkeyApi.BootMedia;
import com.hostkey.invapi.client.HostkeyApi.CreatePxeRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;

/** The error taxonomy and what is retried, against recorded answer shapes. */
class HostkeyClientErrorsTest extends InvapiTestBase {

    private static final String CALLBACK = "f685eaa0f06e47faa2e6bb5002828b00";
    private static final CreatePxeRequest PXE =
            new CreatePxeRequest(SERVER, 101, "Str0ng-Pass", "h1", null, null, null, null, "LVM_RAID1");

    @Test
    void shouldRaiseRejectedWithHostkeysMessageOnErrorBodyWithHttp200() {
        invapi.enqueue("os/list", json("{\"code\":-1,\"message\":\"os/list: no OS found\"}"));

        HostkeyException.Rejected e = catchThrowableOfType(HostkeyException.Rejected.class,
                () -> client.listOs("default", SERVER));

        assertThat(e.hostkeyMessage()).isEqualTo("os/list: no OS found");
        assertThat(e.action()).isEqualTo("os/list");
        assertThat(e.refusal()).contains(Refusal.OS_NOT_OFFERED);
        assertThat(invapi.count("os/list")).as("business errors are not retried").isEqualTo(1);
    }

    @Test
    void shouldTypeAClearPxeRefusedForAnUnknownHostnameAsNothingThere() {
        invapi.enqueue("eq/clear_pxe", json("{\"code\":-1,\"message\":\"eq/clear_pxe: Hostname does not match server 1001\"}"));

        HostkeyException.Rejected e = catchThrowableOfType(HostkeyException.Rejected.class,
                () -> client.clearPxe("default", SERVER, "h1"));

        assertThat(e.refusal()).contains(Refusal.HOSTNAME_MISMATCH);
        assertThat(invapi.count("eq/clear_pxe")).isEqualTo(1);
    }

    @Test
    void shouldRaiseRejectedWhenResultIsAnUnknownWordWithAnError() {
        invapi.enqueue("eq/reboot", json("{\"result\":\"Failed\",\"error\":\"server is locked\"}"));

        assertThatThrownBy(() -> client.reboot("default", SERVER))
                .isInstanceOf(HostkeyException.Rejected.class).hasMessageContaining("server is locked");
    }

    @Test
    void shouldRaiseRejectedOnNonNumericErrorCode() {
        invapi.enqueue("os/list", json("{\"code\":\"NO_SUCH_SERVER\",\"message\":\"no such server\"}"));

        assertThatThrownBy(() -> client.listOs("default", SERVER))
                .isInstanceOf(HostkeyException.Rejected.class).hasMessageContaining("no such server");
    }

    @Test
    void shouldAcceptSuccessWithZeroCodeAndAMessage() {
        invapi.enqueue("eq/reboot", json("{\"result\":\"OK\",\"code\":\"0\",\"message\":\"queued\",\"callback\":\"" + CALLBACK + "\"}"));

        assertThat(client.reboot("default", SERVER).callbackKey()).isEqualTo(CALLBACK);
    }

    @Test
    void shouldRaiseAuthFailedWhenLoginIsRefused() {
        invapi.enqueue("auth/login",
                json("{\"result\":-1,\"error\":\"No appropriate servers found\",\"code\":\"NO_APPROPRIATE_SERVERS\"}"));

        assertThatThrownBy(() -> client.listOs("default", SERVER))
                .isInstanceOf(HostkeyException.AuthFailed.class)
                .hasMessageContaining("No appropriate servers found");
        assertThat(invapi.logins()).isEqualTo(1);
        assertThat(invapi.count("os/list")).isZero();
    }

    @Test
    void shouldRaiseAuthFailedForAnAccountThatIsNotConfigured() {
        assertThatThrownBy(() -> client.reboot("nobody", SERVER))
                .isInstanceOf(HostkeyException.AuthFailed.class).hasMessageContaining("'nobody'");
        assertThat(invapi.logins()).isZero();
    }

    @Test
    void shouldReloginOnceOnInvalidHash() {
        invapi.enqueue("os/list", json("{\"code\":-1,\"message\":\"Invalid hash\"}"), json(ok("\"os_list\":[{\"id\":1,\"name\":\"A\"}]")));

        assertThat(client.listOs("default", SERVER)).hasSize(1);

        assertThat(invapi.logins()).isEqualTo(2);
        assertThat(invapi.forms("os/list")).extracting(f -> f.get("token"))
                .containsExactly(FakeInvapi.token(1), FakeInvapi.token(2));
    }

    @Test
    void shouldRepeatRebootOnceAfterReloginBecauseARefusedTokenWasNotApplied() {
        invapi.enqueue("eq/reboot", json("{\"code\":-1,\"message\":\"eq/reboot: token expired\"}"),
                json(ok("\"callback\":\"" + CALLBACK + "\"")));

        assertThat(client.reboot("default", SERVER).callbackKey()).isEqualTo(CALLBACK);
        assertThat(invapi.count("eq/reboot")).isEqualTo(2);
    }

    @Test
    void shouldRaiseAuthFailedWhenTokenIsRefusedAgainAfterRelogin() {
        invapi.always("os/list", json("{\"code\":-1,\"message\":\"Invalid hash\"}"));

        assertThatThrownBy(() -> client.listOs("default", SERVER))
                .isInstanceOf(HostkeyException.AuthFailed.class).hasMessageContaining("Invalid hash");
        assertThat(invapi.logins()).isEqualTo(2);
        assertThat(invapi.count("os/list")).isEqualTo(2);
    }

    @Test
    void shouldNeverRetryWrongPin() {
        invapi.always("eq/boot_dev", json("{\"code\":-1,\"message\":\"eq/boot_dev: Wrong PIN code\"}"));
        invapi.always("eq/reboot", json("{\"result\":-1,\"error\":\"Invalid PIN\"}"));

        assertThatThrownBy(() -> client.bootDevice("default", SERVER, BootMedia.PXE))
                .isInstanceOf(HostkeyException.WrongPin.class).hasMessageContaining("Wrong PIN code");
        assertThatThrownBy(() -> client.reboot("default", SERVER))
                .isInstanceOf(HostkeyException.WrongPin.class);

        assertThat(invapi.count("eq/boot_dev")).as("boot_dev is retried otherwise, never on a wrong PIN").isEqualTo(1);
        assertThat(invapi.count("eq/reboot")).isEqualTo(1);
        assertThat(invapi.logins()).as("a wrong PIN is not mistaken for a stale session").isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldNotReloginWhenAnAuthWordedErrorMentionsThePin() {
        invapi.always("eq/reboot", json("{\"code\":-1,\"message\":\"not authorized: pin mismatch\"}"));

        assertThatThrownBy(() -> client.reboot("default", SERVER)).isInstanceOf(HostkeyException.WrongPin.class);
        assertThat(invapi.count("eq/reboot")).isEqualTo(1);
    }

    @Test
    void shouldHonourRetryAfterOn503ForARead() {
        invapi.enqueue("os/list",
                new MockResponse.Builder().code(503).addHeader("Retry-After", "2").body("busy").build(),
                json(ok("\"os_list\":[]")));

        assertThat(client.listOs("default", SERVER)).isEmpty();

        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
        assertThat(invapi.count("os/list")).isEqualTo(2);
    }

    @Test
    void shouldHandBackRetryAfterLongerThanTheCapInsteadOfWaiting() {
        invapi.always("os/list", new MockResponse.Builder().code(429).addHeader("Retry-After", "120").build());

        HostkeyException.Transient e = catchThrowableOfType(HostkeyException.Transient.class,
                () -> client.listOs("default", SERVER));

        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(120));
        assertThat(invapi.count("os/list")).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldRetryReadWithExponentialBackoffThenRaiseTransient() {
        invapi.always("os/list", status(500, "<html>Internal Server Error</html>"));

        assertThatThrownBy(() -> client.listOs("default", SERVER))
                .isInstanceOf(HostkeyException.Transient.class).hasMessageContaining("HTTP 500");

        assertThat(invapi.count("os/list")).isEqualTo(3);
        assertThat(sleeps).hasSize(2);
        assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(150), Duration.ofMillis(300));
        assertThat(sleeps.get(1)).isBetween(Duration.ofMillis(300), Duration.ofMillis(600));
    }

    @Test
    void shouldRetryMalformedJsonOnReadThenRaiseTransient() {
        invapi.always("eq/show", json("{\"result\":\"OK\",\"server_data\":"));

        assertThatThrownBy(() -> client.show("default", SERVER)).isInstanceOf(HostkeyException.Transient.class);
        assertThat(invapi.count("eq/show")).isEqualTo(3);
    }

    @Test
    void shouldRetryBootDevOnServerErrors() {
        invapi.enqueue("eq/boot_dev", status(500, ""), status(502, "bad gateway"),
                json(ok("\"callback\":\"" + CALLBACK + "\"")));

        assertThat(client.bootDevice("default", SERVER, BootMedia.DISK).callbackKey()).isEqualTo(CALLBACK);
        assertThat(invapi.count("eq/boot_dev")).isEqualTo(3);
    }

    @Test
    void shouldRetryClearPxeWhenTheConnectionDrops() {
        invapi.enqueue("eq/clear_pxe",
                new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build(),
                json(ok("\"action\":\"clear_pxe\"")));

        assertThat(client.clearPxe("default", SERVER, "h1").action()).isEqualTo("clear_pxe");
        assertThat(invapi.count("eq/clear_pxe")).isEqualTo(2);
    }

    @Test
    void shouldRaiseAmbiguousOn500ToRebootWithExactlyOneRequest() {
        invapi.always("eq/reboot", status(500, "<html>Internal Server Error</html>"));

        assertThatThrownBy(() -> client.reboot("default", SERVER)).isInstanceOf(HostkeyException.Ambiguous.class);
        assertThat(invapi.count("eq/reboot")).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldRaiseTransientWithoutRetryingOn429ToReboot() {
        invapi.always("eq/reboot", new MockResponse.Builder().code(429).addHeader("Retry-After", "3").build());

        HostkeyException.Transient e = catchThrowableOfType(HostkeyException.Transient.class,
                () -> client.reboot("default", SERVER));

        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(invapi.count("eq/reboot")).isEqualTo(1);
    }

    @Test
    void shouldRaiseAmbiguousOnCreatePxeTimeoutWithExactlyOneRequest() throws Exception {
        client.close();
        client = newClient(config().actionTimeout(Duration.ofMillis(300)).build());
        invapi.always("eq/create_pxe", new MockResponse.Builder()
                .headersDelay(3, TimeUnit.SECONDS).body(ok("\"callback\":\"" + CALLBACK + "\"")).build());

        assertThatThrownBy(() -> client.createPxe("default", PXE))
                .isInstanceOf(HostkeyException.Ambiguous.class).hasMessageContaining("timed out");
        assertThat(invapi.count("eq/create_pxe")).isEqualTo(1);
    }

    @Test
    void shouldRaiseAmbiguousWhenTheConnectionDropsAfterReinstallWasSent() {
        invapi.always("eq/reinstall",
                new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());

        assertThatThrownBy(() -> client.createReinstallKey("default", SERVER))
                .isInstanceOf(HostkeyException.Ambiguous.class);
        assertThat(invapi.count("eq/reinstall")).isEqualTo(1);
    }

    @Test
    void shouldRaiseAmbiguousWhenRunTaskAnswersWithMalformedJson() {
        invapi.always("jenkins/run_task", json("<?php fatal error"));

        assertThatThrownBy(() -> client.runJenkinsTask("default", SERVER, "7"))
                .isInstanceOf(HostkeyException.Ambiguous.class);
        assertThat(invapi.count("jenkins/run_task")).isEqualTo(1);
    }

    @Test
    void shouldRetryReadAfterTimeoutThenRaiseTransient() {
        // A callback check needs no login, so the short timeout can only ever hit the delayed answer.
        client.close();
        client = newClient(config().callbackTimeout(Duration.ofMillis(200)).build());
        invapi.always("eq_callback/check", new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS)
                .body("{\"result\":\"Not ready\"}").build());

        assertThatThrownBy(() -> client.checkCallback(CALLBACK))
                .isInstanceOf(HostkeyException.Transient.class).hasMessageContaining("timed out");
        assertThat(invapi.count("eq_callback/check")).isEqualTo(3);
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void shouldRaiseTransientWhenHostkeyCannotBeReached() throws Exception {
        FakeInvapi closed = new FakeInvapi(clock::instant);
        String deadUrl = closed.baseUrl();
        closed.close();
        HostkeyClient dead = newClient(HostkeyClientConfig.builder(deadUrl)
                .account("default", Credentials.of(FakeInvapi.API_KEY)).build());

        try (dead) {
            assertThatThrownBy(() -> dead.reboot("default", SERVER))
                    .isInstanceOf(HostkeyException.Transient.class).hasMessageContaining("connection failed");
            assertThatThrownBy(() -> dead.checkCallback(CALLBACK)).isInstanceOf(HostkeyException.Transient.class);
        }
    }
}
