package com.hostkey.reinstall.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.invapi.client.Credentials;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.system.ReinstallStack.InvapiVariant;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two Hostkey accounts, each with its own API key and PIN, reinstalling servers at once; one
 * account's PIN gets locked mid-run (as three wrong PINs from anywhere would). The other account's
 * reinstalls are not touched, and the locked account's failures, its stranded cleanups included,
 * count towards no server's quarantine: the account is at fault, not its servers.
 */
class TwoAccountsIT {

    private static final String BETA = "beta";
    private static final String BETA_KEY = "beta-key-" + UUID.randomUUID();
    private static final String BETA_PIN = "5678";
    /** The generated fleet's owners go round-robin: default owns 1001, 1005; beta 1002, 1006 (all bare metal). */
    private static final List<Long> DEFAULTS = List.of(1001L, 1005L);
    private static final List<Long> BETAS = List.of(1002L, 1006L);

    @Test
    void shouldKeepOneAccountsReinstallsGoingWhileTheOthersPinIsLocked() throws Exception {
        InvapiVariant twoAccounts = new InvapiVariant("two accounts",
                sim -> sim.account(BETA, BETA_KEY, BETA_PIN),
                client -> client.account(BETA, new Credentials(BETA_KEY, BETA_PIN)));
        try (ReinstallStack stack = new ReinstallStack(60.0, twoAccounts)) {
            for (long server : DEFAULTS) {
                stack.submit(stack.upstream(server, reinstall(stack, server, "default")));
            }
            for (long server : BETAS) {
                stack.submit(stack.upstream(server, reinstall(stack, server, BETA)));
            }
            // Mid-run: both of beta's servers are installing when its PIN gets locked.
            await("beta's servers installing").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> BETAS.stream().allMatch(s -> stack.eventsFor(s).stream()
                            .anyMatch(e -> e.getPayload() instanceof InstallStageReached)));
            stack.simulator.lockAccount(BETA);

            await("every completion").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> List.of(1001L, 1005L, 1002L, 1006L).stream().allMatch(s -> !stack.completionsFor(s).isEmpty()));

            for (long server : DEFAULTS) {
                List<ReinstallCompletion> completions = stack.completionsFor(server);
                assertThat(completions).as("server %d of the default account", server).hasSize(1);
                assertThat(completions.get(0).getOutcome()).isInstanceOf(ReinstallCompleted.class);
                assertThat(stack.simulator.server(server).pxeConfigPresent()).isFalse();
                assertThat(stack.simulator.server(server).bootDevice()).isEqualTo("disk");
            }
            for (long server : BETAS) {
                List<ReinstallCompletion> completions = stack.completionsFor(server);
                assertThat(completions).as("server %d of the locked account", server).hasSize(1);
                assertThat(completions.get(0).getOutcome()).isInstanceOfSatisfying(ReinstallFailed.class, failed -> {
                    assertThat(failed.getKind()).as(failed.getMessage())
                            .isIn(FailureKind.AUTH, FailureKind.COMPENSATION_FAILED);
                    assertThat(failed.getMessage()).contains("locked");
                });
                JsonNode state = state(stack, server);
                assertThat(state.path("quarantine").path("consecutiveFailures").asInt()).as("server %d's quarantine count", server).isZero();
            }
            // What the lock left behind is the locked account's, and says so: no call could clean up.
            assertThat(stack.simulator.invariantReport().serversWithPxeLeft()).doesNotContainAnyElementsOf(DEFAULTS);
        }
    }

    private static ReinstallServer reinstall(ReinstallStack stack, long server, String account) {
        return ReinstallServer.newBuilder()
                .setRequestId("two-accounts-" + server + "-" + UUID.randomUUID())
                .setAccount(account)
                .setOsId(101)
                .setHostname("srv" + server + ".accounts.example.net")
                .setRootPassword(stack.sealer.seal("Accounts7%Root"))
                .setPartitionScheme(PartitionScheme.LVM_RAID1)
                .build();
    }

    private static JsonNode state(ReinstallStack stack, long server) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.queryUrl("/reinstalls/" + server)))
                        .header("Authorization", "Bearer " + stack.queryToken()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }
}
