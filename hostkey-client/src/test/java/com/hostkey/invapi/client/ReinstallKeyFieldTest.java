package com.hostkey.invapi.client;

import com.hostkey.reinstall.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer.Kind;
import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.invapi.simulator.SimulatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hostkey does not document the field eq/reinstall answers the master key in; the simulator can
 * name it anything ({@code --reinstall-key-field}), so the client's accepted names are a setting.
 */
class ReinstallKeyFieldTest {

    private static final String API_KEY = "field-api-key-0001";
    private static final String PIN = "1357";

    @Test
    void shouldAcceptTheThreeKnownFieldNamesByDefault() {
        assertThat(HostkeyClientConfig.builder("http://invapi").account("default", Credentials.of(API_KEY)).build()
                .reinstallKeyFields()).containsExactly("reinstall_key", "callback", "key");
        for (String field : List.of("reinstall_key", "callback", "key")) {
            try (HostkeySimulator sim = simulator(field); HostkeyClient client = client(sim, List.of())) {
                assertThat(client.createReinstallKey("default", 1001)).as(field).matches("[a-z0-9]{32}");
            }
        }
    }

    @Test
    void shouldRaiseAmbiguousWithTheSettingsNameWhenTheKeyComesInAnUnexpectedField() {
        try (HostkeySimulator sim = simulator("master_key"); HostkeyClient client = client(sim, List.of())) {
            assertThatThrownBy(() -> client.createReinstallKey("default", 1001))
                    .isInstanceOf(HostkeyException.Ambiguous.class)
                    .hasMessageContaining("[reinstall_key, callback, key]")
                    .hasMessageContaining(HostkeyClientConfig.ENV_REINSTALL_KEY_FIELD);
            assertThat(sim.audit("eq", "reinstall")).as("never repeated").hasSize(1);
        }
    }

    @Test
    void shouldReadTheMasterKeyFromTheConfiguredFieldAndDriveTheInstallWithIt() {
        try (HostkeySimulator sim = simulator("master_key");
                HostkeyClient client = client(sim, List.of("master_key"))) {
            String master = client.createReinstallKey("default", 1001);

            assertThat(master).matches("[a-z0-9]{32}");
            String pxe = client.createPxe("default", InvapiContract.pxeRequest(master)).callbackKey();
            sim.clock().advance(Duration.ofSeconds(5));
            assertThat(client.checkCallback(pxe).kind()).as("create_pxe accepted the key as reinstall_key").isEqualTo(Kind.OK);
            assertThat(client.checkCallback(master).kind()).isEqualTo(Kind.NOT_READY);
        }
    }

    @Test
    void shouldReadTheFieldNamesFromTheEnvironmentInOrder() {
        Map<String, String> env = Map.of(
                HostkeyClientConfig.ENV_BASE_URL, "http://invapi",
                HostkeyClientConfig.ENV_API_KEY, API_KEY,
                HostkeyClientConfig.ENV_REINSTALL_KEY_FIELD, " master_key , reinstall_key ");

        assertThat(HostkeyClientConfig.fromEnv(env).reinstallKeyFields()).containsExactly("master_key", "reinstall_key");
    }

    @Test
    void shouldNameTheVariableWhenItListsNoField() {
        Map<String, String> env = Map.of(
                HostkeyClientConfig.ENV_BASE_URL, "http://invapi",
                HostkeyClientConfig.ENV_API_KEY, API_KEY,
                HostkeyClientConfig.ENV_REINSTALL_KEY_FIELD, " , ");

        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(env))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(HostkeyClientConfig.ENV_REINSTALL_KEY_FIELD);
    }

    @Test
    void shouldRefuseAnEmptyListOrABlankName() {
        HostkeyClientConfig.Builder builder = HostkeyClientConfig.builder("http://invapi")
                .account("default", Credentials.of(API_KEY));

        assertThatThrownBy(() -> builder.reinstallKeyFields(List.of()).build()).hasMessageContaining("reinstallKeyFields");
        assertThatThrownBy(() -> builder.reinstallKeyFields("key", " ").build()).hasMessageContaining("blank");
    }

    private static HostkeySimulator simulator(String reinstallKeyField) {
        return HostkeySimulator.start(SimulatorConfig.builder().port(0).generatedFleet(2)
                .account("default", API_KEY, PIN).reinstallKeyField(reinstallKeyField).build());
    }

    private static HostkeyClient client(HostkeySimulator sim, List<String> reinstallKeyFields) {
        HostkeyClientConfig.Builder builder = HostkeyClientConfig.builder(sim.baseUrl())
                .account("default", new Credentials(API_KEY, PIN))
                .requestsPerSecond(1000);
        if (!reinstallKeyFields.isEmpty()) {
            builder.reinstallKeyFields(reinstallKeyFields);
        }
        return new HostkeyClient(builder.build(), new MutableClock(Instant.now()), d -> { }, null);
    }
}
