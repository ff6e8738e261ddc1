package com.hostkey.reinstall.projector.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.projector.http.Caller.Operator;
import com.hostkey.reinstall.projector.http.Caller.Reader;
import com.hostkey.reinstall.projector.http.Caller.Reason;
import com.hostkey.reinstall.projector.http.Caller.Refused;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {

    private static final String READ_TOKEN = QueryApiSettings.generateToken();
    private static final String SECOND_READ_TOKEN = QueryApiSettings.generateToken();
    private static final String WRITE_TOKEN = QueryApiSettings.generateToken();

    private final Authenticator authenticator = new Authenticator(QueryApiSettings.ofTokens(List.of(READ_TOKEN, SECOND_READ_TOKEN))
            .withWriteTokens(Map.of("alice", WRITE_TOKEN)));

    @Test
    void shouldMakeEveryReadTokenAReaderCarryingItWhateverTheSchemesCase() {
        assertThat(authenticator.authenticate(List.of("Bearer " + READ_TOKEN))).isEqualTo(new Reader(READ_TOKEN));
        assertThat(authenticator.authenticate(List.of("bearer  " + SECOND_READ_TOKEN + " "))).isEqualTo(new Reader(SECOND_READ_TOKEN));
        assertThat(authenticator.authenticate(List.of("Bearer " + READ_TOKEN)).token()).isEqualTo(READ_TOKEN);
    }

    @Test
    void shouldMakeAWriteTokenItsOperatorWhoCarriesItToo() {
        Caller caller = authenticator.authenticate(List.of("Bearer " + WRITE_TOKEN));

        assertThat(caller).isEqualTo(new Operator("alice", WRITE_TOKEN));
        assertThat(caller.token()).isEqualTo(WRITE_TOKEN);
        assertThat(caller.toString()).contains("alice").doesNotContain(WRITE_TOKEN);
    }

    @Test
    void shouldRefuseARequestWithoutAnAuthorizationHeaderAsMissing() {
        for (List<String> none : Arrays.asList(null, List.<String>of())) {
            Caller caller = authenticator.authenticate(none);
            assertThat(caller).isEqualTo(new Refused(Reason.MISSING));
            assertThat(((Refused) caller).reason().challenge()).isEqualTo("Bearer realm=\"reinstall-state\"");
        }
    }

    @Test
    void shouldRefuseWrongAndMalformedTokensAsInvalidWithTheInvalidTokenChallenge() {
        for (List<String> header : List.of(List.of("Bearer " + READ_TOKEN.substring(1)), List.of("Bearer " + WRITE_TOKEN + "x"),
                List.of("Basic " + READ_TOKEN), List.of(READ_TOKEN), List.of("Bearer"), List.of("Bearer " + READ_TOKEN + " " + READ_TOKEN),
                List.of("Bearer " + READ_TOKEN, "Bearer " + READ_TOKEN), List.of("Bearer " + "a".repeat(600)))) {
            Caller caller = authenticator.authenticate(header);
            assertThat(caller).as("%s", header).isEqualTo(new Refused(Reason.INVALID));
            assertThat(((Refused) caller).reason().challenge()).contains("error=\"invalid_token\"");
            assertThat(((Refused) caller).reason().message()).isEqualTo("invalid bearer token");
        }
    }

    @Test
    void shouldLetAnybodyReadWithoutATokenOnlyWhenAuthenticationIsDisabled() {
        Authenticator disabled = new Authenticator(QueryApiSettings.authDisabledForDevelopment());

        assertThat(disabled.authenticate(null)).isEqualTo(new Reader(null));
        assertThat(disabled.authenticate(List.of("Bearer " + READ_TOKEN))).as("no token is known to make anyone an operator")
                .isEqualTo(new Reader(null));
        assertThat(disabled.authenticate(null).token()).isNull();
        assertThatThrownBy(() -> new Authenticator(new QueryApiSettings(List.of(), false, null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("PROJECTOR_API_TOKENS");
    }

    @Test
    void shouldNeverHandARefusedCallersTokenOn() {
        assertThatThrownBy(() -> new Refused(Reason.MISSING).token()).isInstanceOf(IllegalStateException.class);
    }
}
