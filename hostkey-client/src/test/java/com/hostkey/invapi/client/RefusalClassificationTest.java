package com.hostkey.invapi.client;

import static com.hostkey.invapi.client.FakeInvapi.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hostkey.invapi.client.HostkeyApi.CreatePxeRequest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each refusal kind from each wording, as recorded bodies: the known and the simulator's standard
 * wordings with the default patterns, the simulator's alternative wordings with a client told of
 * them, and words no pattern knows, which stay a refusal naming Hostkey's message.
 */
class RefusalClassificationTest extends InvapiTestBase {

    private static final CreatePxeRequest PXE =
            new CreatePxeRequest(SERVER, 101, "Str0ng-Pass", "h1", null, null, null, null, null);

    /** What an operator sets for the simulator's {@code --error-wording alternative}. */
    static HostkeyClientConfig.Builder toldOfAlternativeWording(HostkeyClientConfig.Builder b) {
        return b.refusalPattern(Refusal.SERVER_NOT_FOUND, "no access to equipment")
                .refusalPattern(Refusal.HOSTNAME_MISMATCH, "carries another hostname")
                .refusalPattern(Refusal.WRONG_PIN, "confirmation code rejected")
                .refusalPattern(Refusal.ACCOUNT_LOCKED, "access suspended");
    }

    /** One call of the client, named by the invapi call it makes. */
    enum Call {
        SHOW("eq/show"), OS_LIST("os/list"), CLEAR_PXE("eq/clear_pxe"), REBOOT("eq/reboot"), CREATE_PXE("eq/create_pxe"),
        LOGIN("auth/login");

        final String wire;

        Call(String wire) {
            this.wire = wire;
        }

        void on(HostkeyClient client) {
            switch (this) {
                case SHOW -> client.show("default", SERVER);
                case OS_LIST, LOGIN -> client.listOs("default", SERVER);
                case CLEAR_PXE -> client.clearPxe("default", SERVER, "h1");
                case REBOOT -> client.reboot("default", SERVER);
                case CREATE_PXE -> client.createPxe("default", PXE);
            }
        }
    }

    record Wording(String name, Call call, String body, Class<? extends HostkeyException> type, Refusal refusal,
                   boolean alternative) {
        @Override
        public String toString() {
            return name + " -> " + type.getSimpleName() + " " + refusal;
        }
    }

    static Stream<Wording> wordings() {
        return Stream.of(
                known("account locked", Call.REBOOT, "eq/reboot: account locked", HostkeyException.AuthFailed.class, Refusal.ACCOUNT_LOCKED),
                known("locked, mentioning the PIN", Call.REBOOT, "eq/reboot: account is locked after 3 wrong PIN attempts",
                        HostkeyException.AuthFailed.class, Refusal.ACCOUNT_LOCKED),
                known("wrong PIN code", Call.REBOOT, "eq/reboot: wrong PIN code", HostkeyException.WrongPin.class, Refusal.WRONG_PIN),
                new Wording("Invalid PIN as result -1", Call.REBOOT, "{\"result\":-1,\"error\":\"Invalid PIN\"}",
                        HostkeyException.WrongPin.class, Refusal.WRONG_PIN, false),
                new Wording("No appropriate servers (login)", Call.LOGIN,
                        "{\"result\":-1,\"error\":\"No appropriate servers found\",\"code\":\"NO_APPROPRIATE_SERVERS\"}",
                        HostkeyException.AuthFailed.class, Refusal.LOGIN_REFUSED, false),
                new Wording("login refused in other words", Call.LOGIN, "{\"result\":-1,\"error\":\"Key disabled\"}",
                        HostkeyException.AuthFailed.class, Refusal.LOGIN_REFUSED, false),
                known("server not found", Call.SHOW, "eq/show: server not found", HostkeyException.Rejected.class, Refusal.SERVER_NOT_FOUND),
                new Wording("no such server, told by a string code", Call.OS_LIST, "{\"code\":\"NO_SUCH_SERVER\",\"message\":\"no such server\"}",
                        HostkeyException.Rejected.class, Refusal.SERVER_NOT_FOUND, false),
                known("hostname does not match", Call.CLEAR_PXE, "eq/clear_pxe: hostname does not match server 4242",
                        HostkeyException.Rejected.class, Refusal.HOSTNAME_MISMATCH),
                known("reinstall_key not found", Call.CREATE_PXE, "eq/create_pxe: reinstall_key not found",
                        HostkeyException.Rejected.class, Refusal.REINSTALL_KEY_NOT_FOUND),
                known("no OS found", Call.OS_LIST, "os/list: no OS found", HostkeyException.Rejected.class, Refusal.OS_NOT_OFFERED),
                known("OS not available", Call.CREATE_PXE, "eq/create_pxe: OS 999 is not available for this server",
                        HostkeyException.Rejected.class, Refusal.OS_NOT_OFFERED),
                known("missing field", Call.CREATE_PXE, "eq/create_pxe: missing required field hostname",
                        HostkeyException.Rejected.class, Refusal.INVALID_PARAMETER),
                known("password policy", Call.CREATE_PXE, "eq/create_pxe: root_pass does not meet the password policy",
                        HostkeyException.Rejected.class, Refusal.INVALID_PARAMETER),
                known("unknown action", Call.REBOOT, "eq/reboot: unknown action", HostkeyException.Rejected.class, Refusal.INVALID_PARAMETER),
                alternative("no access to equipment", Call.SHOW, "eq/show: no access to equipment 4242",
                        HostkeyException.Rejected.class, Refusal.SERVER_NOT_FOUND),
                alternative("carries another hostname", Call.CLEAR_PXE, "eq/clear_pxe: equipment 4242 carries another hostname",
                        HostkeyException.Rejected.class, Refusal.HOSTNAME_MISMATCH),
                alternative("confirmation code rejected", Call.REBOOT, "eq/reboot: confirmation code rejected",
                        HostkeyException.WrongPin.class, Refusal.WRONG_PIN),
                alternative("access suspended", Call.REBOOT, "eq/reboot: access suspended: too many failed confirmations",
                        HostkeyException.AuthFailed.class, Refusal.ACCOUNT_LOCKED));
    }

    private static Wording known(String name, Call call, String message, Class<? extends HostkeyException> type, Refusal refusal) {
        return new Wording(name, call, error(message), type, refusal, false);
    }

    private static Wording alternative(String name, Call call, String message, Class<? extends HostkeyException> type,
                                       Refusal refusal) {
        return new Wording("alternative: " + name, call, error(message), type, refusal, true);
    }

    private static String error(String message) {
        return "{\"code\":-1,\"message\":\"" + message + "\"}";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wordings")
    void shouldTellTheRefusalFromHostkeysWording(Wording w) {
        HostkeyClient told = w.alternative() ? newClient(toldOfAlternativeWording(config()).build()) : client;
        try {
            invapi.always(w.call().wire, json(w.body()));

            HostkeyException e = catchThrowableOfType(HostkeyException.class, () -> w.call().on(told));

            assertThat(e).isInstanceOf(w.type());
            assertThat(e.refusal()).contains(w.refusal());
            assertThat(invapi.count(w.call().wire)).as("a refusal is never repeated").isEqualTo(1);
        } finally {
            if (told != client) {
                told.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("alternativeWordings")
    void shouldKeepAnUnknownWordingARefusalThatNamesHostkeysMessage(Wording w) {
        invapi.always(w.call().wire, json(w.body()));

        HostkeyException.Rejected e = catchThrowableOfType(HostkeyException.Rejected.class, () -> w.call().on(client));

        assertThat(e.refusal()).contains(Refusal.UNCLASSIFIED);
        assertThat(e.hostkeyMessage()).startsWith(w.call().wire + ": ");
        assertThat(w.body()).contains(e.hostkeyMessage());
        assertThat(e.getMessage()).contains(e.hostkeyMessage());
        assertThat(invapi.count(w.call().wire)).as("not retried, even a wrong PIN in words the client does not know").isEqualTo(1);
        assertThat(invapi.logins()).as("not mistaken for a stale session").isEqualTo(1);
    }

    static Stream<Wording> alternativeWordings() {
        return wordings().filter(Wording::alternative);
    }

    @Test
    void shouldNameHostkeysWordsWhenNoPatternKnowsThem() {
        invapi.always("eq/reboot", json(error("eq/reboot: the moon is in the wrong phase")));

        HostkeyException.Rejected e = catchThrowableOfType(HostkeyException.Rejected.class, () -> client.reboot("default", SERVER));

        assertThat(e.refusal()).contains(Refusal.UNCLASSIFIED);
        assertThat(e.hostkeyMessage()).isEqualTo("eq/reboot: the moon is in the wrong phase");
    }

    @Test
    void shouldMakeARefusalOfABodyWithoutWords() {
        invapi.always("eq/show", json("{\"code\":-1}"));
        invapi.always("os/list", json("{\"result\":-1}"));

        assertThat(catchThrowableOfType(HostkeyException.Rejected.class, () -> client.show("default", SERVER)).hostkeyMessage())
                .isEqualTo("code -1");
        assertThat(catchThrowableOfType(HostkeyException.Rejected.class, () -> client.listOs("default", SERVER)).refusal())
                .contains(Refusal.UNCLASSIFIED);
    }

    @Test
    void shouldTellARefusalByACodeAPatternNames() {
        client.close();
        client = newClient(config().refusalPattern(Refusal.SERVER_NOT_FOUND, "^E_NO_SERVER$").build());
        invapi.always("eq/show", json("{\"code\":\"E_NO_SERVER\",\"message\":\"request cannot be served\"}"));

        assertThat(catchThrowableOfType(HostkeyException.Rejected.class, () -> client.show("default", SERVER)).refusal())
                .contains(Refusal.SERVER_NOT_FOUND);
    }

    @Test
    void shouldTypeAStaleTokenRefusedTwiceAndAnUnconfiguredAccount() {
        invapi.always("os/list", json(error("Invalid hash")));

        assertThat(catchThrowableOfType(HostkeyException.AuthFailed.class, () -> client.listOs("default", SERVER)).refusal())
                .contains(Refusal.INVALID_TOKEN);
        assertThat(catchThrowableOfType(HostkeyException.AuthFailed.class, () -> client.listOs("nobody", SERVER)).refusal())
                .contains(Refusal.ACCOUNT_NOT_CONFIGURED);
    }

    @Test
    void shouldGiveEveryKindHostkeyCanTellAPatternAndAVariable() {
        for (Refusal kind : Refusal.values()) {
            assertThat(RefusalPatterns.DEFAULTS.pattern(kind) != null).as("pattern of %s", kind).isEqualTo(kind.recognisedByPattern());
            assertThat(RefusalPatterns.env(kind) != null).as("variable of %s", kind).isEqualTo(kind.recognisedByPattern());
        }
        assertThat(RefusalPatterns.env(Refusal.SERVER_NOT_FOUND)).isEqualTo("HOSTKEY_REFUSAL_SERVER_NOT_FOUND_PATTERN");
    }

    @Test
    void shouldRefuseAPatternForAKindHostkeyCannotTell() {
        assertThatThrownBy(() -> RefusalPatterns.DEFAULTS.with(Refusal.UNCLASSIFIED, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RefusalPatterns.DEFAULTS.with(Refusal.ACCOUNT_NOT_CONFIGURED, "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
