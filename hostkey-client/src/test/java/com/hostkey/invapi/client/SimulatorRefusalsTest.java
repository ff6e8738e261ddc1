package com.hostkey.invapi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hostkey.invapi.simulator.ErrorWording;
import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.invapi.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The refusals the simulator words in each of its profiles, met by a client set for that profile:
 * the same kinds come out whichever words Hostkey uses, once the client is told of them.
 */
class SimulatorRefusalsTest {

    private static final long SERVER = 1001;
    private static final String API_KEY = "refusal-api-key-01";
    private static final String PIN = "2468";

    @ParameterizedTest
    @EnumSource(ErrorWording.class)
    void shouldTellEachRefusalWhateverTheSimulatorsWording(ErrorWording wording) {
        UnaryOperator<HostkeyClientConfig.Builder> told = wording == ErrorWording.ALTERNATIVE
                ? RefusalClassificationTest::toldOfAlternativeWording : UnaryOperator.identity();
        try (HostkeySimulator sim = HostkeySimulator.start(SimulatorConfig.builder().port(0).generatedFleet(2)
                .account("default", API_KEY, PIN).errorWording(wording).build());
             HostkeyClient client = client(sim, told, PIN);
             HostkeyClient wrongPin = client(sim, told, "0000")) {

            assertThat(refusal(() -> client.show("default", 424_242))).isEqualTo(Refusal.SERVER_NOT_FOUND);
            assertThat(refusal(() -> client.clearPxe("default", SERVER, "never-seen.example.net"))).isEqualTo(Refusal.HOSTNAME_MISMATCH);
            for (int attempt = 1; attempt <= 3; attempt++) {
                HostkeyException.WrongPin e = catchThrowableOfType(HostkeyException.WrongPin.class,
                        () -> wrongPin.reboot("default", SERVER));
                assertThat(e.refusal()).contains(Refusal.WRONG_PIN);
            }
            assertThat(refusal(() -> client.reboot("default", SERVER))).isEqualTo(Refusal.ACCOUNT_LOCKED);
            assertThat(catchThrowableOfType(HostkeyException.class, () -> client.reboot("default", SERVER)))
                    .as("the account, not the call").isInstanceOf(HostkeyException.AuthFailed.class);
            assertThat(sim.audit("eq", "reboot")).as("one request per call, none repeated").hasSize(5);
        }
    }

    /** The refusal a call ends in: a rejection, or for a locked account an authentication failure. */
    private static Refusal refusal(Runnable call) {
        HostkeyException e = catchThrowableOfType(HostkeyException.class, call::run);
        assertThat(e).as("a refusal").isInstanceOfAny(HostkeyException.Rejected.class, HostkeyException.AuthFailed.class);
        return e.refusal().orElseThrow();
    }

    private static HostkeyClient client(HostkeySimulator sim, UnaryOperator<HostkeyClientConfig.Builder> told, String pin) {
        return new HostkeyClient(told.apply(HostkeyClientConfig.builder(sim.baseUrl())
                .account("default", new Credentials(API_KEY, pin))
                .readTimeout(Duration.ofSeconds(10))
                .actionTimeout(Duration.ofSeconds(10))
                .requestsPerSecond(1000)).build());
    }
}
